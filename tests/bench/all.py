"""`make bench`: every benchmark in one run, on one PostgreSQL and one broker, so the ratios compare like with like.
Results in bench-results/<name>.json and a summary in bench-results/summary.json (the README quotes a run)."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

from tests.bench import bench_hop, bench_http, bench_relay, bench_sla
from tests.bench.infra import broker, databases, postgres_admin

OUT = Path("bench-results")


def write(name: str, results: dict[str, Any]) -> None:
    OUT.mkdir(exist_ok=True)
    (OUT / f"{name}.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(f"{name}: written to {OUT / name}.json", flush=True)


def main() -> None:
    with postgres_admin() as admin, broker() as kafka:
        with databases(admin, 1) as (url,):
            relay = asyncio.run(bench_relay.run(url, kafka, 20_000))
        write("relay", relay)
        with databases(admin, 2) as (police_url, court_url):
            hop = asyncio.run(bench_hop.run(police_url, court_url, kafka, 600, 50.0))
        write("hop", hop)
        http = bench_http.run(admin, kafka, bench_http.RATES, 15.0, 60)
        write("http", http)
        with databases(admin, 1) as (url,):
            sla = asyncio.run(bench_sla.run(url, 1_000_000, 10_000, 200))
        write("sla", sla)
    at_200 = {name: figures["200"]["all"]["p99_ms"] for name, figures in http["postgresql"].items()}
    summary = {
        "cores": os.cpu_count(),
        "relay_vs_raw_aiokafka": {shape: relay[shape]["ratio"] for shape in ("bursts", "spread")},
        "hop_p99_ms": hop["hop_outbox_commit_to_peer_inbox"]["p99_ms"],
        "raw_round_trip_p99_ms": hop["raw_aiokafka_round_trip"]["p99_ms"],
        "hop_p99_ratio": hop["p99_ratio"],
        "http_p99_ms_at_200_per_second_postgresql": at_200,
        "sla_idle_tick_ms_median": sla["idle_tick_ms"]["median"],
        "sla_fire_seconds": sla["fire_seconds"],
        "goals": {
            "relay >= 0.5 of raw": all(relay[s]["ratio"] >= 0.5 for s in ("bursts", "spread")),
            "hop p99 <= 3x raw": hop["p99_ratio"] <= bench_hop.GOAL,
            "http p99 < 50 ms at 200/s": all(v < bench_http.GOAL_MS for v in at_200.values()),
        },
    }
    write("summary", summary)
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
