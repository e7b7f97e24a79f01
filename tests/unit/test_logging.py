"""Logs an operator can live with: every line JSON (uvicorn's too), the access log in named fields, a chatty library's
repeats cut to a line a minute, refused logins logged (no password; a non-account masked) and counted."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client import REGISTRY

from liandong import logs
from liandong_court.bootstrap import spec
from liandong_court.config import CourtSettings
from tests.support.apps import login, running_app


class Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def kept() -> Iterator[Kept]:
    """The root's records, kept for the test (attached once the app has configured logging, which resets the root)."""
    handler = Kept()
    yield handler
    logging.getLogger().removeHandler(handler)


def court_settings(tmp_path: Path) -> CourtSettings:
    return CourtSettings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", kafka_bootstrap_servers="127.0.0.1:1")


def record(msg: str, at: float, name: str = "aiokafka") -> logging.LogRecord:
    made = logging.LogRecord(name, logging.ERROR, __file__, 1, msg, (), None)
    made.created = at
    return made


def test_a_librarys_repeats_are_cut_to_a_line_a_minute() -> None:
    limit = logs.RepeatLimit(60)
    passed = [limit.filter(record('Unable connect to "kafka:9092"', 1000 + i * 0.02)) for i in range(3000)]
    assert passed.count(True) == 1, "3,000 lines in a minute: one is written"
    later = record('Unable connect to "kafka:9092"', 1000 + 61)
    assert limit.filter(later)
    assert "(and 2999 more like it in the last minute)" in later.getMessage()
    assert limit.filter(record("another message", 1001)), "each message has its own allowance"


def test_uvicorns_lines_are_json_like_every_other() -> None:
    logs.configure("court")
    (handler,) = logging.getLogger().handlers
    assert isinstance(handler, logging.StreamHandler)
    written = io.StringIO()
    handler.setStream(written)
    logging.getLogger("uvicorn.error").warning("Started server process [%d]", 42)
    line = written.getvalue().strip().splitlines()[-1]
    entry = json.loads(line)
    assert (entry["logger"], entry["message"], entry["service"]) == (
        "uvicorn.error",
        "Started server process [42]",
        "court",
    )


async def test_the_access_log_has_named_fields_and_refused_logins_are_logged_and_counted(
    tmp_path: Path, kept: Kept
) -> None:
    async with running_app(spec(), court_settings(tmp_path)) as court:
        logging.getLogger().addHandler(kept)
        officer = await login(court, "tongcheng.officer")
        missing = await court.get("/leads/no-such-lead", headers=officer)
        assert missing.status_code == 404
        (line,) = [r for r in kept.records if r.name == "liandong.access" and "/leads/no-such-lead" in r.getMessage()]
        fields = line.fields  # type: ignore[attr-defined]
        assert fields["route"] == "/leads/{lead_id}", "the route's template, for dashboards"
        assert (fields["status"], fields["method"], fields["user"]) == (404, "GET", "tongcheng.officer")
        assert isinstance(fields["duration_ms"], float)
        assert fields["client"]
        formatted = json.loads(logs.JsonFormatter("court").format(line))
        assert formatted["route"] == "/leads/{lead_id}"
        assert formatted["status"] == 404

        def refused(reason: str) -> float:
            return (
                REGISTRY.get_sample_value("liandong_logins_refused_total", {"agency": "court", "reason": reason}) or 0.0
            )

        before = {r: refused(r) for r in ("wrong_password", "unknown_user")}
        assert before["unknown_user"] is not None, "the series exists before the first refusal"
        await court.post("/auth/token", data={"username": "tongcheng.officer", "password": "not-it"})
        await court.post("/auth/token", data={"username": "S3cret-typed-in-the-wrong-field", "password": "x"})
        assert refused("wrong_password") == before["wrong_password"] + 1
        assert refused("unknown_user") == before["unknown_user"] + 1
        messages = [r.getMessage() for r in kept.records if r.name == "liandong.api.auth"]
        assert any("wrong_password" in m and "tongcheng.officer" in m for m in messages)
        assert not any("S3cret-typed-in-the-wrong-field" in m for m in messages), "a non-account is masked"
        assert not any("not-it" in m for m in messages), "never a password"


def test_counters_exist_before_their_first_event(tmp_path: Path) -> None:
    del tmp_path
    assert REGISTRY.get_sample_value("liandong_logins_refused_total", {"agency": "police", "reason": "locked_out"}) == 0


async def test_liveness_lines_stay_out_of_the_access_log(tmp_path: Path, kept: Kept) -> None:
    async with running_app(spec(), court_settings(tmp_path)) as court:
        logging.getLogger().addHandler(kept)
        assert (await court.get("/livez")).status_code == 200
        assert not [r for r in kept.records if r.name == "liandong.access"]
        assert isinstance(court, httpx.AsyncClient)
