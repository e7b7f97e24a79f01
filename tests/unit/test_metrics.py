"""What /metrics promises: HTTP requests counted and timed by route template and status (a path no route took is
one series), the release's version and commit, and every deadline kind's firing series present at 0."""

from __future__ import annotations

from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from liandong_court.bootstrap import spec
from liandong_court.config import CourtSettings
from tests.support.apps import login, running_app


def samples(text: str) -> list[tuple[str, dict[str, str], float]]:
    return [(s.name, s.labels, s.value) for family in text_string_to_metric_families(text) for s in family.samples]


async def test_metrics_count_and_time_requests_by_route_and_say_the_release(tmp_path: Path) -> None:
    settings = CourtSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'c.db'}", kafka_bootstrap_servers="127.0.0.1:1"
    )
    async with running_app(spec(), settings) as court:
        officer = await login(court, "tongcheng.officer")
        for lead in ("a", "b", "c"):
            assert (await court.get(f"/leads/{lead}", headers=officer)).status_code == 404
        assert (await court.get("/no/such/path/at/all")).status_code == 404
        exposed = await court.get("/metrics")
        assert exposed.status_code == 200
        found = samples(exposed.text)

    def value(name: str, **labels: str) -> float:
        return sum(v for n, ls, v in found if n == name and all(ls.get(k) == x for k, x in labels.items()))

    route = {"agency": "court", "method": "GET", "route": "/leads/{lead_id}"}
    assert value("liandong_http_requests_total", **route, status="404") == 3, "three paths, one route"
    assert value("liandong_http_request_duration_seconds_count", **route) == 3
    assert value("liandong_http_request_duration_seconds_bucket", **route, le="+Inf") == 3
    assert value("liandong_http_requests_total", agency="court", route="(unmatched)", status="404") >= 1
    assert not [ls for n, ls, _ in found if ls.get("route", "").startswith("/no/such")], "no series per stray path"
    (build,) = [ls for n, ls, _ in found if n == "liandong_build_info" and ls["agency"] == "court"]
    assert build["version"]
    assert build["commit"]
    firing = {"agency": "court", "stage": "breach", "kind": "debtor_performance"}
    assert [v for n, ls, v in found if n == "liandong_deadline_firings_total" and ls == firing] == [0.0]
