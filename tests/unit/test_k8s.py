"""The cluster deployment (deploy/k8s): the production overlay builds with kustomize and every resource validates
against the Kubernetes schemas, offline; each service runs 2+ replicas with the right probes, resources, a disruption
budget, and its secrets from a Secret."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
VERSION = "1.30.0"


def documents(text: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(text) if d]


def built() -> list[dict[str, Any]]:
    """The production overlay as kustomize builds it (kubectl's, or the kustomize binary)."""
    if shutil.which("kubectl"):
        command = ["kubectl", "kustomize", str(K8S / "overlays" / "production")]
    elif shutil.which("kustomize"):
        command = ["kustomize", "build", str(K8S / "overlays" / "production")]
    else:
        assert os.environ.get("CI") != "true", "CI installs kubectl (Debian's kubernetes-client): the overlay is built"
        pytest.skip("neither kubectl nor kustomize is installed: the base manifests are still validated")
    return documents(subprocess.run(command, capture_output=True, text=True, check=True, timeout=60).stdout)


@pytest.mark.parametrize("manifest", sorted((K8S / "base").glob("[!k]*.yaml")), ids=lambda p: p.name)
def test_every_base_manifest_validates(manifest: Path) -> None:
    for resource in documents(manifest.read_text()):
        kubernetes_validate.validate(resource, VERSION, strict=True)


def test_the_production_overlay_builds_and_validates() -> None:
    resources = built()
    for resource in resources:
        kubernetes_validate.validate(resource, VERSION, strict=True)
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for r in resources:
        by_kind.setdefault(r["kind"], []).append(r)
    deployments = {d["metadata"]["name"]: d for d in by_kind["Deployment"]}
    assert set(deployments) == {"court", "police", "procuratorate"}
    for name, deployment in deployments.items():
        assert deployment["metadata"]["namespace"] == "liandong"
        assert deployment["spec"]["replicas"] >= 2
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["image"].startswith("registry.example.gov.cn/liandong/")
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["resources"]["limits"]["memory"] == "1Gi"
        sources = {next(iter(k for k in s if k.endswith("Ref"))): s for s in container["envFrom"]}
        assert sources["secretRef"]["secretRef"]["name"] == f"liandong-{name}"
    assert {p["metadata"]["name"] for p in by_kind["PodDisruptionBudget"]} == set(deployments)
    assert "Secret" not in by_kind, "secrets are created outside git"
