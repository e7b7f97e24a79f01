"""Alembic environment of the police database (applied at start-up by liandong.runtime)."""

from liandong.persistence.migrations import run_env
from liandong_police.adapters.orm import metadata

run_env(metadata)
