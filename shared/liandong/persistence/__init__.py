"""Database side: engine and sessions (SQLite and PostgreSQL), the common tables, unit of work, migrations."""
