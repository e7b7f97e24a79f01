"""Staff accounts: no development account answers in production, ops manage real accounts from the command line
(audited), and password hashing never holds up the event loop."""

from __future__ import annotations

import asyncio
import io
import json
import threading
from pathlib import Path
from typing import Any, Literal

import pytest
from sqlalchemy import select

from liandong import __main__ as cli
from liandong.persistence.engine import create_engine, session_factory
from liandong.security import verify_password
from liandong_court.adapters.orm import common
from liandong_court.bootstrap import spec
from liandong_court.config import CourtSettings
from tests.support.apps import log_in, running_app

STRONG = "production-secret-0123456789-0123456789"
CLIENT = "production-client-secret-0123456789-0123456789"


def settings(db: Path, environment: Literal["development", "production"]) -> CourtSettings:
    return CourtSettings(
        environment=environment,
        database_url=f"sqlite+aiosqlite:///{db}",
        kafka_bootstrap_servers="127.0.0.1:1",
        secret_key=STRONG,
        service_clients={"police": CLIENT},
        kafka_password="production-kafka-password-0123456789",
        single_node=True,  # SQLite: one process on one disk, as intended here
    )


async def audit_rows(db: Path) -> list[Any]:
    engine = create_engine(f"sqlite+aiosqlite:///{db}")
    try:
        async with session_factory(engine)() as session:
            a = common.account_audit
            return list((await session.execute(select(a).order_by(a.c.seq))).all())
    finally:
        await engine.dispose()


async def test_production_disables_the_development_accounts_a_database_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "court.db"
    async with running_app(spec(), settings(db, "development")) as client:
        assert (await log_in(client, "city.admin", "liandong-dev")).status_code == 200
    capsys.readouterr()
    async with running_app(spec(), settings(db, "production")) as client:
        refused = await log_in(client, "city.admin", "liandong-dev")
        assert (refused.status_code, refused.json()["error"]["code"]) == (401, "invalid_credentials")
    (said,) = [line for line in capsys.readouterr().err.splitlines() if "development accounts disabled" in line]
    assert "city.admin" in said
    disabled = [r for r in await audit_rows(db) if r.action == "disable"]
    assert {r.username for r in disabled} == {a.username for a in spec().dev_accounts}
    assert {r.actor for r in disabled} == {"system"}


def run_cli(monkeypatch: pytest.MonkeyPatch, db: Path, *argv: str, stdin: str = "") -> int:
    monkeypatch.setenv("COURT_DATABASE_URL", f"sqlite+aiosqlite:///{db}")
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return cli.main(["users", "--service", "court", "--actor", "ops.li", *argv])


def test_ops_add_change_and_disable_accounts_from_the_command_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    db = tmp_path / "court.db"
    password = "a long enough passphrase"
    add = ["add", "--username", "xianan.officer", "--display-name", "咸安法院执行干警", "--unit", "421202"]
    assert run_cli(monkeypatch, db, *add, "--role", "enforcement_officer", stdin=password + "\n") == 0
    assert run_cli(monkeypatch, db, *add, "--role", "enforcement_officer", stdin=password + "\n") == 2, "exists"
    assert run_cli(monkeypatch, db, "add", "--username", "x", "--display-name", "x", "--unit", "421202",
                   "--role", "wizard", stdin=password + "\n") == 2  # fmt: skip

    async def production() -> tuple[int, str, int]:
        async with running_app(spec(), settings(db, "production")) as client:
            first = await log_in(client, "xianan.officer", password)
            # the command line runs an event loop of its own, as it does from a shell
            changed = await asyncio.to_thread(
                run_cli, monkeypatch, db, "set-role", "--username", "xianan.officer", "--role", "admin"
            )
            assert changed == 0
            second = await log_in(client, "xianan.officer", password)
            assert await asyncio.to_thread(run_cli, monkeypatch, db, "disable", "--username", "xianan.officer") == 0
            third = await log_in(client, "xianan.officer", password)
            return first.status_code, second.json()["role"], third.status_code

    assert asyncio.run(production()) == (200, "admin", 401)
    rows = asyncio.run(audit_rows(db))
    assert [(r.action, r.username, r.actor) for r in rows] == [
        ("add", "xianan.officer", "cli:ops.li"),
        ("set_role", "xianan.officer", "cli:ops.li"),
        ("disable", "xianan.officer", "cli:ops.li"),
    ]
    assert rows[1].detail["before"]["role"] == "enforcement_officer"


async def test_password_hashing_runs_off_the_event_loop_and_unknown_names_cost_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While logins are being hashed, the service still answers: the hashing waits in its own threads."""
    release = threading.Event()
    calls: list[str] = []
    returned: list[str] = []
    loop = asyncio.get_running_loop()
    both_hashing = asyncio.Event()

    def slow_verify(password: str, stored: str) -> bool:
        calls.append(password)
        if len(calls) == 2:
            loop.call_soon_threadsafe(both_hashing.set)
        release.wait(10)
        returned.append(password)
        return verify_password(password, stored)

    monkeypatch.setattr("liandong.api.auth.verify_password", slow_verify)
    async with running_app(spec(), settings(tmp_path / "court.db", "development")) as client:
        logins = [
            asyncio.create_task(log_in(client, "city.admin", "wrong")),
            asyncio.create_task(log_in(client, "nobody.at.all", "wrong")),
        ]
        await asyncio.wait_for(both_hashing.wait(), 10)
        health = await client.get("/healthz")
        assert health.status_code == 200
        assert returned == [], "the service answered while both hashes were still running"
        release.set()
        answers = await asyncio.gather(*logins)
    assert [a.status_code for a in answers] == [401, 401]
    assert answers[0].json() == answers[1].json(), "an unknown name is answered like a wrong password"
    assert len(calls) == 2, "the unknown name was hashed too"


def test_the_command_line_lists_enables_and_resets_and_names_its_operator(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "court.db"
    password = "a long enough passphrase"
    add = ["add", "--username", "xianan.officer", "--display-name", "咸安法院执行干警", "--unit", "421202"]
    assert run_cli(monkeypatch, db, *add, "--role", "enforcement_officer", stdin=password + "\n") == 0
    assert run_cli(monkeypatch, db, "disable", "--username", "xianan.officer") == 0
    capsys.readouterr()
    assert run_cli(monkeypatch, db, "list") == 0
    listed = capsys.readouterr()
    assert f"database: sqlite+aiosqlite:///{db}" in listed.err, "it says which database it acts on"
    (line,) = [line for line in listed.out.splitlines() if line.startswith("xianan.officer")]
    assert line.split()[1:] == ["enforcement_officer", "421202", "disabled"]
    assert run_cli(monkeypatch, db, "enable", "--username", "xianan.officer") == 0
    assert run_cli(monkeypatch, db, "reset-password", "--username", "xianan.officer", stdin="short\n") == 2
    assert run_cli(monkeypatch, db, "reset-password", "--username", "xianan.officer", stdin="another long one!\n") == 0

    async def logins() -> tuple[int, int]:
        async with running_app(spec(), settings(db, "production")) as client:
            old = await log_in(client, "xianan.officer", password)
            new = await log_in(client, "xianan.officer", "another long one!")
            return old.status_code, new.status_code

    assert asyncio.run(logins()) == (401, 200)
    rows = asyncio.run(audit_rows(db))
    assert [(r.action, r.actor) for r in rows][-2:] == [("enable", "cli:ops.li"), ("reset_password", "cli:ops.li")]
    assert all("another long one" not in str(r.detail) for r in rows), "never the password"

    # production: the operator must be named (--actor), not taken from the machine
    monkeypatch.setenv("COURT_ENVIRONMENT", "production")
    monkeypatch.setenv("COURT_SECRET_KEY", STRONG)
    monkeypatch.setenv("COURT_SERVICE_CLIENTS", json.dumps({"police": CLIENT}))
    monkeypatch.setenv("COURT_KAFKA_PASSWORD", "production-kafka-password-0123456789")
    monkeypatch.setenv("COURT_SINGLE_NODE", "true")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    refused = cli.main(["users", "--service", "court", "disable", "--username", "xianan.officer"])
    assert refused == 2
    assert "--actor" in capsys.readouterr().err


def test_the_command_line_refuses_to_guess_a_database_and_says_one_line_when_it_cannot_reach_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # not a checkout of the project
    monkeypatch.delenv("COURT_DATABASE_URL", raising=False)
    assert cli.main(["users", "--service", "court", "list"]) == 2
    said = capsys.readouterr().err
    assert "set COURT_DATABASE_URL" in said
    assert not (tmp_path / "var").exists(), "no database was made by mistake"

    monkeypatch.setenv("COURT_DATABASE_URL", "postgresql+asyncpg://liandong:x@127.0.0.1:1/court")
    assert cli.main(["users", "--service", "court", "list"]) == 1
    said = capsys.readouterr().err
    assert "the database cannot be reached" in said
    assert "Traceback" not in said
    assert len(said.strip().splitlines()) == 2, "which database, and why not: two lines"


def test_a_negative_window_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(
            ["deadline", "--kind", "police_filing_decision", "--start", "2026-10-09T09:00+08:00", "--window", "-3"]
        )
    assert exited.value.code == 2
    assert "a window is 1 or more" in capsys.readouterr().err
