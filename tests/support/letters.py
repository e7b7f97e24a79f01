"""What a referral letter must state, for tests that refer a lead (法发〔2025〕8号 第三条、第四条)."""

from __future__ import annotations

from liandong.contracts.common import EvidenceClass

ENFORCEMENT_BASIS = "(2023)鄂1222民初456号民事判决书"
CREDITOR = "洪某某"
PARTICULARS = {"enforcement_basis": ENFORCEMENT_BASIS, "creditor": CREDITOR}
"""The 执行依据 and the creditor, as a request body's fields."""

NOT_YET_PROVED = {c.value: "证据尚在调取中" for c in EvidenceClass}
"""A reason for every evidence class, for a referral that attaches no file."""


def notice(lead_id: str, served_at: str) -> dict[str, str]:
    """A 告知书 served on the lead at `served_at` (the court's own time): every referral states the notice served."""
    return {"served_at": served_at, "notice_number": f"告知书〔{served_at[:4]}〕{lead_id[:8]}号"}
