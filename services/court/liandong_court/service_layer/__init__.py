"""Court use cases: commands in, aggregates changed through the unit of work."""
