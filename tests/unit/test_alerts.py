"""The alerts that ship (deploy/prometheus/alerts.yml) load and fire as they should (promtool), the Kubernetes
PrometheusRule carries the same rules, and every metric the rules and the Grafana dashboard name is one the services
export."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY

import liandong.api.access_log
import liandong.api.auth
import liandong.api.health
import liandong.deadlines.firing
import liandong.messaging.consumer
import liandong.messaging.dead_letters
import liandong.messaging.dlq
import liandong.messaging.relay
from tools.monitoring_rules import RESOURCE, prometheus_rule

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
RULES = DEPLOY / "prometheus"
DASHBOARD = DEPLOY / "grafana" / "liandong.json"
LOADED = (  # the modules whose metrics a service exports (imported above: their metrics are registered)
    liandong.api.access_log,
    liandong.api.auth,
    liandong.api.health,
    liandong.deadlines.firing,
    liandong.messaging.consumer,
    liandong.messaging.dead_letters,
    liandong.messaging.dlq,
    liandong.messaging.relay,
)


def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        assert os.environ.get("CI") != "true", "CI installs promtool (Debian's prometheus)"
        pytest.skip("promtool is not installed (apt-get install prometheus)")
    return found


def test_the_rules_load_and_fire_when_they_should() -> None:
    checked = subprocess.run([promtool(), "check", "rules", "alerts.yml"], cwd=RULES, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = subprocess.run([promtool(), "test", "rules", "alerts_test.yml"], cwd=RULES, capture_output=True, text=True)
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_the_prometheus_rule_for_kubernetes_carries_the_same_rules() -> None:
    shipped = yaml.safe_load(RESOURCE.read_text())
    assert shipped == prometheus_rule(), "run `make monitoring-rules` after changing deploy/prometheus/alerts.yml"


def exported() -> set[str]:
    names: set[str] = set()
    for collector in list(REGISTRY._collector_to_names):
        for family in collector.describe() if hasattr(collector, "describe") else []:
            names.add(family.name)
            names.update(s.name for s in family.samples)
        names.update(REGISTRY._collector_to_names[collector])
    return names


def metric_names(expression: str) -> set[str]:
    return set(re.findall(r"\b(liandong_[a-z_]+)", expression))


def test_every_metric_the_rules_and_the_dashboard_name_is_exported() -> None:
    assert LOADED
    known = exported()
    rules = yaml.safe_load((RULES / "alerts.yml").read_text())["groups"]
    named = {n for group in rules for rule in group["rules"] for n in metric_names(rule["expr"])}
    dashboard = json.loads(DASHBOARD.read_text())
    shown = {n for panel in dashboard["panels"] for target in panel["targets"] for n in metric_names(target["expr"])}
    assert named, "the rules name metrics"
    assert shown >= {"liandong_http_requests_total", "liandong_outbox_oldest_pending_seconds"}
    assert not (named | shown) - known, f"named but not exported: {sorted((named | shown) - known)}"
    titles = [panel["title"] for panel in dashboard["panels"]]
    for needed in ("Traffic", "Latency", "Outbox", "lag", "Breaches by kind"):
        assert any(needed in title for title in titles), needed
