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
        first = samples((await court.get("/metrics")).text)  # the registry is the process's: count from here
        for lead in ("a", "b", "c"):
            assert (await court.get(f"/leads/{lead}", headers=officer)).status_code == 404
        assert (await court.get("/no/such/path/at/all")).status_code == 404
        exposed = await court.get("/metrics")
        assert exposed.status_code == 200
        found = samples(exposed.text)

    def value(name: str, **labels: str) -> float:
        def total(scrape: list[tuple[str, dict[str, str], float]]) -> float:
            return sum(v for n, ls, v in scrape if n == name and all(ls.get(k) == x for k, x in labels.items()))

        return total(found) - total(first)

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
    assert [n for n, ls, _ in found if n == "liandong_deadline_firings_total" and ls == firing], "present from 0"


async def test_in_production_the_internals_answer_the_ops_token_only_and_the_docs_are_off(tmp_path: Path) -> None:
    token = "o" * 40
    settings = CourtSettings(
        environment="production",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'c.db'}",
        single_node=True,
        kafka_bootstrap_servers="127.0.0.1:1",
        secret_key="s" * 40,
        service_clients={"police": "c" * 40},
        kafka_password="production-kafka-password-0123456789",
        ops_token=token,
    )
    async with running_app(spec(), settings) as court:
        ops = {"Authorization": f"Bearer {token}"}
        assert (await court.get("/metrics")).status_code == 401
        assert (await court.get("/metrics", headers={"Authorization": "Bearer " + "x" * 40})).status_code == 401
        assert (await court.get("/metrics", headers=ops)).status_code == 200
        anonymous = (await court.get("/healthz")).json()
        assert anonymous == {"status": "alive", "service": "court"}, "no broker error, no internals"
        assert "broker" in (await court.get("/healthz", headers=ops)).json()
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert (await court.get(path)).status_code == 404, path
        assert (await court.get("/livez")).status_code == 200, "the probes stay open"
        assert (await court.get("/readyz")).status_code == 200
        assert (await court.get("/console/login")).status_code == 200, "staff still have their console"
