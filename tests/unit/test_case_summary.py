"""A page of police cases counts each case's investigation log; the case's own page has it whole. (The count and the
latest time come from the log's table: tests/integration/test_case_log.py.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from liandong_police.domain.cases import Case, LogKind
from liandong_police.entrypoints.api.schemas import CasePublic, CaseSummary

OPENED = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def a_case() -> Case:
    return Case(
        id="c-1",
        referral_id="r-1",
        correlation_id="lead-1",
        police_unit="421222",
        case_number="通城公（刑）立字〔2026〕1号",
        suspects=[{"suspect_id": "s-1", "name": "黎某某", "kind": "person", "role": "debtor"}],
        opened_at=OPENED,
        opened_by="tongcheng.investigator",
    )


def test_a_case_without_entries_lists_none_and_no_time() -> None:
    summary = CaseSummary.of_case(a_case(), (0, None)).model_dump(mode="json")
    assert (summary["log_entries"], summary["last_logged_at"]) == (0, None)
    assert "log" not in summary


def test_the_list_counts_the_entries_and_shows_when_the_latest_was_recorded() -> None:
    case = a_case()
    for day in (1, 2, 3):
        case.record_investigation(
            kind=LogKind.BANK_RECORDS,
            summary=f"调取银行流水 第{day}批",
            collected_at=OPENED + timedelta(days=day),
            evidence=[],
            by="tongcheng.investigator",
            now=OPENED + timedelta(days=day, hours=1),
        )
    summary = CaseSummary.of_case(case, (3, OPENED + timedelta(days=3, hours=1))).model_dump(mode="json")
    assert summary["log_entries"] == 3
    assert datetime.fromisoformat(summary["last_logged_at"]) == OPENED + timedelta(days=3, hours=1)
    assert summary["last_logged_at"].endswith("+08:00")  # shown in Shanghai time, as every time is
    page = CasePublic.of(case).model_dump(mode="json")
    assert [e["summary"] for e in page["log"]] == ["调取银行流水 第1批", "调取银行流水 第2批", "调取银行流水 第3批"]
    assert "log_entries" not in page
    assert [e.summary for e in case.new_records] == [e["summary"] for e in page["log"]], "written as the act commits"
