"""Procuratorate use cases."""
