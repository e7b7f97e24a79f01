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


def test_thirty_matters_on_three_brokers_survive_a_leader_killed_and_a_broker_paused(
    pg_admin_url: str, tmp_path: Path
) -> None:
    """The same checks on a KRaft cluster of three nodes (replication factor 3, min.insync.replicas 2): the leader of
    a partition the referrals travel on is SIGKILLed and restarted, another node is SIGSTOPped past its session
    timeout, besides the services' own faults; the partitions' leaders move and nothing is lost or doubled."""
    if not can_run_local_broker():
        unavailable("chaos runs brokers of its own (to kill them): it needs Java 17 and Maven")
    start = os.environ.get("LIANDONG_TEST_CLOCK_START", "").strip()
    settings = chaos.parse(
        ["--matters", "30", "--seed", "20261207", "--faults-every", "4", "--deadline", "900", "--brokers", "3"]
        + ["--no-database-faults"]
        + (["--start-at", start] if start else [])
    )
    logs = tmp_path / "logs"
    logs.mkdir()
    report = chaos.run(settings, pg_admin_url, tmp_path, logs)

    assert report["violations"] == [], f"see {logs}"
    on_brokers = [(f["action"], f["target"]) for f in report["faults"] if f["target"].startswith("broker-")]
    assert any(action == "SIGKILL" for action, _ in on_brokers), report["faults"]
    assert any(action == "SIGSTOP" for action, _ in on_brokers), report["faults"]
    first_kill = next(f for f in report["faults"] if f["action"] == "SIGKILL" and f["target"].startswith("broker-"))
    assert "court.referrals[0]" in first_kill["leader_of"], "the leader of a partition in use was killed"
    assert report["leader_changes"] >= 1, "the partitions' leaders moved"
    court, police = report["counts"]["court"], report["counts"]["police"]
    assert police["referrals"] == court["referrals"] >= 15
