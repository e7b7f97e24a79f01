"""`make chaos` in small: 30 matters over every path, on PostgreSQL, with two police replicas, while the services and
the broker are SIGKILLed at random, one is SIGSTOPped and the database is stopped and started; afterwards nothing is
lost, nothing applied twice, no stage fired twice, nothing left in an outbox, no dead letter (tools.chaos checks; the
README records a 1,000-matter run)."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from tests.support.infra import can_run_local_broker, unavailable
from tools import chaos
from tools.dataset import EVERY_PATH

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.postgres]


def test_thirty_matters_survive_crashes_of_every_part(pg_admin_url: str, tmp_path: Path) -> None:
    if not can_run_local_broker():
        unavailable("chaos runs a broker of its own (to kill it): it needs Java 17 and Maven")
    start = os.environ.get("LIANDONG_TEST_CLOCK_START", "").strip()
    settings = chaos.parse(
        ["--matters", "30", "--seed", "20261129", "--faults-every", "4", "--deadline", "900"]
        + (["--start-at", start] if start else [])
    )
    logs = tmp_path / "logs"
    logs.mkdir()
    report = chaos.run(settings, pg_admin_url, tmp_path, logs)

    assert report["violations"] == [], f"see {logs}"
    faults = Counter(f["action"] for f in report["faults"])
    assert faults["SIGKILL"] >= 2, report["faults"]
    assert faults["SIGSTOP"] == 1, report["faults"]
    assert any(f["action"] == "stop" and f["target"] == "database" for f in report["faults"]), "PostgreSQL stopped"
    assert set(report["paths"]) == set(EVERY_PATH), "every path was driven"
    court, police = report["counts"]["court"], report["counts"]["police"]
    assert police["referrals"] == court["referrals"] >= 15
    assert court["owed_by_police"] > 0
    assert police["stages_fired"] > 0, "the clocks moved far enough for windows to warn and breach"
    assert len(report["abandoned_by_the_driver"]) <= 3, report["abandoned_by_the_driver"]
