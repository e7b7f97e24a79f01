"""The court service (法院): enforcement leads, referrals to the police, and following their answer."""
