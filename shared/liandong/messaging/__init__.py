"""Kafka side of the delivery rules: topics, the outbox relay and the inbox consumer runner."""
