"""The runbook's commands run as written (docs/operations.md), on a service database and the test broker: the schema's
status, accounts, the outbox, the audit chain, dead letters (the filter after the action, as written), provisioning,
and Kafka's own admin tools through deploy/kafka/kafka.sh."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from liandong.messaging.kafka import KafkaConnection, development_password

pytestmark = [pytest.mark.kafka]
ROOT = Path(__file__).resolve().parents[2]
AGENCIES = ("court", "police", "procuratorate")


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


# every command the runbook and the README write, taken from their text; placeholders filled with this stack's
# values; what would harm the shared test broker is made harmless (said beside each substitution)
COMMAND = re.compile(r"`((?:deploy/kafka/kafka\.sh|python -m liandong) [^`]*)`", re.S)
FILLED = (
    ("dlq … list", "dlq --service police list"),
    ("--service …", "--service police"),
    ("--event-type …", "--event-type court.referral.submitted"),
    ("--note …", "--note runbook"),
    ("--username …", "--username tongcheng.investigator"),
    ("replay …", "replay --event-type court.referral.submitted --note runbook"),
    ("liandong.<agency>", "liandong.police"),
    ("--execute", "--dry-run"),  # the offsets of the shared broker's groups are left where they are
    ("--entity-name police", "--entity-name runbook-check"),  # a principal of its own, not the police's password
    ("[password=…]", "[password=runbook-check-password]"),
)


def runbook_commands() -> list[str]:
    found: list[str] = []
    for document in (ROOT / "docs" / "operations.md", ROOT / "README.md"):
        for raw in COMMAND.findall(document.read_text()):
            command = " ".join(raw.split())
            if "|" in command or " ID" in command or "[IDS]" in command:
                continue  # a synopsis of several forms, not a command
            for placeholder, value in FILLED:
                command = command.replace(placeholder, value)
            if command not in found:
                found.append(command)
    return found


def test_every_command_the_runbook_writes_runs(kafka: KafkaConnection, tmp_path: Path) -> None:
    commands = runbook_commands()
    assert len(commands) >= 8, commands
    assert not [c for c in commands if "…" in c], "every placeholder filled"
    env = {
        **{f"{a.upper()}_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / f'{a}.db'}" for a in AGENCIES},
        **{f"{a.upper()}_KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap for a in AGENCIES},
        **{f"{a.upper()}_KAFKA_SECURITY_PROTOCOL": kafka.security_protocol for a in AGENCIES},
        **{f"{a.upper()}_KAFKA_PASSWORD": development_password(a) for a in AGENCIES if kafka.authenticated},
        "LIANDONG_KAFKA_BOOTSTRAP": kafka.bootstrap,
        "LIANDONG_KAFKA_ADMIN_PASSWORD": kafka.password,
        "KAFKA_BOOTSTRAP": kafka.bootstrap,
        "KAFKA_ADMIN_PASSWORD": kafka.password,
    }
    for agency in AGENCIES:  # the services' databases, as a running stack has them
        assert (
            run([sys.executable, "-m", "liandong", "migrations", "--service", agency, "upgrade"], env).returncode == 0
        )
    for command in commands:
        if command.startswith("deploy/kafka/kafka.sh") and not kafka.authenticated:
            continue  # the admin tools sign in with SASL
        argv = shlex.split(command)
        argv = [sys.executable, *argv[1:]] if argv[0] == "python" else ["bash", str(ROOT / argv[0]), *argv[1:]]
        done = run(argv, env, cwd=tmp_path)  # what a command writes (a backup) stays out of the checkout
        said = done.stdout + done.stderr
        assert "Traceback" not in said, f"{command}: {said}"
        assert "unrecognized arguments" not in said, f"{command}: {said}"
        assert "invalid choice" not in said, f"{command}: {said}"
        # a command either does its work, or refuses in one line (nothing to replay, no such account): exit 0 or 2
        assert done.returncode in (0, 2), f"{command} exited {done.returncode}: {said}"
        if done.returncode == 2:
            assert [line for line in done.stderr.splitlines() if line.startswith("error:")], f"{command}: {said}"
