"""The developer's stack: a local broker (unless one is given), the topics, and the three services.

`make run` calls `python -m liandong.devstack`. The e2e tests use `ServiceProcess` to run the services as real
uvicorn processes, kill them with SIGKILL and start them again.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from liandong.config import DEVELOPMENT_PORTS
from liandong.messaging.acls import provision
from liandong.messaging.kafka import KafkaConnection, admin_connection
from liandong.runtime import consumed_topics

REPO = Path(__file__).resolve().parents[2]
KAFKA_SCRIPT = REPO / "deploy" / "kafka" / "kafka.sh"
SERVICES = DEVELOPMENT_PORTS


@dataclass
class ServiceProcess:
    """One service as a real uvicorn process."""

    name: str
    port: int
    env: dict[str, str] = field(default_factory=dict)
    log_path: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                f"liandong_{self.name}.main:build",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-access-log",
                "--no-proxy-headers",  # X-Forwarded-* only from the service's TRUSTED_PROXIES
            ],
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log_path}")
            try:
                # ready to serve staff, and its consumers in their groups (so a first event is not waited for)
                response = httpx.get(f"{self.url}/readyz", timeout=5)
                health = httpx.get(f"{self.url}/healthz", timeout=5).json()
                consumers = health.get("consumers", {}).values()
                if (
                    response.status_code == 200
                    and health.get("topics_ready")
                    and all(c["running"] and c["assigned_partitions"] for c in consumers)
                ):
                    return
                last = f"{response.text} {health}"
            except httpx.HTTPError as exc:
                last = repr(exc)
            time.sleep(0.2)
        raise TimeoutError(f"{self.name} not ready after {timeout}s: {last}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks run, as in a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self, timeout: float = 20.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def service_env(name: str, *, kafka: KafkaConnection, database_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of one service on this broker (as its own principal, the development password unless
    <AGENCY>_KAFKA_PASSWORD is set) and database."""
    prefix = name.upper() + "_"
    env = {
        prefix + "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap,
        prefix + "KAFKA_SECURITY_PROTOCOL": kafka.security_protocol,
    }
    if database_url:
        env[prefix + "DATABASE_URL"] = database_url
    env.update({prefix + k.upper(): v for k, v in extra.items()})
    return env


def clock_offset(start: str) -> float:
    """How far an ISO instant lies from the system's time now (negative in the past)."""
    instant = datetime.fromisoformat(start)
    if instant.tzinfo is None:
        raise SystemExit(f"--clock-start {start!r} has no offset: write e.g. 2026-09-30T17:00+08:00")
    return (instant - datetime.now(UTC)).total_seconds()


def kafka(command: str, **env: str) -> None:
    subprocess.run(["bash", str(KAFKA_SCRIPT), command], check=True, env={**os.environ, **env})


HOW_TO = """
Liandong is running — the staff consoles (工作台) in a browser, the API's documents beside them:
  court          {court}/console/    {court}/docs
  police         {police}/console/    {police}/docs
  procuratorate  {procuratorate}/console/    {procuratorate}/docs
  Kafka          {bootstrap} (SASL SCRAM-SHA-512: principals admin, court, police, procuratorate;
                 development passwords liandong-dev-kafka-<principal>)

Development accounts (password liandong-dev): court tongcheng.officer and tongcheng.judge, police
tongcheng.investigator, procuratorate city.supervisor (more in the README). Try a referral (needs curl and jq):

  login() {{ curl -s -X POST "$1/auth/token" -d username="$2" -d password=liandong-dev | jq -r .access_token; }}
  CT=$(login {court} tongcheng.officer); JT=$(login {court} tongcheng.judge)
  PT=$(login {police} tongcheng.investigator)
  LEAD=$(curl -s -X POST {court}/leads -H "Authorization: Bearer $CT" -H 'Content-Type: application/json' \\
    -d '{{"enforcement_case_number":"(2024)鄂1222执123号","amount_owed":"350000.00","summary":"有履行能力而拒不履行",
         "enforcement_basis":"(2023)鄂1222民初456号民事判决书","creditor":"洪某某",
         "suspects":[{{"name":"黎某某","kind":"person","role":"debtor"}}]}}' | jq -r .id)
  curl -s -X POST {court}/leads/$LEAD/assessment -H "Authorization: Bearer $JT" -H 'Content-Type: application/json' \\
    -d '{{"conclusion":"suspected","reasons":"微信流水显示有履行能力"}}' | jq '{{status, assessment}}'
  curl -s -X POST {court}/leads/$LEAD/notice -H "Authorization: Bearer $CT" -H 'Content-Type: application/json' \\
    -d "{{\\"served_at\\":\\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\\",\\"notice_number\\":\\"告知书-1\\"}}" \\
    | jq '{{status, notice_due_at}}'
  # the debtor has five days; a criminal judge may refer before they pass, with a written reason
  REF=$(curl -s -X POST {court}/leads/$LEAD/referral -H "Authorization: Bearer $JT" -H "Idempotency-Key: r-$LEAD" \\
    -H 'Content-Type: application/json' -d '{{"override_reason":"查明转移财产，恐继续转移","missing_evidence":
    {{"identity":"调取中","duty":"调取中","ability_to_perform":"调取中","refusal":"调取中",
    "aggravating":"调取中"}}}}' | jq -r .id)
  curl -s {police}/referrals -H "Authorization: Bearer $PT" | jq '.items[] | {{id, status, letter_number}}'
  curl -s -X POST {police}/referrals/$REF/registration -H "Authorization: Bearer $PT" | jq '{{status, receipt_number}}'
  curl -s {court}/referrals/$REF -H "Authorization: Bearer $CT" | jq '{{status, received_at, receipt_number}}'
  curl -s {court}/deadlines?subject_id=$REF -H "Authorization: Bearer $CT" | jq '.items[] | {{kind, state, due_at}}'

Press Ctrl-C to stop everything.
"""


def main() -> int:
    parser = argparse.ArgumentParser(description="Run the broker, the topics and the three services locally.")
    parser.add_argument("--ready-timeout", type=float, default=90.0)
    parser.add_argument(
        "--clock-start", default="", help="the instant the services' clocks start at (ISO, with its offset)"
    )
    parser.add_argument(
        "--clock-control",
        action="store_true",
        help="mount the administrators' clock control (GET/POST /testing/clock): the demo moves time with it",
    )
    args = parser.parse_args()
    # one offset from the system's time for the three, so that services started a moment apart show the same time
    clock = {"testing_clock_offset_seconds": str(clock_offset(args.clock_start))} if args.clock_start else {}
    if args.clock_control:
        clock["testing_clock_control"] = "true"

    own_broker = os.environ.get("LIANDONG_KAFKA_BOOTSTRAP") is None
    if own_broker:
        kafka("start")
    admin = admin_connection()  # LIANDONG_KAFKA_BOOTSTRAP, or the local broker on 127.0.0.1:9092
    (REPO / "var").mkdir(exist_ok=True)
    processes: list[ServiceProcess] = []
    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    code = 0
    try:
        done = asyncio.run(provision(admin, consumed_topics(), partitions=6, replication_factor=1, timeout=90))
        print(f"topics and ACLs ready ({len(done.topics_created)} topics, {len(done.acls_created)} ACLs created)")
        for name, port in SERVICES.items():
            env = service_env(name, kafka=admin, **clock)
            process = ServiceProcess(name, port, env, log_path=REPO / "var" / f"{name}.log")
            process.start()
            processes.append(process)
        for process in processes:
            process.wait_ready(args.ready_timeout)
        print(HOW_TO.format(bootstrap=admin.bootstrap, **{p.name: p.url for p in processes}), flush=True)
        print("logs: var/court.log var/police.log var/procuratorate.log", flush=True)
        while not stopping:
            for process in processes:
                if process.process is not None and process.process.poll() is not None:
                    print(f"{process.name} exited ({process.process.returncode}); see var/{process.name}.log")
                    stopping, code = True, 1
            time.sleep(0.5)
    except (TimeoutError, RuntimeError) as exc:
        print(f"could not start: {exc}", file=sys.stderr)
        code = 1
    finally:
        print("stopping services…", flush=True)
        for process in processes:
            process.stop()
        if own_broker:
            kafka("stop")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
