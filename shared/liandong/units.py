"""Units of Xianning city: counties, their basic courts, and the city level that sees them all."""

from __future__ import annotations

from dataclasses import dataclass

CITY_CODE = "421200"


@dataclass(frozen=True)
class County:
    code: str
    name: str
    court_code: str


COUNTIES: dict[str, County] = {
    c.code: c
    for c in (
        County("421202", "咸安区", "鄂1202"),
        County("421221", "嘉鱼县", "鄂1221"),
        County("421222", "通城县", "鄂1222"),
        County("421223", "崇阳县", "鄂1223"),
        County("421224", "通山县", "鄂1224"),
        County("421281", "赤壁市", "鄂1281"),
    )
}
INTERMEDIATE_COURT_CODE = "鄂12"
ALL_UNITS = frozenset({CITY_CODE, *COUNTIES})
# the court of each unit: a county's basic court, or the intermediate court (鄂12) for the city
COURTS: dict[str, str] = {CITY_CODE: INTERMEDIATE_COURT_CODE, **{c.code: c.court_code for c in COUNTIES.values()}}


def court_code_of(unit: str) -> str | None:
    """The court code of a unit (鄂1222 for Tongcheng, 鄂12 for the city), or None for an unknown unit."""
    return COURTS.get(unit)


def is_known_unit(code: str) -> bool:
    return code in ALL_UNITS


def can_see(user_unit: str, record_unit: str) -> bool:
    """A county unit sees its own county; the city level sees every county."""
    return user_unit in (CITY_CODE, record_unit)


def visible_units(user_unit: str) -> frozenset[str]:
    return frozenset(COUNTIES) | {CITY_CODE} if user_unit == CITY_CODE else frozenset({user_unit})
