"""Alembic environment of the procuratorate database (applied at start-up by liandong.runtime)."""

from liandong.persistence.migrations import run_env
from liandong_procuratorate.adapters.orm import metadata

run_env(metadata)
