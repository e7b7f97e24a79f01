"""How the outside reaches the court: HTTP routes for staff and Kafka handlers for other agencies' events."""
