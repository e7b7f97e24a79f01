"""The police HTTP API for its staff."""
