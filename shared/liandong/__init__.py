"""Liandong (联动) shared library: what the court, police and procuratorate services have in common.

Event envelope and contracts, outbox relay and inbox consumer, topic administration, persistence helpers,
the HTTP conventions (errors, idempotency, auth, health) and settings.
"""

__version__ = "0.1.0"
