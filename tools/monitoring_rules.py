"""Writes deploy/k8s/monitoring/prometheusrule.yaml from deploy/prometheus/alerts.yml: one set of rules, two ways to
load it (a Prometheus rule file; a PrometheusRule for the Prometheus Operator). `make monitoring-rules`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
RULES = DEPLOY / "prometheus" / "alerts.yml"
RESOURCE = DEPLOY / "k8s" / "monitoring" / "prometheusrule.yaml"
HEADER = "# Written by `make monitoring-rules` from deploy/prometheus/alerts.yml: edit that file, not this one.\n"


def prometheus_rule() -> dict[str, Any]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "liandong", "labels": {"app.kubernetes.io/part-of": "liandong"}},
        "spec": {"groups": groups},
    }


def main() -> None:
    RESOURCE.write_text(HEADER + yaml.safe_dump(prometheus_rule(), allow_unicode=True, sort_keys=False, width=120))
    print(f"written {RESOURCE}")


if __name__ == "__main__":
    main()
