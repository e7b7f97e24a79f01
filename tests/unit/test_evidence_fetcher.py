"""The police's claim check against a fake court: a digest mismatch or an unreachable court is never accepted."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from liandong.clock import ManualClock
from liandong.persistence.engine import create_engine, session_factory
from liandong_police.adapters.court_client import CourtClient
from liandong_police.adapters.orm import common, evidence_items
from liandong_police.bootstrap import spec
from liandong_police.entrypoints.evidence_fetcher import EvidenceFetcher
from liandong_police.service_layer.unit_of_work import PoliceUnitOfWork
from tests.support.outbox import no_translation
from tests.unit.conftest import migrated_sqlite

GOOD = b"%PDF-1.4 the real fund flow"
DIGEST = hashlib.sha256(GOOD).hexdigest()


class FakeCourt:
    def __init__(self) -> None:
        self.serve = GOOD
        self.down = False
        self.tokens = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if request.url.path == "/auth/service-token":
            self.tokens += 1
            return httpx.Response(200, json={"access_token": "t", "token_type": "bearer"})
        assert request.headers["Authorization"] == "Bearer t"
        return httpx.Response(200, content=self.serve, headers={"Content-Type": "application/pdf"})


@pytest.fixture
async def fetcher(tmp_path: Path) -> tuple[EvidenceFetcher, FakeCourt, ManualClock, object]:
    clock = ManualClock(datetime(2025, 10, 10, tzinfo=UTC))
    sessions = session_factory(create_engine(await migrated_sqlite(spec(), tmp_path / "police.db")))

    def uow() -> PoliceUnitOfWork:
        return PoliceUnitOfWork(session_factory=sessions, tables=common, clock=clock, translate=no_translation)

    async with uow() as work:
        await work.evidence.expect(
            "ref-1",
            [
                {
                    "sha256": DIGEST,
                    "evidence_class": "ability_to_perform",
                    "evidence_type": "wechat_transfer",
                    "filename": "f.pdf",
                    "content_type": "text/html",  # what a forged referral might claim
                    "size_bytes": len(GOOD),
                }
            ],
            clock.now(),
        )
        await work.commit()
    court = FakeCourt()
    client = CourtClient("http://court", "police", "secret", transport=httpx.MockTransport(court))
    return EvidenceFetcher(uow_factory=uow, court=client, clock=clock), court, clock, sessions


async def item(sessions: object) -> object:
    async with sessions() as session:  # type: ignore[operator]
        return (await session.execute(select(evidence_items))).one()


async def test_a_tampered_file_is_refused_and_retried_until_the_true_one_comes(
    fetcher: tuple[EvidenceFetcher, FakeCourt, ManualClock, object],
) -> None:
    worker, court, clock, sessions = fetcher
    court.serve = b"%PDF-1.4 something else"
    assert await worker.run_once() == 1
    row = await item(sessions)
    assert row.status == "digest_mismatch"  # type: ignore[attr-defined]
    assert row.content is None  # type: ignore[attr-defined]
    assert "hashes to" in row.last_error  # type: ignore[attr-defined]
    assert await worker.run_once() == 0, "not retried before its backoff"

    court.down = True
    clock.advance(timedelta(minutes=1))
    assert await worker.run_once() == 1
    assert (await item(sessions)).status == "unreachable"  # type: ignore[attr-defined]

    court.down = False
    court.serve = GOOD
    clock.advance(timedelta(minutes=5))
    assert await worker.run_once() == 1
    row = await item(sessions)
    assert row.status == "fetched"  # type: ignore[attr-defined]
    assert row.content == GOOD  # type: ignore[attr-defined]
    assert row.attempts == 3  # type: ignore[attr-defined]
    assert row.content_type == "application/pdf", "the type the court recorded, not the referral's claim"  # type: ignore[attr-defined]
    clock.advance(timedelta(hours=1))
    assert await worker.run_once() == 0, "a verified file is never fetched again"
    await worker.stop()
