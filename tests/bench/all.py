"""`make bench`: every benchmark on one PostgreSQL and one broker, so the ratios compare like with like — each latency
figure three times (every run and the median reported; a goal holds only if it holds in every run). Results in
bench-results/<name>.json and bench-results/summary.json (the README quotes a run).

`make bench-quick` (`--quick`): the guard against the next regression, under two minutes — the hop at 50/s for 20 s,
the court at 200/s for 10 s, 1,000 breaches fired together, the relay on 5,000 rows — each figure printed against its
goal (the breaches against the goal's rate: 10,000 in 10 s is 1,000 a second)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.bench import bench_hop, bench_http, bench_relay, bench_sla
from tests.bench.infra import broker, databases, postgres_admin, settle

OUT = Path("bench-results")


def write(name: str, results: Any) -> None:
    OUT.mkdir(exist_ok=True)
    (OUT / f"{name}.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(f"{name}: written to {OUT / name}.json", flush=True)


@dataclass(frozen=True)
class Goal:
    figure: str
    unit: str
    holds: Callable[[float], bool]
    says: str


def verdict(goal: Goal, values: list[float]) -> dict[str, Any]:
    """A figure over its runs: each run, the median, and whether the goal held in every run."""
    held = all(goal.holds(v) for v in values)
    return {
        "figure": goal.figure,
        "runs": values,
        "median": round(statistics.median(values), 3),
        "unit": goal.unit,
        "goal": goal.says,
        "holds_in_every_run": held,
    }


def show(line: dict[str, Any]) -> None:
    runs = ", ".join(f"{v:g}" for v in line["runs"])
    mark = "✔" if line["holds_in_every_run"] else "✘"
    print(
        f"{mark} {line['figure']}: {runs} {line['unit']} (median {line['median']:g}; goal {line['goal']})", flush=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="the regression guard, under two minutes")
    parser.add_argument("--runs", type=int, default=None, help="runs of each latency figure (3; quick: 1)")
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 3)
    if not 1 <= runs <= 10:
        parser.error("--runs 1..10")
    quick = args.quick
    relay_rows, hops, hop_rate = (5_000, 1_000, 50.0) if quick else (20_000, 600, 50.0)
    rates = (200,) if quick else bench_http.RATES
    seconds, size = (10.0, 12) if quick else (15.0, 60)
    measured = ("court",) if quick else ("court", "police", "procuratorate")
    deadlines, due, ticks = (20_000, 1_000, 20) if quick else (1_000_000, 10_000, 200)
    http_rate = "200" if quick else str(bench_http.GOAL_RATE)

    relays, hop_results, http_results, sla_results = [], [], [], []
    with postgres_admin() as admin, broker() as kafka:
        for run in range(runs):
            print(f"== run {run + 1} of {runs}", flush=True)
            # before each part: what the previous one wrote flushed, the machine quiet (`settle`)
            settle(admin)
            with databases(admin, 1) as (url,):
                relays.append(asyncio.run(bench_relay.run(url, kafka, relay_rows)))
            settle(admin)
            with databases(admin, 2) as (police_url, court_url):
                hop_results.append(asyncio.run(bench_hop.run(police_url, court_url, kafka, hops, hop_rate)))
            settle(admin)
            http_results.append(bench_http.run(admin, kafka, rates, seconds, size, measured, sqlite=not quick))
            settle(admin)
            with databases(admin, 1) as (url,):
                sla_results.append(asyncio.run(bench_sla.run(url, deadlines, due, ticks)))
    if not quick:
        for name, results in (("relay", relays), ("hop", hop_results), ("http", http_results), ("sla", sla_results)):
            write(name, {"runs": results})

    fire_rate = [round(s["fired"] / max(s["fire_seconds"], 1e-6)) for s in sla_results]
    lines = [
        verdict(
            Goal("relay vs raw aiokafka, bursts", "×", lambda v: v >= 0.5, "≥ 0.5"),
            [r["bursts"]["ratio"] for r in relays],
        ),
        verdict(
            Goal("relay vs raw aiokafka, spread", "×", lambda v: v >= 0.5, "≥ 0.5"),
            [r["spread"]["ratio"] for r in relays],
        ),
        verdict(
            Goal("hop p99 vs raw round trip", "×", lambda v: v <= bench_hop.GOAL, f"≤ {bench_hop.GOAL:g}"),
            [h["p99_ratio"] for h in hop_results],
        ),
        verdict(
            Goal("hop p99", "ms", lambda v: True, "(for the ratio)"),
            [h["hop_outbox_commit_to_peer_inbox"]["p99_ms"] for h in hop_results],
        ),
    ]
    for name in measured:
        lines.append(
            verdict(
                Goal(f"{name} API p99 at {http_rate}/s", "ms", lambda v: v < bench_http.GOAL_MS, "< 50"),
                [h["postgresql"][name][http_rate]["all"]["p99_ms"] for h in http_results],
            )
        )
        if not quick:
            lines.append(
                verdict(
                    Goal(f"{name} served at 400/s offered", "/s", lambda v: True, "(where it saturates)"),
                    [h["postgresql"][name]["400"]["served_per_second"] for h in http_results],
                )
            )
    lines.append(
        verdict(
            Goal(
                f"{due:,} breaches fired together, with outbox rows", "s", lambda v: v < due / 1000, f"< {due / 1000:g}"
            ),
            [s["fire_seconds"] for s in sla_results],
        )
    )
    lines.append(verdict(Goal("breaches fired a second", "/s", lambda v: v >= 1000, "≥ 1000"), fire_rate))
    lines.append(
        verdict(
            Goal("tracker idle tick, median", "ms", lambda v: True, f"(over {deadlines:,} open deadlines)"),
            [s["idle_tick_ms"]["median"] for s in sla_results],
        )
    )
    for line in lines:
        show(line)
    summary = {
        "date": datetime.now(UTC).date().isoformat(),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
        "mode": "quick" if quick else "full",
        "runs": runs,
        "figures": lines,
        "all_goals_hold": all(line["holds_in_every_run"] for line in lines),
    }
    write("summary-quick" if quick else "summary", summary)


if __name__ == "__main__":
    main()
