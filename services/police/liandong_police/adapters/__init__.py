"""Police adapters: ORM mapping, repositories, and the translator to integration contracts."""
