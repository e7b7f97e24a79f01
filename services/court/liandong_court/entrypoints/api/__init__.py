"""The court's HTTP API for its staff."""
