"""The one place where procuratorate domain events become integration events (none yet)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import singledispatch
from typing import Any

from liandong.envelope import Envelope


@singledispatch
def translate(event: Any) -> Iterable[Envelope]:
    """Domain events without an integration counterpart stay inside the procuratorate."""
    return ()
