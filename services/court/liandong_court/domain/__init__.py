"""The court's pure domain model: no web framework, ORM or Kafka in here."""
