"""The restore drill, small: the police database backed up mid-run (pg_dump, while the service runs), more referrals
applied after it, the police killed, the older backup restored (pg_restore) and the service started again. The
consumer group's committed offsets are then ahead of the restored inbox; the service rewinds to what its inbox holds
and applies the later referrals again — each once — and its audit chain verifies."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from liandong.devstack import REPO
from tests.e2e.conftest import Stack, token
from tests.e2e.test_referral_flow import police_inbox, refer_new_lead
from tests.support.infra import LocalBroker, can_run_local_broker, unavailable, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.postgres]


def liandong(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    """The command line, with the police service's environment (its database)."""
    done = subprocess.run(
        [sys.executable, "-m", "liandong", *args],
        env={**os.environ, **stack.police.env},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def referrals_at_the_police(stack: Stack) -> list[dict[str, Any]]:
    return police_inbox(stack, token(stack.police, "tongcheng.investigator"))


def test_the_police_restored_from_an_older_backup_apply_again_what_came_after_it(
    postgres_stack: Stack, tmp_path: Path
) -> None:
    stack = postgres_stack
    court = token(stack.court, "tongcheng.officer")
    before = [refer_new_lead(stack, court, 7100 + i)["id"] for i in range(3)]
    wait_until(
        lambda: set(before) <= {r["id"] for r in referrals_at_the_police(stack)}, 20, message="the first referrals"
    )

    backup = tmp_path / "police.backup"
    liandong(stack, "backup", "--service", "police", "--out", str(backup))
    assert backup.stat().st_size > 0

    after = [refer_new_lead(stack, court, 7200 + i)["id"] for i in range(2)]
    wait_until(
        lambda: set(after) <= {r["id"] for r in referrals_at_the_police(stack)}, 20, message="the later referrals"
    )
    # an act of the police's staff after the backup: the court applies it; the restored database will not hold it
    investigator = token(stack.police, "tongcheng.investigator")
    registered = httpx.post(f"{stack.police.url}/referrals/{before[0]}/registration", headers=investigator)
    assert registered.status_code == 200, registered.text
    officer = token(stack.court, "tongcheng.officer")
    wait_until(
        lambda: httpx.get(f"{stack.court.url}/referrals/{before[0]}", headers=officer).json()["receipt_number"],
        20,
        message="the receipt at the court",
    )

    stack.police.kill()  # the disk is lost
    restored = liandong(stack, "restore", "--service", "police", "--from", str(backup))
    assert "restored from" in restored.stdout
    stack.police.start()
    stack.police.wait_ready(90)

    wait_until(
        lambda: set(before + after) <= {r["id"] for r in referrals_at_the_police(stack)},
        30,
        message="the referrals applied after the backup, applied again",
    )
    ids = [r["id"] for r in referrals_at_the_police(stack)]
    assert len(ids) == len(set(ids)), "each referral once"
    # (the broker is shared by the suite: a partition the restored inbox held nothing of is read from its
    # beginning, which brings other tests' referrals too — each once)
    assert sorted(i for i in ids if i in before + after) == sorted(before + after)
    health = httpx.get(f"{stack.police.url}/healthz").json()
    assert health["restore"]["pending"] is False, health["restore"]
    assert "→" in health["restore"]["rewind"], "the consumer was moved back to what the inbox held"
    # the act the disk lost is found on the police's own topic, reported, and stays a problem until acknowledged
    wait_until(lambda: httpx.get(f"{stack.police.url}/healthz").json()["restore"]["lost"], 30, message="the report")
    health = httpx.get(f"{stack.police.url}/healthz").json()
    lost = [a for a in health["restore"]["lost"] if a["aggregate"] == f"referral {before[0]}"]
    assert [a["event_type"] for a in lost] == ["police.referral.received"], health["restore"]["lost"]
    assert any("acts lost in the restore" in p for p in health["problems"])
    report = liandong(stack, "restore", "--service", "police", "--report")
    assert f"police.referral.received referral {before[0]}" in report.stdout
    liandong(stack, "restore", "--service", "police", "--acknowledge", "--note", "receipt registered again")
    health = httpx.get(f"{stack.police.url}/healthz").json()
    assert not any("acts lost in the restore" in p for p in health["problems"])
    referral = httpx.get(
        f"{stack.police.url}/referrals/{before[0]}", headers=token(stack.police, "tongcheng.investigator")
    )
    assert referral.json()["status"] == "awaiting_registration", "the registration was lost with the disk"

    verified = liandong(stack, "audit", "verify", "--service", "police")
    assert "the audit chain is intact" in verified.stdout, verified.stdout

    # nothing is refused afterwards: a later referral still arrives once
    late = refer_new_lead(stack, court, 7300)["id"]
    wait_until(lambda: late in {r["id"] for r in referrals_at_the_police(stack)}, 20, message="a referral after all")


def test_after_the_drill_every_check_of_make_chaos_holds(pg_admin_url: str, tmp_path: Path) -> None:
    """The drill on a broker of its own (so that the checks read only this stack's topics), with every hand-off of
    the referrals' path — registration, filing, receipts at the court — made before the backup and more referrals
    after it: after the restore and the rewind, tools.chaos's checks hold — every event published for another
    service applied there once, the court and the police agree on every referral, no unpublished row, no dead
    letter, every chain intact. LIANDONG_DRILL_REFERRALS sets how many referrals come before and after the backup
    (3 each; the README records a run by hand at full size)."""
    from tests.bench.infra import databases
    from tests.e2e.conftest import running_stack
    from tools import chaos

    if not can_run_local_broker():
        unavailable("the drill runs a broker of its own: it needs Java 17 and Maven")
    broker = LocalBroker(tmp_path / "kafka")
    broker.start()
    try:
        with databases(pg_admin_url, 3) as urls:
            named = dict(zip(("court", "police", "procuratorate"), urls, strict=True))
            with running_stack(broker.admin, named, tmp_path) as stack:
                court = token(stack.court, "tongcheng.officer")
                size = int(os.environ.get("LIANDONG_DRILL_REFERRALS", "3"))  # up to 100: the police's list shows 200
                before = [refer_new_lead(stack, court, 10_000 + i)["id"] for i in range(size)]
                wait_until(
                    lambda: set(before) <= {r["id"] for r in referrals_at_the_police(stack)},
                    20 + size,
                    message="referrals",
                )
                investigator = token(stack.police, "tongcheng.investigator")
                for referral_id in before:  # the police's acts, all before the backup
                    registered = httpx.post(
                        f"{stack.police.url}/referrals/{referral_id}/registration", headers=investigator
                    )
                    assert registered.status_code == 200, registered.text
                liandong(stack, "backup", "--service", "police", "--out", str(tmp_path / "police.backup"))
                after = [refer_new_lead(stack, court, 20_000 + i)["id"] for i in range(size)]
                wait_until(
                    lambda: set(after) <= {r["id"] for r in referrals_at_the_police(stack)},
                    20 + size,
                    message="later ones",
                )
                stack.police.kill()
                liandong(stack, "restore", "--service", "police", "--from", str(tmp_path / "police.backup"))
                stack.police.start()
                stack.police.wait_ready(90)
                wait_until(
                    lambda: set(before + after) <= {r["id"] for r in referrals_at_the_police(stack)},
                    30 + size,
                    message="the later referrals applied again",
                )
                officer = token(stack.court, "tongcheng.officer")
                wait_until(
                    lambda: all(
                        httpx.get(f"{stack.court.url}/referrals/{r}", headers=officer).json()["receipt_number"]
                        for r in before
                    ),
                    20 + size,
                    message="every receipt at the court",
                )
                health = httpx.get(f"{stack.police.url}/healthz").json()
                assert health["restore"]["pending"] is False
                assert health["restore"]["lost"] == [], "no act of the police's staff came after the backup"
                clocks = {
                    name: datetime.fromisoformat(
                        httpx.get(f"{service.url}/testing/clock", headers=token(service, "city.admin")).json()["now"]
                    )
                    for name, service in (
                        ("court", stack.court),
                        ("police", stack.police),
                        ("procuratorate", stack.procuratorate),
                    )
                }
                wait_until(
                    lambda: not asyncio.run(chaos.check(named, broker.admin, clocks))["violations"],
                    60,
                    message="the checks of make chaos",
                )
                result = asyncio.run(chaos.check(named, broker.admin, clocks))
                assert result["violations"] == []
                assert result["counts"]["police"]["referrals"] == result["counts"]["court"]["referrals"] == 2 * size
                print(f"drill: {2 * size} referrals; rewind {health['restore']['rewind']}; counts {result['counts']}")
    finally:
        broker.stop()
