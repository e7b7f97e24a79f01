"""The papers of each act (法律文书), in-process on SQLite: the court's 告知书 and 移送函 issued with their acts,
numbered in the court's form, stored once with the SHA-256 of their PDF, listed on their records, gathered in the
matter's file catalogue and its zip, readable by the record's unit only. The PDFs are read back with poppler's
pdftotext, and a page of each kind is kept as a PNG in test-artifacts/documents/ for a reader."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update

from liandong.config import DEVELOPMENT_CLIENT_SECRET
from liandong.documents import kinds
from liandong.documents.claims import DocumentFetcher, claim
from liandong.envelope import Envelope
from liandong.peers import PeerClient
from liandong_court.bootstrap import spec
from liandong_court.config import CourtSettings
from liandong_police.bootstrap import spec as police_spec
from liandong_police.config import PoliceSettings
from tests.support.apps import login, running_app, runtime_of
from tests.support.infra import unavailable
from tests.support.letters import PARTICULARS

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "documents"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ID_NUMBER = "42122219800101123X"
LEAD = {
    "enforcement_case_number": "(2024)鄂1222执123号",
    "suspects": [
        {"name": "黎某某", "kind": "person", "role": "debtor", "id_number": ID_NUMBER},
        {"name": "郑某某", "kind": "person", "role": "helper"},
    ],
    "amount_owed": "350000.00",
    "summary": "被执行人有履行能力而拒不履行",
    **PARTICULARS,
}


def pdf_text(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        unavailable("pdftotext is missing (apt-get install poppler-utils)")
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True, timeout=60)
    return done.stdout.decode()


def keep_first_page(pdf: bytes, name: str) -> None:
    """Page 1 as a PNG for a reader (pdftoppm), beside the other test artifacts."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTIFACTS / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(source), str(ARTIFACTS / name)],
        check=True,
        timeout=60,
    )
    assert (ARTIFACTS / f"{name}.png").stat().st_size > 1000


@pytest.fixture
async def court(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = CourtSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'court.db'}",
        kafka_bootstrap_servers="127.0.0.1:1",
        secret_key="test-secret-0123456789-0123456789-xyz",
    )
    async with running_app(spec(), settings) as client:
        yield client


async def referred_lead(court: httpx.AsyncClient) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """A lead with one evidence file, its notice served (numbered by the court), referred by the judge's override."""
    officer = await login(court, "tongcheng.officer")
    judge = await login(court, "tongcheng.judge")
    lead = (await court.post("/leads", json=LEAD, headers=officer)).json()
    uploaded = await court.post(
        f"/leads/{lead['id']}/evidence",
        files={"file": ("银行流水.pdf", PDF, "application/pdf")},
        data={"evidence_class": "ability_to_perform", "evidence_type": "fund_flow"},
        headers=officer,
    )
    assert uploaded.status_code == 201, uploaded.text
    assessed = await court.post(
        f"/leads/{lead['id']}/assessment", json={"conclusion": "suspected", "reasons": "有履行能力"}, headers=judge
    )
    assert assessed.status_code == 200, assessed.text
    runtime = runtime_of(court)
    served = await court.post(
        f"/leads/{lead['id']}/notice", json={"served_at": runtime.clock.now().isoformat()}, headers=officer
    )
    assert served.status_code == 200, served.text
    referral = await court.post(
        f"/leads/{lead['id']}/referral",
        json={
            "override_reason": "被执行人正在转移财产",
            "missing_evidence": {c: "证据尚在调取中" for c in ("identity", "duty", "refusal", "aggravating")},
        },
        headers=judge,
    )
    assert referral.status_code == 201, referral.text
    return lead, referral.json(), officer


async def test_the_notice_and_the_referral_letter_are_issued_with_their_acts(court: httpx.AsyncClient) -> None:
    lead, referral, officer = await referred_lead(court)
    (notice,) = (await court.get(f"/leads/{lead['id']}/documents", headers=officer)).json()
    (letter,) = (await court.get(f"/referrals/{referral['id']}/documents", headers=officer)).json()
    year = notice["issued_at"][:4]
    assert (notice["kind"], notice["title"], notice["number"]) == ("court_notice", "告知书", f"({year})鄂1222执告1号")
    lead_now = (await court.get(f"/leads/{lead['id']}", headers=officer)).json()
    assert lead_now["notice_number"] == notice["number"], "the lead records the number the court gave"
    assert (letter["title"], letter["number"]) == ("移送函", referral["letter_number"])
    assert (notice["issuer"], letter["addressee"]) == ("通城县人民法院", "通城县公安局")

    for document, name in ((notice, "court_notice"), (letter, "court_referral_letter")):
        pdf = await court.get(document["pdf_url"], headers=officer)
        assert pdf.status_code == 200
        assert pdf.headers["content-type"] == "application/pdf"
        assert hashlib.sha256(pdf.content).hexdigest() == document["sha256"] == pdf.headers["x-content-sha256"]
        assert document["pages"] >= 1
        text = pdf_text(pdf.content)
        flat = "".join(text.split())
        assert "".join(document["number"].split()) in flat
        assert "".join(document["title"]) in flat.replace(" ", "")
        assert "黎某某" in flat
        assert "第三百一十三条" in flat, "the article cited"
        keep_first_page(pdf.content, name)
    letter_text = "".join(pdf_text((await court.get(letter["pdf_url"], headers=officer)).content).split())
    assert ID_NUMBER in letter_text, "a letter asking the police to file names the suspect in full"
    assert "郑某某" in letter_text
    assert "移送材料清单" in letter_text
    assert hashlib.sha256(PDF).hexdigest() in letter_text, "the list of materials gives each file's digest"
    html = await court.get(f"/documents/{letter['id']}.html", headers=officer)
    assert html.status_code == 200
    assert "移送函" in html.text


async def test_notices_without_a_number_are_numbered_consecutively_and_a_given_number_is_kept(
    court: httpx.AsyncClient,
) -> None:
    officer = await login(court, "tongcheng.officer")
    judge = await login(court, "tongcheng.judge")
    numbers, years = [], []
    for i in range(3):
        lead = (
            await court.post(
                "/leads", json={**LEAD, "enforcement_case_number": f"(2024)鄂1222执{i + 7}号"}, headers=officer
            )
        ).json()
        await court.post(
            f"/leads/{lead['id']}/assessment", json={"conclusion": "suspected", "reasons": "有能力"}, headers=judge
        )
        now = runtime_of(court).clock.now().isoformat()  # served after the assessment, whatever minute that was
        years.append(now[:4])
        body = {"served_at": now} if i != 1 else {"served_at": now, "notice_number": "通法执告〔2025〕纸质88号"}
        served = await court.post(f"/leads/{lead['id']}/notice", json=body, headers=officer)
        assert served.status_code == 200, served.text
        (document,) = (await court.get(f"/leads/{lead['id']}/documents", headers=officer)).json()
        numbers.append(document["number"])
    second = 2 if years[2] == years[0] else 1  # the counter starts again in a new year
    assert numbers == [f"({years[0]})鄂1222执告1号", "通法执告〔2025〕纸质88号", f"({years[2]})鄂1222执告{second}号"]


async def test_the_matter_file_lists_everything_in_order_and_zips_it_with_its_catalogue(
    court: httpx.AsyncClient,
) -> None:
    lead, referral, officer = await referred_lead(court)
    catalogue = await court.get(f"/matters/{lead['id']}/file", headers=officer)
    assert catalogue.status_code == 200, catalogue.text
    entries = catalogue.json()["entries"]
    assert [(e["seq"], e["kind"]) for e in entries] == [(1, "evidence"), (2, "document"), (3, "document")]
    assert [e["title"] for e in entries[1:]] == ["告知书", "移送函"]
    assert entries[2]["number"] == referral["letter_number"]
    assert all(len(e["sha256"]) == 64 and e["date"].endswith("日") for e in entries)

    bundle = await court.get(f"/matters/{lead['id']}/file.zip", headers=officer)
    assert bundle.status_code == 200
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as archive:
        names = archive.namelist()
        assert names[0] == "00-卷宗目录.pdf"
        assert [n[:3] for n in names[1:]] == ["01-", "02-", "03-"]
        contents = [archive.read(n) for n in names[1:]]
        catalogue_text = "".join(pdf_text(archive.read(names[0])).split())
    assert [hashlib.sha256(c).hexdigest() for c in contents] == [e["sha256"] for e in entries]
    assert "卷宗目录" in catalogue_text
    assert referral["letter_number"] in catalogue_text
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as archive:
        keep_first_page(archive.read(names[0]), "catalogue")


async def test_documents_are_read_by_the_records_unit_only_and_a_full_identity_number_is_a_logged_read(
    court: httpx.AsyncClient,
) -> None:
    lead, referral, officer = await referred_lead(court)
    (letter,) = (await court.get(f"/referrals/{referral['id']}/documents", headers=officer)).json()
    stranger = await login(court, "chibi.officer")
    for path in (
        f"/documents/{letter['id']}",
        f"/documents/{letter['id']}.pdf",
        f"/documents/{letter['id']}.html",
        f"/referrals/{referral['id']}/documents",
        f"/matters/{lead['id']}/file",
        f"/matters/{lead['id']}/file.zip",
    ):
        refused = await court.get(path, headers=stranger)
        assert refused.status_code == 403, path
    assert (await court.get("/documents/00000000-0000-0000-0000-000000000000", headers=officer)).status_code == 404
    assert (await court.get("/matters/no-such-matter/file", headers=officer)).status_code == 404

    assert (await court.get(f"/documents/{letter['id']}.pdf", headers=officer)).status_code == 200
    admin = await login(court, "city.admin")
    reads = (await court.get("/audit/reads", headers=admin)).json()["items"]
    assert any(r["path"] == f"/documents/{letter['id']}.pdf" and r["actor"] == "tongcheng.officer" for r in reads)


async def test_a_corrected_service_time_issues_a_new_notice_naming_the_one_it_corrects(
    court: httpx.AsyncClient,
) -> None:
    officer = await login(court, "tongcheng.officer")
    judge = await login(court, "tongcheng.judge")
    lead = (await court.post("/leads", json=LEAD, headers=officer)).json()
    await court.post(
        f"/leads/{lead['id']}/assessment", json={"conclusion": "suspected", "reasons": "有能力"}, headers=judge
    )
    now = runtime_of(court).clock.now()
    served = await court.post(f"/leads/{lead['id']}/notice", json={"served_at": now.isoformat()}, headers=officer)
    assert served.status_code == 200
    corrected = await court.post(
        f"/leads/{lead['id']}/notice/correction",
        json={"served_at": runtime_of(court).clock.now().isoformat(), "reason": "送达回证记载的时间"},
        headers=officer,
    )
    assert corrected.status_code == 200, corrected.text
    first, second = (await court.get(f"/leads/{lead['id']}/documents", headers=officer)).json()
    assert second["corrects"] == first["id"]
    assert second["number"] != first["number"]
    text = "".join(pdf_text((await court.get(second["pdf_url"], headers=officer)).content).split())
    assert f"本文书更正{first['number']}" in text


def test_numbers_take_each_agencys_form() -> None:
    police_kind, procuratorate_kind = kinds.POLICE_FILING_DECISION, kinds.NON_PROSECUTION
    assert kinds.number(kinds.COURT_NOTICE, "421222", 2026, 3) == "(2026)鄂1222执告3号"
    assert kinds.number(kinds.COURT_REFERRAL_LETTER, "421200", 2026, 1) == "(2026)鄂12执移1号"
    assert kinds.number(police_kind, "421222", 2025, 12) == "通城公（刑）立字〔2025〕12号"
    assert kinds.number(police_kind, "421224", 2025, 12) == "通山公（刑）立字〔2025〕12号", "通城 and 通山 apart"
    assert kinds.number(procuratorate_kind, "421200", 2026, 2) == "咸宁检刑不诉〔2026〕2号"
    assert kinds.issuer("court", "421200") == "咸宁市中级人民法院"
    assert kinds.issuer("procuratorate", "421281") == "赤壁市人民检察院"


async def test_an_announced_document_is_fetched_by_digest_verified_and_filed_by_the_receiving_agency(
    court: httpx.AsyncClient, tmp_path: Path
) -> None:
    """The referral's event carries its letter; the police claim it as they apply the event, fetch it from the court
    with their service token, keep it only when it hashes to the digest announced, and file it under the referral.
    A document never announced is not given to a service; a received document has no HTML of its own."""
    lead, referral, officer = await referred_lead(court)
    (notice,) = (await court.get(f"/leads/{lead['id']}/documents", headers=officer)).json()
    runtime = runtime_of(court)
    outbox = runtime.tables.outbox
    async with runtime.uow() as uow:
        stored = await uow.session.scalars(
            select(outbox.c.envelope).where(outbox.c.event_type == "court.referral.submitted")
        )
        (envelope,) = [Envelope.model_validate_json(raw) for raw in stored]
    (ref,) = envelope.documents
    assert (ref.title, ref.number) == ("移送函", referral["letter_number"])
    court_transport = httpx.ASGITransport(app=court._transport.app)  # type: ignore[attr-defined]

    def peer() -> PeerClient:
        return PeerClient("http://court.test", "police", DEVELOPMENT_CLIENT_SECRET, transport=court_transport)

    service = await peer().get(f"/documents/{notice['id']}.pdf")
    assert service.status_code == 403, "the notice to the debtor was never announced to another agency"
    police_settings = PoliceSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'police.db'}",
        kafka_bootstrap_servers="127.0.0.1:1",
        secret_key="test-secret-0123456789-0123456789-xyz",
        peer_urls={},
    )
    async with running_app(police_spec(), police_settings) as police:
        at_police = runtime_of(police)
        async with at_police.uow() as uow:
            await claim(uow.session, uow.tables, envelope, at_police.clock.now())
            await claim(uow.session, uow.tables, envelope, at_police.clock.now())  # the event applied again
            await uow.commit()

        forged = envelope.documents[0].model_copy(update={"sha256": "0" * 64})
        async with at_police.uow() as uow:  # a reference whose digest the content does not match
            await uow.session.execute(update(uow.tables.document_claims).values(ref=forged.model_dump_json()))
            await uow.commit()
        fetcher = DocumentFetcher(uow_factory=at_police.uow, peers={"court": peer()}, clock=at_police.clock)
        assert await fetcher.run_once() == 1
        async with at_police.uow() as uow:
            (row,) = (await uow.session.execute(select(uow.tables.document_claims))).all()
        assert (row.status, row.attempts) == ("digest_mismatch", 1)
        investigator = await login(police, "tongcheng.investigator")
        assert (await police.get(f"/referrals/{referral['id']}/documents", headers=investigator)).json() == []
        admin = await login(police, "city.admin")
        waiting = (await police.get("/ops/document-claims", headers=admin)).json()
        assert waiting["unfetched"] == 1
        assert (waiting["claims"][0]["status"], waiting["claims"][0]["number"]) == ("digest_mismatch", ref.number)
        assert "hashes to" in waiting["claims"][0]["last_error"]
        assert (await police.get("/healthz")).json()["documents"]["unfetched"] == 1

        async with at_police.uow() as uow:  # the true reference, due again
            await uow.session.execute(
                update(uow.tables.document_claims).values(
                    ref=ref.model_dump_json(), next_attempt_at=at_police.clock.now()
                )
            )
            await uow.commit()
        assert await fetcher.run_once() == 1
        assert await fetcher.run_once() == 0, "fetched once"
        assert (await police.get("/ops/document-claims", headers=admin)).json()["unfetched"] == 0
        (held,) = (await police.get(f"/referrals/{referral['id']}/documents", headers=investigator)).json()
        assert (held["origin"], held["number"], held["sha256"], held["issuer"]) == (
            "received",
            referral["letter_number"],
            ref.sha256,
            "通城县人民法院",
        )
        content = await police.get(held["pdf_url"], headers=investigator)
        assert hashlib.sha256(content.content).hexdigest() == ref.sha256
        assert (await police.get(f"/documents/{held['id']}.html", headers=investigator)).status_code == 404
        stranger = await login(police, "chibi.investigator")
        assert (await police.get(held["pdf_url"], headers=stranger)).status_code == 403
        await fetcher.on_stop()
