"""Benchmark of each service's HTTP API at fixed open-loop rates (`make bench-http`).

The three services run as they are deployed — one uvicorn process each (the image's command), on PostgreSQL and the
real broker — loaded with a generated city year (tools.dataset). Then, per service and rate (50, 100, 200, 400
requests a second by default), requests are sent on a fixed schedule whatever the answers do (open loop: a slow
answer does not slow the sender, so queueing shows in the figures), in a staff mix: 45% list, 45% detail, 10% an act
that writes (court: a new lead; police: an investigation-log entry on a case; procuratorate: a supervision case on
its own initiative). Latency counts from the moment a request was due, not from when it went out.

The driver is this process (asyncio, httpx). It is not the bottleneck when it sends on time: each rate reports how
late requests left (`send_lag_p99_ms`) and the driver's CPU use, so a run where the driver itself fell behind shows.
Finally the court alone runs on the embedded default (SQLite) to show where that stops.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import random
import resource
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from liandong.accounts import COUNTY_LOGINS
from liandong.devstack import ServiceProcess, service_env
from liandong.messaging.kafka import KafkaConnection
from liandong.units import COUNTIES
from tests.bench.driver import DriverError, RawClient
from tests.bench.infra import broker, databases, percentiles, postgres_admin
from tests.support.letters import PARTICULARS
from tests.support.ports import free_ports
from tools.client import Services, staff
from tools.dataset import SHAPE, Generator

RATES = (50, 100, 200, 300, 400)
TONGCHENG = "421222"
CITY = "421200"
GOAL_MS = 50.0  # p99 at GOAL_RATE on PostgreSQL
GOAL_RATE = 300
OPEN_CASES = 30


@dataclass(frozen=True)
class Request:
    kind: str  # list | detail | write
    method: str
    path: str
    body: dict[str, Any] | None = None
    user: str | None = None  # another account than the one the rate runs as


Mix = Callable[[random.Random], Request]


def lead_body(rng: random.Random, unit: str) -> dict[str, Any]:
    court = COUNTIES[unit].court_code
    return {
        "enforcement_case_number": f"(2026){court}执{rng.randrange(10**6)}号",
        "suspects": [{"name": "黎某某", "kind": "person", "role": "debtor"}],
        "amount_owed": "350000.00",
        "summary": "有履行能力而拒不履行",
        **PARTICULARS,
    }


def court_mix(unit: str, lead_ids: list[str]) -> Mix:
    def pick(rng: random.Random) -> Request:
        roll = rng.random()
        if roll < 0.45:
            return Request("list", "GET", "/leads?limit=20")
        if roll < 0.90:
            return Request("detail", "GET", f"/leads/{rng.choice(lead_ids)}")
        return Request("write", "POST", "/leads", lead_body(rng, unit))

    return pick


def police_mix(cases: dict[str, tuple[str, str]]) -> Mix:
    """`cases`: case id → its county and a time its investigation may record material at (its opening). The log
    entries are spread over every open case of the city, each read and written by its own county's investigator, so
    no case grows a log longer than real ones do."""
    case_ids = sorted(cases)

    def pick(rng: random.Random) -> Request:
        roll = rng.random()
        if roll < 0.45:
            return Request("list", "GET", "/cases?limit=20")
        case_id = rng.choice(case_ids)
        unit, opened_at = cases[case_id]
        if roll < 0.90:
            return Request("detail", "GET", f"/cases/{case_id}", user=staff(unit, "investigator"))
        entry = {"kind": "bank_records", "summary": "调取银行流水 3 份", "collected_at": opened_at}
        return Request("write", "POST", f"/cases/{case_id}/log", entry, user=staff(unit, "investigator"))

    return pick


def procuratorate_mix(matter_ids: list[str], supervision_ids: list[str]) -> Mix:
    def pick(rng: random.Random) -> Request:
        roll = rng.random()
        if roll < 0.45:
            return Request("list", "GET", "/supervision-cases?limit=20")
        if roll < 0.90:
            return Request("detail", "GET", f"/supervision-cases/{rng.choice(supervision_ids)}")
        body = {"reasons": "审查中发现应当立案而未立案的线索", "correlation_id": rng.choice(matter_ids)}
        return Request("write", "POST", "/supervision-cases", body)

    return pick


async def open_loop(
    url: str,
    headers: dict[str, str],
    mix: Mix,
    rate: float,
    seconds: float,
    seed: int,
    others: Callable[[str], dict[str, str]] | None = None,
) -> dict[str, Any]:
    """`others` gives the headers of a request made as another account (`Request.user`)."""
    rng = random.Random(seed)
    count = int(rate * seconds)
    latencies: dict[str, list[float]] = {"list": [], "detail": [], "write": []}
    lags: list[float] = []
    errors: dict[str, int] = {}
    clients: dict[str | None, RawClient] = {None: RawClient(url, headers)}

    def client_of(user: str | None) -> RawClient:
        if user not in clients:
            if others is None or user is None:
                raise ValueError(f"no headers for {user}")
            clients[user] = RawClient(url, others(user))
        return clients[user]

    async def one(request: Request, due: float) -> None:
        lags.append(time.monotonic() - due)
        try:
            client = client_of(request.user)
            status: int | str = await client.request(request.method, request.path, request.body)
        except (OSError, DriverError) as exc:
            status = type(exc).__name__
        latencies[request.kind].append(time.monotonic() - due)
        if not (isinstance(status, int) and status < 400):
            errors[str(status)] = errors.get(str(status), 0) + 1

    cpu0 = time.process_time()
    began = time.monotonic()
    tasks = []
    try:
        for i in range(count):
            due = began + i / rate
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            tasks.append(asyncio.create_task(one(mix(rng), due)))
        await asyncio.gather(*tasks)
    finally:
        for client in clients.values():
            await client.close()
    wall = time.monotonic() - began
    cpu = time.process_time() - cpu0
    every = [x for kind in latencies.values() for x in kind]
    return {
        "offered_per_second": rate,
        "served_per_second": round(len(every) / wall, 1),
        "requests": len(every),
        "errors": errors,
        "all": percentiles(every),
        **{kind: percentiles(values) for kind, values in latencies.items() if len(values) >= 2},
        "send_lag_p99_ms": percentiles(lags)["p99_ms"],
        "driver_cpu_share": round(cpu / wall, 2),
    }


@contextmanager
def stack(kafka: KafkaConnection, urls: dict[str, str], logs: Path) -> Iterator[dict[str, ServiceProcess]]:
    ports = free_ports(len(urls))
    processes = {
        name: ServiceProcess(
            name,
            port,
            service_env(name, kafka=kafka, database_url=url, environment="test", testing_clock_control="true"),
            log_path=logs / f"{name}.log",
        )
        for (name, url), port in zip(urls.items(), ports, strict=True)
    }
    try:
        for process in processes.values():
            process.start()
        for process in processes.values():
            process.wait_ready(120)
        yield processes
    finally:
        for process in processes.values():
            process.stop()


def items(services: Services, service: str, path: str, user: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = services.get(service, path, user, limit=200)["items"]
    return found


def shape_with_open_cases(size: int) -> dict[str, float]:
    """The article's year with `OPEN_CASES` of its matters still under investigation at the city's bureaus: the police
    mix writes a log entry on one of them at a time, so at 300 requests a second each case takes about one entry a
    second, and none grows a log longer than real ones do (the year's own share leaves a handful of open cases,
    which the writes would pile onto)."""
    return {**SHAPE, "investigating": max(SHAPE["investigating"], OPEN_CASES / size)}


def open_cases(services: Services) -> dict[str, tuple[str, str]]:
    """The city's cases still under investigation (they take log entries): case id → county, opening time."""
    found = {}
    for unit in COUNTY_LOGINS:
        if unit == CITY:
            continue
        investigator = staff(unit, "investigator")
        for case in items(services, "police", "/cases", investigator):
            entry = {"kind": "other", "summary": "立案后调查", "collected_at": case["opened_at"]}
            headers = services.login("police", investigator)
            if services.http.post(f"{services.police}/cases/{case['id']}/log", json=entry, headers=headers).is_success:
                found[case["id"]] = (unit, case["opened_at"])
    return found


async def measure(
    name: str,
    url: str,
    headers: dict[str, str],
    mix: Mix,
    rates: tuple[int, ...],
    seconds: float,
    others: Callable[[str], dict[str, str]] | None = None,
) -> dict[str, Any]:
    await open_loop(url, headers, mix, 50, 3, seed=0, others=others)  # warm-up (connections, caches), not recorded
    results = {}
    for rate in rates:
        results[str(rate)] = await open_loop(url, headers, mix, rate, seconds, seed=rate, others=others)
        print(f"{name} at {rate}/s: p99 {results[str(rate)]['all']['p99_ms']} ms", flush=True)
    return results


def run(
    admin: str,
    kafka: KafkaConnection,
    rates: tuple[int, ...],
    seconds: float,
    size: int,
    services_measured: tuple[str, ...] = ("court", "police", "procuratorate"),
    sqlite: bool = True,
) -> dict[str, Any]:
    results: dict[str, Any] = {"cores": os.cpu_count(), "workers_per_service": 1, "seconds_per_rate": seconds}
    with tempfile.TemporaryDirectory(prefix="liandong-bench-http-") as tmp, databases(admin, 3) as urls:
        names = ("court", "police", "procuratorate")
        with stack(kafka, dict(zip(names, urls, strict=True)), Path(tmp)) as processes:
            urls_of = {n: p.url for n, p in processes.items()}
            services = Services(
                court=urls_of["court"], police=urls_of["police"], procuratorate=urls_of["procuratorate"]
            )
            Generator(services, seed=7, size=size, shape=shape_with_open_cases(size)).run()
            writable = open_cases(services) if "police" in services_measured else {}
            units = [unit for unit, _ in writable.values()]
            if not units:  # the court alone: the county with the most leads
                leads_of = {u: len(items(services, "court", "/leads", staff(u, "officer"))) for u in COUNTY_LOGINS}
                units = [max((u for u in leads_of if u != CITY), key=leads_of.__getitem__)]
            unit = max(set(units), key=units.count)  # the county whose lists are longest
            officer, investigator, prosecutor = (staff(unit, r) for r in ("officer", "investigator", "prosecutor"))
            lead_ids = [x["id"] for x in items(services, "court", "/leads", officer)]
            matters = sorted({x["correlation_id"] for x in items(services, "procuratorate", "/matters", prosecutor)})
            for matter in matters[:5]:  # detail needs supervision cases to exist
                body = {"reasons": "审查", "correlation_id": matter}
                services.post("procuratorate", "/supervision-cases", prosecutor, body)
            supervision_ids = [x["id"] for x in items(services, "procuratorate", "/supervision-cases", prosecutor)]
            needed = {"court": lead_ids, "police": writable, "procuratorate": supervision_ids}
            if not all(needed[name] for name in services_measured):
                raise RuntimeError(
                    f"the generated year left nothing to load: {len(lead_ids)} leads, {len(writable)} open cases"
                )
            mixes = {
                "court": (officer, court_mix(unit, lead_ids)),
                "police": (investigator, police_mix(writable)),
                "procuratorate": (prosecutor, procuratorate_mix(matters, supervision_ids)),
            }
            results["postgresql"] = {}
            for name, (user, mix) in mixes.items():
                if name not in services_measured:
                    continue
                headers = services.login(name, user)
                others = functools.partial(services.login, name)
                results["postgresql"][name] = asyncio.run(
                    measure(name, processes[name].url, headers, mix, rates, seconds, others)
                )
        if sqlite:
            embedded = f"sqlite+aiosqlite:///{Path(tmp) / 'court.db'}"
            with stack(kafka, {"court": embedded}, Path(tmp)) as processes:
                services = Services(court=processes["court"].url)
                officer = staff(TONGCHENG, "officer")
                lead = services.post("court", "/leads", officer, lead_body(random.Random(1), TONGCHENG))
                headers = services.login("court", staff(TONGCHENG, "officer"))
                results["sqlite"] = {
                    "court": asyncio.run(
                        measure(
                            "court (SQLite)",
                            processes["court"].url,
                            headers,
                            court_mix(TONGCHENG, [lead["id"]]),
                            rates,
                            seconds,
                        )
                    )
                }
    results["goal"] = f"p99 < {GOAL_MS} ms at {GOAL_RATE}/s on PostgreSQL"
    results["max_rss_mib_driver"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rates", default=",".join(map(str, RATES)), help="requests a second, comma-separated")
    parser.add_argument("--seconds", type=float, default=15.0, help="how long each rate is offered")
    parser.add_argument("--size", type=int, default=60, help="matters in the generated year loaded first")
    parser.add_argument("--out", default="bench-results/http.json")
    args = parser.parse_args()
    try:
        rates = tuple(int(r) for r in args.rates.split(","))
    except ValueError:
        parser.error("--rates must be whole numbers, e.g. 50,100,200")
    if not rates or any(not 1 <= r <= 2000 for r in rates) or not 1 <= args.seconds <= 600 or not 5 <= args.size <= 500:
        parser.error("--rates 1..2000 each, --seconds 1..600, --size 5..500")
    with postgres_admin() as admin, broker() as kafka:
        results = run(admin, kafka, rates, args.seconds, args.size)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
