"""Command line of the shared library.

python -m liandong deadline --kind police_filing_decision --start 2025-09-26T10:00+08:00 [--json]
python -m liandong kinds [--json]
python -m liandong topics --bootstrap 127.0.0.1:9092
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import date, datetime

from liandong.contracts import topics
from liandong.messaging.admin import ensure_topics
from liandong.sla.calendar import LegalCalendar
from liandong.sla.counting import NaiveTime, compute_due
from liandong.sla.kinds import CATALOGUE, UnknownKind, kind


def _deadline(args: argparse.Namespace) -> int:
    try:
        spec = kind(args.kind)
        start = datetime.fromisoformat(args.start)
        calendar = LegalCalendar(args.holiday, args.workday)
        due = compute_due(spec, start, window=args.window, extra_days=args.extra_days, calendar=calendar)
    except (UnknownKind, NaiveTime, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(
            json.dumps(
                {
                    "kind": spec.name,
                    "title": spec.title,
                    "start": due.start.isoformat(),
                    "due": due.due.isoformat(),
                    "due_local": due.due_local.isoformat(),
                    "last_day": due.last_day.isoformat(),
                    "nominal_last_day": due.nominal_last_day.isoformat(),
                    "rolled_forward": due.rolled_forward,
                    "custody": due.custody,
                    "skipped": [{"day": s.day.isoformat(), "reason": s.reason} for s in due.skipped],
                    "calendar": due.calendar_source.value,
                    "rule": due.rule(),
                    "legal_basis": due.legal_basis,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    print(f"{spec.name} — {spec.title}")
    print(f"due:   {due.last_day.isoformat()} 24:00 Asia/Shanghai (= {due.due.isoformat()})")
    print(f"rule:  {due.rule()}")
    for skipped in due.skipped:
        print(f"       {skipped.day.isoformat()} is not a working day ({skipped.reason})")
    print(f"basis: {due.legal_basis}")
    return 0


def _kinds(args: argparse.Namespace) -> int:
    if args.json:
        print(
            json.dumps([{**k.__dict__, "unit": k.unit.value} for k in CATALOGUE.values()], ensure_ascii=False, indent=2)
        )
        return 0
    for k in CATALOGUE.values():
        custody = ", custody (never extends)" if k.custody else ""
        print(f"{k.name:32} {k.owner:14} {k.window} {k.unit.value}{custody}  {k.title}")
    return 0


def _topics(args: argparse.Namespace) -> int:
    created = asyncio.run(
        ensure_topics(
            args.bootstrap, topics.catalogue(), partitions=args.partitions, replication_factor=args.replication_factor
        )
    )
    print(f"{len(created)} topics created: {', '.join(created) or '-'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m liandong", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)

    deadline = commands.add_parser("deadline", help="when does a window end, and why")
    deadline.add_argument("--kind", required=True, help="a kind name (python -m liandong kinds)")
    deadline.add_argument("--start", required=True, help="ISO 8601 with a time zone, e.g. 2025-09-26T10:00+08:00")
    deadline.add_argument("--window", type=int, help="another window than the kind's (an extension)")
    deadline.add_argument("--extra-days", type=int, default=0)
    deadline.add_argument(
        "--holiday", type=date.fromisoformat, action="append", default=[], help="an extra holiday (repeatable)"
    )
    deadline.add_argument(
        "--workday", type=date.fromisoformat, action="append", default=[], help="an extra working day (repeatable)"
    )
    deadline.add_argument("--json", action="store_true")
    deadline.set_defaults(run=_deadline)

    kinds = commands.add_parser("kinds", help="the deadline catalogue")
    kinds.add_argument("--json", action="store_true")
    kinds.set_defaults(run=_kinds)

    topic = commands.add_parser("topics", help="create the topic catalogue on a broker")
    topic.add_argument("--bootstrap", default="127.0.0.1:9092")
    topic.add_argument("--partitions", type=int, default=6)
    topic.add_argument("--replication-factor", type=int, default=1)
    topic.set_defaults(run=_topics)

    args = parser.parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
