"""The runbook's commands run as written (docs/operations.md), on a service database and the test broker: the schema's
status, accounts, the outbox, the audit chain, dead letters (the filter after the action, as written), provisioning,
and Kafka's own admin tools through deploy/kafka/kafka.sh."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from liandong.messaging.kafka import KafkaConnection, development_password

pytestmark = [pytest.mark.kafka]
ROOT = Path(__file__).resolve().parents[2]


def run(command: list[str], env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env={**os.environ, **env}, capture_output=True, text=True, timeout=180)


def test_the_runbooks_commands_run_as_written(kafka: KafkaConnection, tmp_path: Path) -> None:
    env = {
        "POLICE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'police.db'}",
        "POLICE_KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap,
        "POLICE_KAFKA_SECURITY_PROTOCOL": kafka.security_protocol,
        "LIANDONG_KAFKA_BOOTSTRAP": kafka.bootstrap,
        "LIANDONG_KAFKA_ADMIN_PASSWORD": kafka.password,
        "KAFKA_BOOTSTRAP": kafka.bootstrap,
        "KAFKA_ADMIN_PASSWORD": kafka.password,
    }
    if kafka.authenticated:
        env["POLICE_KAFKA_PASSWORD"] = os.environ.get("POLICE_KAFKA_PASSWORD", development_password("police"))
    liandong = [sys.executable, "-m", "liandong"]
    commands = [
        [*liandong, "migrations", "--service", "police", "upgrade"],
        [*liandong, "migrations", "--service", "police", "status"],
        [*liandong, "users", "--service", "police", "list"],
        [*liandong, "outbox", "--service", "police", "status"],
        [*liandong, "audit", "verify", "--service", "police"],
        [*liandong, "dlq", "--service", "police", "list"],
        [*liandong, "dlq", "--service", "police", "list", "--event-type", "court.referral.submitted"],
    ]
    if kafka.authenticated:
        commands.append([*liandong, "kafka", "provision"])
    for command in commands:
        done = run(command, env)
        assert done.returncode == 0, f"{' '.join(command[2:])}: {done.stdout}{done.stderr}"
        assert "Traceback" not in done.stderr, " ".join(command[2:])
    replay = [*liandong, "dlq", "--service", "police", "--actor", "ops.li", "replay"]
    replayed = run([*replay, "--event-type", "court.referral.submitted", "--note", "after the upgrade"], env)
    assert "no dead letter matches" in replayed.stderr, "the filter after the action is taken: nothing to replay here"
    assert "unrecognized arguments" not in replayed.stderr
    if not kafka.authenticated:
        pytest.skip("the broker's admin tools through kafka.sh sign in with SASL: a PLAINTEXT broker has no admin")
    kafka_sh = ["bash", str(ROOT / "deploy" / "kafka" / "kafka.sh")]
    groups = run([*kafka_sh, "consumer-groups", "--list"], env)
    assert groups.returncode == 0, groups.stderr
    described = run(
        [*kafka_sh, "configs", "--describe", "--entity-type", "topics", "--entity-name", "liandong.police.dlt"], env
    )
    assert described.returncode == 0, described.stderr
    assert "retention.ms=7776000000" in described.stdout, "the dead letters' 90 days"


def test_provisioning_sizes_replication_to_the_cluster_and_fails_at_once_on_a_wrong_password(
    kafka: KafkaConnection,
) -> None:
    if not kafka.authenticated:
        pytest.skip("a PLAINTEXT broker checks no password")
    env = {"LIANDONG_KAFKA_BOOTSTRAP": kafka.bootstrap, "LIANDONG_KAFKA_ADMIN_PASSWORD": kafka.password}
    provisioned = run([sys.executable, "-m", "liandong", "kafka", "provision"], env)
    assert provisioned.returncode == 0, provisioned.stderr
    assert "replication factor 1" in provisioned.stdout, "one broker here: a factor the cluster can hold"
    began = time.monotonic()
    refused = run(
        [sys.executable, "-m", "liandong", "kafka", "provision"], {**env, "LIANDONG_KAFKA_ADMIN_PASSWORD": "no"}
    )
    assert refused.returncode == 1
    assert time.monotonic() - began < 30, "no minute of retries for a wrong password"
    assert "Traceback" not in refused.stderr
    assert [line for line in refused.stderr.splitlines() if line.startswith("error:")], refused.stderr
