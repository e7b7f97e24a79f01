"""How the outside reaches the procuratorate: HTTP routes and Kafka handlers."""
