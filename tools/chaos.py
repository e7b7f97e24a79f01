"""`make chaos`: drive N matters through every path the system knows, over HTTP, on PostgreSQL and a real broker,
with two police replicas, while a controller SIGKILLs each service and the broker at random moments, SIGSTOPs
one for a while and stops the PostgreSQL server (one of its own) and starts it again; then move the clocks so every
window's stages fall due (still under faults), stop the faults, let the system settle, and check from each service's
own database and the broker:

- every event a service published on a topic another service consumes is in that consumer's inbox (applied once:
  the inbox key admits one) — every referral at the police, every receipt and decision at the court, every window
  and every breach at the agencies concerned;
- the court and the police agree on every referral: the same referrals, each receipt and decision as the police
  recorded it;
- every deadline stage that has fallen due has fired, and each fired exactly once (one event per stage row);
- no outbox row is left unpublished; no dead letter on any consumer group's dead-letter topic;
- each service's audit chain is intact (every act chained once, whatever was killed mid-transaction), and every
  record's row is the one the last act that wrote it left (`audit verify --rows`).

It prints what it did and the counts, writes them to `chaos-results/`, and exits 1 on any violation, 2 on bad input
or a missing prerequisite, 3 when the run exceeded its time bound (a broker that never comes back). Seeded: the same
seed draws the same matters, paths and faults (when they land depends on the machine).

    python -m tools.chaos --matters 200 [--seed 7] [--deadline 1800]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select, text

from liandong import audit
from liandong.contracts import topics
from liandong.devstack import ServiceProcess, service_env
from liandong.messaging.dlq import read_dead_letters
from liandong.messaging.kafka import KafkaConnection
from liandong.persistence.engine import create_engine, session_factory
from liandong.runtime import ServiceSpec, consumed_handlers
from tools.client import CLOCK_ADMIN, PASSWORD, Services, instant, until
from tools.dataset import EVERY_PATH, Generator

AGENCIES = ("court", "police", "procuratorate")
REPLICAS = {"court": 1, "police": 2, "procuratorate": 1}
CLOCK_STEPS = 4  # each move of the clocks toward the last running window's end, in steps: stages fire under faults
CLOCK_ROUNDS = 8  # moves at most: a window started by an event still travelling is run out by the next one
CITY_READERS = {"court": "city.admin", "police": "city.supervisor", "procuratorate": "city.supervisor"}


class ChaosTimeout(RuntimeError):
    """The run went past its time bound."""


class ResponseLost(RuntimeError):
    """The service applied the request, then died before recording its answer (the Idempotency-Key answers 'in
    progress', then `idempotency_response_lost`): the driver stops following that matter; the checks still cover
    it."""


# -- the fleet ---------------------------------------------------------------------------------------------------
@dataclass
class Fleet:
    broker: Any  # tests.support.infra.LocalBroker, or LocalCluster (--brokers 3)
    processes: dict[str, ServiceProcess]
    offset_seconds: float = 0.0  # how far the clocks were moved: a replica restarted now starts there

    def agency(self, name: str) -> str:
        return name.split("-")[0]

    def urls(self, agency: str) -> list[str]:
        return [p.url for n, p in self.processes.items() if self.agency(n) == agency]

    def restart(self, name: str) -> None:
        process = self.processes[name]
        prefix = self.agency(name).upper()
        process.env[f"{prefix}_TESTING_CLOCK_OFFSET_SECONDS"] = str(self.offset_seconds)
        process.start()

    def alive(self, name: str) -> bool:
        process = self.processes[name].process
        return process is not None and process.poll() is None


def chaos_env(
    agency: str, kafka: KafkaConnection, database_url: str, court_url: str, suffix: str, offset_seconds: float
) -> dict[str, str]:
    extra = {
        "environment": "test",
        "sla_tick_seconds": "1",
        "relay_backoff_max_seconds": "2",
        "consumer_stall_seconds": "20",
        "kafka_client_id_suffix": suffix,
        "kafka_group_instance_id": f"liandong-{agency}{suffix}",
        "testing_clock_offset_seconds": str(offset_seconds),
        "testing_clock_control": "true",
    }
    if agency == "police":
        extra["court_url"] = court_url
    return service_env(agency, kafka=kafka, database_url=database_url, **extra)


# -- the driver's client: through crashes ------------------------------------------------------------------------
@dataclass
class ChaosServices(Services):
    """Every exchange retried through connection errors and restarts, each POST under one Idempotency-Key so a
    retry never applies an act twice; the police's replicas taken in turn."""

    replicas: dict[str, list[str]] = field(default_factory=dict)
    deadline: float = float("inf")
    in_progress_patience: float = 30.0
    _turn: int = 0

    def url(self, service: str) -> str:
        choices = self.replicas.get(service)
        if not choices:
            return super().url(service)
        self._turn += 1
        return choices[self._turn % len(choices)]

    def send(self, method: str, service: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if method == "POST" and path not in ("/auth/token", "/testing/clock"):
            headers["Idempotency-Key"] = str(uuid.uuid4())
        in_progress_since: float | None = None
        while True:
            if time.monotonic() > self.deadline:
                raise ChaosTimeout(f"{method} {service}{path}: the run's time bound passed")
            try:
                response = self.http.request(method, f"{self.url(service)}{path}", headers=headers, **kwargs)
            except httpx.TransportError:
                time.sleep(0.3)
                continue
            if response.status_code in (502, 503, 504):
                time.sleep(0.3)
                continue
            if response.status_code == 409 and _code(response) == "idempotency_request_in_progress":
                in_progress_since = in_progress_since or time.monotonic()
                if time.monotonic() - in_progress_since > self.in_progress_patience:
                    raise ResponseLost(f"{method} {service}{path}: applied, its answer lost in a crash")
                time.sleep(0.5)
                continue
            if response.status_code == 409 and _code(response) == "idempotency_response_lost":
                raise ResponseLost(f"{method} {service}{path}: applied, its answer lost in a crash ({response.text})")
            return response

    def clocks_to_offset(self, offset_seconds: float) -> None:
        """Every replica's clock to `offset_seconds` ahead of real time (idempotent: a restarted replica that
        already starts there is not moved twice)."""
        for urls in self.all_urls():
            for url in urls:
                while True:
                    if time.monotonic() > self.deadline:
                        raise ChaosTimeout("moving the clocks: the run's time bound passed")
                    try:
                        login = {"username": CLOCK_ADMIN, "password": PASSWORD}
                        token = self.http.post(f"{url}/auth/token", data=login).raise_for_status().json()
                        admin = {"Authorization": f"Bearer {token['access_token']}"}
                        current = self.http.get(f"{url}/testing/clock", headers=admin).json()["offset_seconds"]
                        if current < offset_seconds:
                            move = {"advance_seconds": offset_seconds - current}
                            self.http.post(f"{url}/testing/clock", json=move, headers=admin).raise_for_status()
                        break
                    except (httpx.HTTPError, KeyError, ValueError):
                        time.sleep(0.3)
        self.forget_logins()

    def all_urls(self) -> list[list[str]]:
        return [self.replicas.get(a) or [Services.url(self, a)] for a in AGENCIES]


def _code(response: httpx.Response) -> str | None:
    try:
        return str(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return None


# -- the faults --------------------------------------------------------------------------------------------------
class Faults(threading.Thread):
    """SIGKILL a service replica or the broker at random moments (exponential gaps), restart it after a short
    while; once in the run, SIGSTOP a replica for `stop_seconds`; when the run owns its PostgreSQL server, stop it
    (fast shutdown: every connection cut) and start it again, at least once. Every fault is logged."""

    def __init__(
        self, fleet: Fleet, rng: random.Random, every: float, stop_seconds: float, database: Any = None
    ) -> None:
        super().__init__(name="chaos-faults", daemon=True)
        self.fleet, self.rng, self.every, self.stop_seconds = fleet, rng, every, stop_seconds
        self.database = database  # tests.support.infra.LocalPostgres, or None: a server the run does not own
        self.done = threading.Event()
        self.log: list[dict[str, Any]] = []
        self.error: BaseException | None = None
        self.began = time.monotonic()
        self.cluster = hasattr(fleet.broker, "nodes")  # several brokers: a node at a time, and leaders move
        self.leader_changes = 0

    def note(self, action: str, target: str, **detail: Any) -> None:
        self.log.append({"at": round(time.monotonic() - self.began, 1), "action": action, "target": target, **detail})
        print(f"  chaos: {action} {target}", flush=True)

    def run(self) -> None:
        targets = [*self.fleet.processes, "broker", *(["database"] if self.database is not None else [])]
        stopped_once = False
        try:
            while not self.done.wait(self.rng.expovariate(1 / self.every)):
                target = self.rng.choice(targets)
                if self.cluster and not self.brokers_hit():
                    target = "broker"  # a cluster run kills a leader first, and pauses a broker next
                if target == "broker" and self.cluster:
                    self.broker_fault()
                elif target not in ("broker", "database") and not stopped_once and len(self.log) >= 2:
                    stopped_once = True
                    self.pause(target)
                elif target == "broker":
                    self.kill_broker()
                elif target == "database":
                    self.stop_database()
                else:
                    self.kill(target)
            if self.database is not None and not self.database_stopped:  # at least once in every run
                self.stop_database(outage=threading.Event())
        except BaseException as exc:  # reported by the run; the thread never dies silently
            self.error = exc
        finally:
            if self.database is not None and not self.database.running():
                self.database.start()  # the checks read the databases

    @property
    def database_stopped(self) -> bool:
        return any(f["target"] == "database" for f in self.log)

    def stop_database(self, outage: threading.Event | None = None) -> None:
        """Fast shutdown (every connection cut), 2–8 s away, then start again; `outage` times the stop when the run's
        own event is already set."""
        self.database.stop()
        self.note("stop", "database")
        (outage or self.done).wait(self.rng.uniform(2.0, 8.0))
        self.database.start()
        self.note("start", "database")

    def kill(self, name: str) -> None:
        if not self.fleet.alive(name):
            return
        self.fleet.processes[name].kill()
        self.note("SIGKILL", name)
        self.done.wait(self.rng.uniform(0.5, 3.0))
        self.fleet.restart(name)
        self.note("restart", name)

    def kill_broker(self) -> None:
        self.fleet.broker.kill()
        self.note("SIGKILL", "broker")
        self.done.wait(self.rng.uniform(1.0, 4.0))
        self.fleet.broker.start()
        self.note("restart", "broker")

    # -- a cluster's brokers: the leader of a partition in use killed, one paused past its session, leaders counted
    PAUSE_SECONDS = 12.0  # beyond the brokers' session timeout (broker.session.timeout.ms, 9 s): it is fenced
    # the first killed leader stays down until its partitions have moved: the controller fences it only after the
    # session timeout, counted afresh when the killed node was the active controller and another one takes over
    LEADER_MOVE_WITHIN = 60.0

    def brokers_hit(self) -> bool:
        """Whether a broker was both killed and paused already."""
        actions = {f["action"] for f in self.log if f["target"].startswith("broker")}
        return {"SIGKILL", "SIGSTOP"} <= actions

    def broker_fault(self) -> None:
        broker = self.fleet.broker
        in_use = [topics.COURT_REFERRALS, topics.POLICE_REFERRALS]
        before = broker.leaders(in_use)
        killed = any(f["action"] == "SIGKILL" and f["target"].startswith("broker") for f in self.log)
        paused = any(f["action"] == "SIGSTOP" and f["target"].startswith("broker") for f in self.log)
        leading = sorted({n for n in before.values() if n in broker.nodes})
        if not killed:  # the leader of a partition the referrals travel on
            node = before.get((topics.COURT_REFERRALS, 0), -1)
            node = node if node in broker.nodes else self.rng.choice(broker.nodes)
        elif not paused and leading:  # a node whose partitions must move while it is paused
            node = self.rng.choice(leading)
        else:
            node = self.rng.choice(broker.nodes)
        if killed and not paused:
            pid = broker.pid(node)
            if pid is None:
                return
            os.kill(pid, signal.SIGSTOP)
            self.note("SIGSTOP", f"broker-{node}", seconds=self.PAUSE_SECONDS)
            self.done.wait(self.PAUSE_SECONDS)
            self.count_leader_changes(before, in_use)
            os.kill(pid, signal.SIGCONT)
            self.note("SIGCONT", f"broker-{node}")
            return
        broker.kill(node)
        self.note("SIGKILL", f"broker-{node}", leader_of=[f"{t}[{p}]" for (t, p), n in before.items() if n == node])
        # the first kill lasts until the leaders have moved; later kills are shorter, and may come back before
        # anything moved
        if killed:
            self.done.wait(self.rng.uniform(2.0, 5.0))
        self.count_leader_changes(before, in_use, until_moved=0.0 if killed else self.LEADER_MOVE_WITHIN)
        broker.start_node(node)
        self.note("restart", f"broker-{node}")

    def count_leader_changes(
        self, before: dict[tuple[str, int], int], in_use: list[str], until_moved: float = 0.0
    ) -> None:
        """Add the partitions whose leader differs from `before`; with `until_moved`, poll (once a second, within
        that many seconds) until one has."""
        moved = 0

        def leaders_moved() -> bool:
            nonlocal moved
            try:
                after = self.fleet.broker.leaders(in_use)
            except Exception as exc:  # the count is a report, not a check
                self.note("leaders unknown", "broker", error=repr(exc))
                return False
            moved = sum(1 for key, node in after.items() if before.get(key) != node)
            return moved > 0

        with contextlib.suppress(TimeoutError):  # nothing moved in time: the count says so
            until(leaders_moved, "the partitions' leaders to move", timeout=until_moved, interval=1.0)
        self.leader_changes += moved

    def pause(self, name: str) -> None:
        process = self.fleet.processes[name].process
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGSTOP)
        self.note("SIGSTOP", name, seconds=self.stop_seconds)
        self.done.wait(self.stop_seconds)
        os.kill(process.pid, signal.SIGCONT)
        self.note("SIGCONT", name)


# -- the checks --------------------------------------------------------------------------------------------------
def specs() -> dict[str, ServiceSpec]:
    from liandong_court.bootstrap import spec as court
    from liandong_police.bootstrap import spec as police
    from liandong_procuratorate.bootstrap import spec as procuratorate

    return {"court": court(), "police": police(), "procuratorate": procuratorate()}


async def check(databases: dict[str, str], kafka: KafkaConnection, clocks: dict[str, datetime]) -> dict[str, Any]:
    """What the run must leave behind, read from each service's own database and the broker."""
    all_specs = specs()
    engines = {a: create_engine(url, pool_size=2) for a, url in databases.items()}
    counts: dict[str, Any] = {}
    violations: list[str] = []
    try:
        outbox: dict[str, dict[str, str]] = {}  # agency → event id → event type
        inbox: dict[str, set[str]] = {}
        for agency, engine in engines.items():
            tables = all_specs[agency].tables
            async with engine.connect() as db:
                rows = await db.execute(select(tables.outbox.c.event_id, tables.outbox.c.event_type))
                outbox[agency] = {event_id: event_type for event_id, event_type in rows}
                unpublished = await db.scalar(
                    select(func.count()).where(tables.outbox.c.published_at.is_(None)).select_from(tables.outbox)
                )
                group = topics.consumer_group(agency)
                inbox[agency] = set(
                    (await db.scalars(select(tables.inbox.c.event_id).where(tables.inbox.c.consumer == group))).all()
                )
                stages = await _stages(db, tables, clocks[agency])
            counts[agency] = {
                "events_published": len(outbox[agency]),
                "events_applied": len(inbox[agency]),
                "unpublished_outbox_rows": unpublished,
                **stages["counts"],
            }
            if unpublished:
                violations.append(f"{agency}: {unpublished} outbox rows never published")
            async with session_factory(engine)() as session:
                chain = await audit.verify(session, tables)
                records = await audit.verify_rows(session, tables, all_specs[agency].metadata)
            counts[agency]["audit_entries"] = chain.entries
            counts[agency]["records_checked"] = records.checked
            if not chain.intact:
                violations.append(f"{agency}: audit chain broken at entry {chain.broken_at}: {chain.reason}")
            violations += [
                f"{agency}: {d.subject_type} {d.subject_id} does not match entry {d.seq}: {d.reason}"
                for d in records.differences
            ]
            violations += [f"{agency}: {v}" for v in stages["violations"]]

        for consumer in AGENCIES:
            handled = consumed_handlers(all_specs[consumer])
            for producer in AGENCIES:
                if producer == consumer:
                    continue
                owed = {e for e, kind in outbox[producer].items() if handled.handles(kind)}
                missing = owed - inbox[consumer]
                counts[consumer][f"owed_by_{producer}"] = len(owed)
                if missing:
                    kinds = sorted({outbox[producer][e] for e in missing})
                    violations.append(f"{consumer}: {len(missing)} events of the {producer} never applied ({kinds})")

        violations += await _referrals_agree(engines, counts)

        for agency in AGENCIES:
            letters = await read_dead_letters(kafka, topics.consumer_group(agency))
            counts[agency]["dead_letters"] = len(letters)
            if letters:
                reasons = sorted({letter.reason for letter in letters})
                violations.append(f"{agency}: {len(letters)} dead letters ({reasons})")
    finally:
        for engine in engines.values():
            await engine.dispose()
    return {"counts": counts, "violations": violations}


async def _stages(db: Any, tables: Any, now: datetime) -> dict[str, Any]:
    deadlines, stages, outbox = tables.deadlines, tables.deadline_stages, tables.outbox
    overdue = await db.scalar(
        select(func.count())
        .select_from(deadlines)
        .where(deadlines.c.state == "running", deadlines.c.next_fire_at <= now)
    )
    fired = {row.event_id: (row.deadline_id, row.stage) for row in await db.execute(select(stages))}
    stage_events = {
        event_id
        for event_id, kind in await db.execute(select(outbox.c.event_id, outbox.c.event_type))
        if kind.endswith((".deadline.approaching", ".deadline.breached"))
    }
    violations = []
    if overdue:
        violations.append(f"{overdue} windows with a stage due and not fired")
    if stage_events != set(fired):
        violations.append(
            f"stage events and fired stages differ: {len(stage_events - set(fired))} events without a stage, "
            f"{len(set(fired) - stage_events)} stages without their event"
        )
    windows = await db.scalar(select(func.count()).select_from(deadlines))
    breached = await db.scalar(select(func.count()).select_from(deadlines).where(deadlines.c.breached_at.is_not(None)))
    return {
        "counts": {"windows": windows, "stages_fired": len(fired), "windows_breached": breached},
        "violations": violations,
    }


async def _referrals_agree(engines: dict[str, Any], counts: dict[str, Any]) -> list[str]:
    """The court's and the police's record of every referral: the same ones, each receipt and decision alike."""
    query = text("SELECT id, receipt_number, status FROM referrals")
    async with engines["court"].connect() as db:
        court = {r.id: r for r in await db.execute(query)}
    async with engines["police"].connect() as db:
        police = {r.id: r for r in await db.execute(query)}
    counts["court"]["referrals"], counts["police"]["referrals"] = len(court), len(police)
    violations = []
    if set(court) != set(police):
        violations.append(f"referrals differ: {len(set(court) - set(police))} never at the police")
    for referral_id in sorted(set(court) & set(police)):
        at_court, at_police = court[referral_id], police[referral_id]
        if at_police.receipt_number != at_court.receipt_number:
            violations.append(f"referral {referral_id}: receipt {at_court.receipt_number!r} at the court")
        if at_police.status in ("filed", "declined") and at_court.status != at_police.status:
            violations.append(f"referral {referral_id}: {at_police.status} at the police, {at_court.status} at court")
    return violations


# -- the run -----------------------------------------------------------------------------------------------------
@dataclass
class Settings:
    matters: int
    seed: int
    every: float
    stop_seconds: float
    deadline: float
    out: Path
    start_at: datetime | None = None  # where the clocks start (default: now)
    database_faults: bool = True  # run a PostgreSQL server of its own and stop it among the faults
    brokers: int = 1  # 3: a KRaft cluster of three nodes, one of which is killed and one paused among the faults


def latest_running_due(services: Services) -> datetime | None:
    """The latest due_at of the windows still running at any agency (the lists are ordered by due_at)."""
    latest: datetime | None = None
    for agency, reader in CITY_READERS.items():
        total = services.get(agency, "/deadlines", reader, state="running", limit=1)["total"]
        if total:
            items = services.get(agency, "/deadlines", reader, state="running", limit=1, offset=total - 1)["items"]
            for window in items:
                due = datetime.fromisoformat(window["due_at"])
                latest = due if latest is None or due > latest else latest
    return latest


def run_out_every_window(services: ChaosServices, fleet: Fleet) -> None:
    """Move the clocks, in steps, past the end of every window still running — by the windows' own due_at, never a
    count of days (weekends and holidays lengthen them) — until none runs or the rounds are spent."""
    for _ in range(CLOCK_ROUNDS):
        latest = latest_running_due(services)
        if latest is None:
            return
        ahead = (latest - datetime.fromisoformat(services.now())).total_seconds() + 60
        if ahead <= 0:  # run out already; its breach is on its way
            time.sleep(1)
            continue
        base = fleet.offset_seconds
        for step in range(1, CLOCK_STEPS + 1):
            fleet.offset_seconds = base + ahead * step / CLOCK_STEPS
            services.clocks_to_offset(fleet.offset_seconds)
            time.sleep(1)


def settle(services: ChaosServices, fleet: Fleet, deadline: float) -> None:
    """Faults over: every replica up and ready, every outbox empty, every consumer caught up — twice in a row."""
    for name, process in fleet.processes.items():
        if not fleet.alive(name):
            fleet.restart(name)
        process.wait_ready(max(5.0, deadline - time.monotonic()))
    calm = 0
    while calm < 2:
        if time.monotonic() > deadline:
            raise ChaosTimeout("the system did not settle within the run's time bound")
        quiet = True
        for process in fleet.processes.values():
            try:
                health = httpx.get(f"{process.url}/healthz", timeout=5).json()
            except (httpx.HTTPError, ValueError):
                quiet = False
                continue
            consumers = health.get("consumers", {}).values()
            quiet &= health["outbox"]["pending"] == 0 and all((c.get("lag") or 0) == 0 for c in consumers)
        calm = calm + 1 if quiet else 0
        time.sleep(1.0)


def run(settings: Settings, admin_url: str, work: Path, logs: Path) -> dict[str, Any]:
    from tests.bench.infra import databases
    from tests.support.infra import LocalBroker, LocalCluster, LocalPostgres
    from tests.support.ports import free_ports

    began = time.monotonic()
    deadline = began + settings.deadline
    rng = random.Random(settings.seed)
    broker = LocalCluster(work / "kafka", settings.brokers) if settings.brokers > 1 else LocalBroker(work / "kafka")
    with ExitStack() as stack:
        postgres = None
        if settings.database_faults:  # a server of the run's own, which it may stop
            postgres = LocalPostgres()
            postgres.init()
            postgres.start()
            stack.callback(postgres.remove)
            admin_url = postgres.admin_url
        urls = dict(zip(AGENCIES, stack.enter_context(databases(admin_url, 3)), strict=True))
        broker.start()
        stack.callback(broker.stop)
        ports = iter(free_ports(sum(REPLICAS.values())))
        processes: dict[str, ServiceProcess] = {}
        court_url = ""
        # the clocks start at --start-at as an offset from real time: a replica restarted later starts where its
        # peers' clocks are, not back at the start
        offset = (settings.start_at - datetime.now(UTC)).total_seconds() if settings.start_at else 0.0
        for agency in AGENCIES:
            for i in range(REPLICAS[agency]):
                name = agency if REPLICAS[agency] == 1 else f"{agency}-{i + 1}"
                port = next(ports)
                court_url = court_url or f"http://127.0.0.1:{port}"
                env = chaos_env(agency, broker.admin, urls[agency], court_url, f"-{i + 1}", offset)
                processes[name] = ServiceProcess(agency, port, env, log_path=logs / f"{name}.log")
        fleet = Fleet(broker, processes, offset)
        for process in processes.values():
            process.start()
            stack.callback(_stop_quietly, process)
        for process in processes.values():
            process.wait_ready(120)

        services = ChaosServices(
            court=fleet.urls("court")[0],
            police=fleet.urls("police")[0],
            procuratorate=fleet.urls("procuratorate")[0],
            replicas={"police": fleet.urls("police")},
            deadline=deadline,
            http=httpx.Client(timeout=10),
        )
        faults = Faults(fleet, random.Random(rng.random()), settings.every, settings.stop_seconds, postgres)
        print(f"chaos: {settings.matters} matters, seed {settings.seed}; faults every ~{settings.every}s", flush=True)
        faults.start()
        try:
            generator = Generator(
                services,
                seed=settings.seed,
                size=settings.matters,
                shape=dict(EVERY_PATH),
                patience=180.0,
                abandon_on=(ResponseLost, TimeoutError),
            )
            log = generator.run()
            print("chaos: matters driven; moving the clocks", flush=True)
            run_out_every_window(services, fleet)
        finally:
            faults.done.set()
            faults.join(60)
        if faults.error is not None:
            raise faults.error
        print("chaos: faults over; settling", flush=True)
        settle(services, fleet, deadline)
        clocks = {a: datetime.fromisoformat(services.clock(a)["now"]) for a in AGENCIES}
        result = asyncio.run(check(urls, broker.admin, clocks))
    abandoned = [e for e in log if e["act"] == "abandoned"]
    paths: dict[str, int] = {}
    for entry in log:
        if entry["act"] == "lead_created":
            paths[entry["path"]] = paths.get(entry["path"], 0) + 1
    return {
        "seed": settings.seed,
        "matters": settings.matters,
        "paths": paths,
        "abandoned_by_the_driver": [{k: e[k] for k in ("lead_id", "path", "reason")} for e in abandoned],
        "faults": faults.log,
        "brokers": settings.brokers,
        "leader_changes": faults.leader_changes,
        "seconds": round(time.monotonic() - began),
        **result,
    }


def _stop_quietly(process: ServiceProcess) -> None:
    try:
        if process.process is not None and process.process.poll() is None:
            os.kill(process.process.pid, signal.SIGCONT)
        process.stop()
    except (OSError, RuntimeError):
        process.kill()


@contextmanager
def _admin() -> Iterator[str]:
    from tests.bench.infra import postgres_admin

    given = os.environ.get("LIANDONG_CHAOS_DATABASE_URL") or os.environ.get("LIANDONG_TEST_DATABASE_URL")
    if given:
        yield given
        return
    with postgres_admin() as admin:
        yield admin


def parse(argv: list[str] | None) -> Settings:
    parser = argparse.ArgumentParser(prog="python -m tools.chaos", description=__doc__.split("\n\n")[0])
    parser.add_argument("--matters", type=int, default=200, help="matters to drive (1..5000)")
    parser.add_argument("--seed", type=int, default=None, help="the run's seed (printed; random when not given)")
    parser.add_argument("--faults-every", type=float, default=15.0, help="mean seconds between faults (1..600)")
    parser.add_argument("--stop-seconds", type=float, default=8.0, help="how long the SIGSTOP lasts (1..120)")
    parser.add_argument("--deadline", type=float, default=None, help="the run's time bound in seconds")
    parser.add_argument("--out", default="chaos-results")
    parser.add_argument(
        "--start-at", type=instant, default=None, help="where the clocks start (ISO instant with its offset)"
    )
    parser.add_argument(
        "--database-faults",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run a PostgreSQL server of its own and stop it among the faults (default: when the server's binaries "
        "are installed; otherwise the given database, never stopped)",
    )
    parser.add_argument(
        "--brokers",
        type=int,
        choices=[1, 3],
        default=1,
        help="1 broker, or a KRaft cluster of 3 (a node killed, one paused)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.matters <= 5000:
        parser.error(f"--matters must be 1..5000, not {args.matters}")
    if not 1 <= args.faults_every <= 600 or not 1 <= args.stop_seconds <= 120:
        parser.error("--faults-every must be 1..600 and --stop-seconds 1..120")
    deadline = args.deadline if args.deadline is not None else 600 + 6 * args.matters
    if not 60 <= deadline <= 24 * 3600:
        parser.error("--deadline must be 60..86400 seconds")
    seed = args.seed if args.seed is not None else random.randrange(1, 10**6)
    from tests.support.infra import postgres_binaries

    database_faults = args.database_faults if args.database_faults is not None else postgres_binaries() is not None
    if database_faults and postgres_binaries() is None:
        parser.error("--database-faults needs PostgreSQL's server binaries (Debian: postgresql)")
    return Settings(
        args.matters,
        seed,
        args.faults_every,
        args.stop_seconds,
        deadline,
        Path(args.out),
        args.start_at,
        database_faults,
        args.brokers,
    )


def main(argv: list[str] | None = None) -> int:
    settings = parse(argv)
    from tests.support.infra import can_run_local_broker

    if not can_run_local_broker():
        print("chaos needs Java 17 and Maven (or a cached Kafka) to run a broker it can kill", file=sys.stderr)
        return 2
    print(f"chaos: seed {settings.seed} (rerun with --seed {settings.seed})", flush=True)
    try:
        logs = settings.out / f"logs-{settings.seed}"
        shutil.rmtree(logs, ignore_errors=True)
        logs.mkdir(parents=True)
        print(f"chaos: the services' logs in {logs}", flush=True)
        with _admin() as admin, tempfile.TemporaryDirectory(prefix="liandong-chaos-") as tmp:
            report = run(settings, admin, Path(tmp), logs)
    except ChaosTimeout as exc:
        print(f"chaos: {exc} ({settings.deadline:.0f}s); seed {settings.seed}", file=sys.stderr)
        return 3
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        print(f"chaos: the broker did not come back ({exc}); seed {settings.seed}", file=sys.stderr)
        return 3
    settings.out.mkdir(parents=True, exist_ok=True)
    out = settings.out / f"chaos-{settings.seed}-{settings.matters}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    print(json.dumps({k: report[k] for k in ("seed", "matters", "paths", "seconds", "counts")}, indent=2))
    faults = sum(1 for f in report["faults"] if f["action"] in ("SIGKILL", "SIGSTOP", "stop"))
    print(f"chaos: {faults} faults, {len(report['abandoned_by_the_driver'])} matters left by the driver")
    if report["brokers"] > 1:
        print(f"chaos: {report['leader_changes']} partition leader changes on the {report['brokers']} brokers")
    for violation in report["violations"]:
        print(f"VIOLATION {violation}", file=sys.stderr)
    print(f"chaos: {'FAILED' if report['violations'] else 'passed'}; report {out}; seed {settings.seed}")
    return 1 if report["violations"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
