"""A rolling upgrade (expand/contract): the new release migrates the database while old replicas still run. The old
code must stay ready on a schema that descends from its own — and start on it, not fail trying to migrate it — while
a database that lacks its migrations is still unready. `python -m liandong migrations` shows where it stands."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from liandong.__main__ import main as cli
from liandong.persistence import migrations
from liandong.persistence.engine import create_engine
from liandong_police.bootstrap import spec
from liandong_police.config import PoliceSettings
from tests.support.apps import running_app, runtime_of

NEXT = "liandong_police_9999_next_release"  # a revision of a release this code does not know


def settings(database: Path) -> PoliceSettings:
    return PoliceSettings(database_url=f"sqlite+aiosqlite:///{database}", kafka_bootstrap_servers="127.0.0.1:1")


async def newer_release_migrates(url: str, follows: str) -> None:
    """What the next release's start-up does to the database: its revision applied after `follows`, and its graph
    recorded (the old code has neither the script nor the revision)."""
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.execute(
            text(f"INSERT INTO {migrations.LINEAGE_TABLE} (revision, follows) VALUES (:r, :f)"),
            {"r": NEXT, "f": follows},
        )
        await connection.execute(
            text("UPDATE alembic_version SET version_num = :n WHERE version_num = :o"),
            {
                "n": NEXT,
                "o": follows,
            },
        )
        await connection.execute(text("CREATE TABLE next_release_column_home (id INTEGER PRIMARY KEY)"))
    await engine.dispose()


async def test_old_code_stays_ready_and_starts_on_a_schema_a_newer_release_migrated(tmp_path: Path) -> None:
    database = tmp_path / "police.db"
    async with running_app(spec(), settings(database)) as police:
        assert (await police.get("/readyz")).status_code == 200
        heads = runtime_of(police).expected_heads
        service_head = next(h for h in heads if not h.startswith("liandong_"))  # the service's own branch
        await newer_release_migrates(settings(database).database_url, service_head)
        ready = await police.get("/readyz")
        assert ready.status_code == 200, "an old replica stays in service while the new one rolls out"

    # an old replica restarting mid-rollout (or a rollback) starts on the newer schema, without migrating it
    async with running_app(spec(), settings(database)) as police:
        assert (await police.get("/readyz")).status_code == 200
        login = await police.post(
            "/auth/token", data={"username": "tongcheng.investigator", "password": "liandong-dev"}
        )
        assert login.status_code == 200


NEXT_REVISION = '''"""The next release: a column added, nullable (expand) — this release's code does not know it."""

import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("next_release_note", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("cases", "next_release_note")
'''


async def test_a_release_whose_migration_really_ran_leaves_the_older_code_ready(tmp_path: Path) -> None:
    """Two versions of the code on one database: the next release (this one's migrations and one more, run by
    Alembic for real) migrates it; this release then starts on it, ready, and serves."""
    database = tmp_path / "police.db"
    url = settings(database).database_url
    current = Path(spec().migrations)
    service_head = next(h for h in migrations.heads(str(current)) if not h.startswith("liandong_"))
    next_release = tmp_path / "next_release_migrations"
    shutil.copytree(current, next_release, ignore=shutil.ignore_patterns("__pycache__"))
    (next_release / "versions" / "9999_next_release.py").write_text(NEXT_REVISION.format(head=service_head))

    await migrations.upgrade_async(str(current), url)  # this release's database …
    await migrations.upgrade_async(str(next_release), url)  # … migrated by the next release (with its lineage)
    engine = create_engine(url)
    async with engine.begin() as connection:
        columns = [row[1] for row in await connection.execute(text("PRAGMA table_info(cases)"))]
    await engine.dispose()
    assert "next_release_note" in columns, "the next release's migration ran"

    async with running_app(spec(), settings(database)) as police:  # this release, on the next one's schema
        assert (await police.get("/readyz")).status_code == 200
        login = await police.post(
            "/auth/token", data={"username": "tongcheng.investigator", "password": "liandong-dev"}
        )
        assert login.status_code == 200
        listed = await police.get("/cases", headers={"Authorization": f"Bearer {login.json()['access_token']}"})
        assert listed.status_code == 200, "it reads and writes the tables it knows"


async def test_a_database_without_this_codes_migrations_is_not_ready(tmp_path: Path) -> None:
    database = tmp_path / "police.db"
    async with running_app(spec(), settings(database)) as police:
        runtime = runtime_of(police)
        head = next(h for h in runtime.expected_heads if not h.startswith("liandong_"))
        engine = create_engine(settings(database).database_url)
        async with engine.begin() as connection:  # as if the last revision had never been applied
            await connection.execute(
                text("UPDATE alembic_version SET version_num = 'unknown_revision' WHERE version_num = :h"), {"h": head}
            )
        await engine.dispose()
        unready = await police.get("/readyz")
        assert unready.status_code == 503
        assert head in unready.json()["checks"]["database"]


def test_the_cli_shows_where_the_schema_stands_and_migrates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'police.db'}"
    monkeypatch.setitem(os.environ, "POLICE_DATABASE_URL", url)
    assert cli(["migrations", "--service", "police", "status"]) == 3, "a new database is behind"
    assert "behind" in capsys.readouterr().out
    assert cli(["migrations", "--service", "police", "upgrade"]) == 0
    said = capsys.readouterr()
    shown = said.out
    assert "current" in shown
    assert f"database: {url}" in said.err, "it says which database it acts on"
    heads = migrations.heads(spec().migrations)
    assert all(head in shown for head in heads)
