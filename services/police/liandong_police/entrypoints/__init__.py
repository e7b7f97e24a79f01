"""How the outside reaches the police: HTTP routes for staff and Kafka handlers for other agencies' events."""
