"""Alembic environment of the court database (applied at start-up by liandong.runtime)."""

from liandong.persistence.migrations import run_env
from liandong_court.adapters.orm import metadata

run_env(metadata)
