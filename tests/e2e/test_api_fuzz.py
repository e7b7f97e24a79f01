"""Schemathesis over each service's OpenAPI document, against the running services: whatever the generated input, no
answer is a 5xx, and every 4xx is in the error model. Every operation gets a bounded number of examples
(derandomized, so a run is repeatable), sent with a city-level token so that the requests reach the handlers rather
than stop at authorisation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok

from liandong.devstack import ServiceProcess
from tests.e2e.conftest import Stack, token

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]

EXAMPLES = 12
CITY_USER = {"court": "city.admin", "police": "city.supervisor", "procuratorate": "city.supervisor"}
# moves the clock of a service: not an API of the deployed product (mounted in development and test only)
SKIPPED = {("POST", "/testing/clock")}


def in_error_model(response: Any) -> bool:
    """A 4xx body is {"error": {"code": str, "message": str[, "details": …]}} and nothing else."""
    try:
        body = response.json()
    except ValueError:
        return False
    error = body.get("error") if isinstance(body, dict) and set(body) == {"error"} else None
    return (
        isinstance(error, dict)
        and isinstance(error.get("code"), str)
        and isinstance(error.get("message"), str)
        and set(error) <= {"code", "message", "details"}
    )


def fuzz(service: ServiceProcess) -> list[str]:
    document = httpx.get(f"{service.url}/openapi.json").json()
    schema = schemathesis.openapi.from_dict(document)
    headers = token(service, CITY_USER[service.name])
    failures: list[str] = []
    operations = 0
    calls = 0
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"{service.name}: an operation the fuzzer cannot read: {result}"
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        operations += 1

        @given(case=operation.as_strategy(), with_key=st.booleans())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any, with_key: bool) -> None:
            nonlocal calls
            calls += 1
            sent = {**headers, **({"Idempotency-Key": "fuzz-key"} if with_key else {})}
            response = case.call(base_url=service.url, headers=sent, timeout=30)
            where = f"{case.method} {case.formatted_path} {case.query}"
            if response.status_code >= 500:
                failures.append(f"{where} → {response.status_code}")
            elif response.status_code >= 400 and not in_error_model(response):
                failures.append(f"{where} → {response.status_code} outside the error model: {response.text[:200]}")

        check()
    assert operations >= 10, f"{service.name}: the document lists its operations"
    assert calls >= 3 * operations, f"{service.name}: {calls} requests for {operations} operations"
    return failures


def test_no_generated_request_gets_a_server_error(stack: Stack) -> None:
    failures = {service.name: fuzz(service) for service in stack.all()}
    assert failures == {"court": [], "police": [], "procuratorate": []}


@pytest.mark.postgres
def test_no_generated_request_gets_a_server_error_on_postgresql(postgres_stack: Stack) -> None:
    """PostgreSQL refuses what SQLite stores (a NUL in text): the same fuzzing against the services on it."""
    failures = {service.name: fuzz(service) for service in postgres_stack.all()}
    assert failures == {"court": [], "police": [], "procuratorate": []}
