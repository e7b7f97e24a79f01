"""What a referral letter must state, for tests that refer a lead (法发〔2025〕8号 第三条、第四条)."""

from __future__ import annotations

from liandong.contracts.common import EvidenceClass

ENFORCEMENT_BASIS = "(2023)鄂1222民初456号民事判决书"
CREDITOR = "洪某某"
PARTICULARS = {"enforcement_basis": ENFORCEMENT_BASIS, "creditor": CREDITOR}
"""The 执行依据 and the creditor, as a request body's fields."""

NOT_YET_PROVED = {c.value: "证据尚在调取中" for c in EvidenceClass}
"""A reason for every evidence class, for a referral that attaches no file."""
