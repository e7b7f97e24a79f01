"""The procuratorate HTTP API for its staff."""
