"""HTTP conventions shared by the three services: errors, request limits, idempotency, auth, health, metrics."""
