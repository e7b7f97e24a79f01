"""The police service (公安): the inbox of court referrals, registration with a receipt, and filing decisions."""
