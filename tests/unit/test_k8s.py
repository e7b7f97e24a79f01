"""The cluster deployment (deploy/k8s): the production overlay builds with kustomize and every resource validates
against the Kubernetes schemas, offline; each service runs 2+ replicas with the right probes, resources, a disruption
budget, a network policy, its image by digest and its secrets from a Secret; kube-score finds nothing to warn of.
And the compose file refuses to start without its secrets."""

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
        assert container["livenessProbe"]["httpGet"]["path"] == "/livez", "liveness does no I/O"
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            assert container[probe]["timeoutSeconds"] >= 2, "timeouts stated, not Kubernetes' 1 s default"
        assert container["resources"]["limits"]["memory"] == "1Gi"
        config = next(c for c in built() if c["kind"] == "ConfigMap" and c["metadata"]["name"].startswith(f"{name}-"))
        assert config["data"][f"{name.upper()}_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL", "TLS to the brokers"
        ca = config["data"][f"{name.upper()}_KAFKA_SSL_CAFILE"]
        mounts = {m["mountPath"] for m in container["volumeMounts"]}
        assert any(ca.startswith(mount) for mount in mounts), "the CA is mounted where the setting says"
        sources = {next(iter(k for k in s if k.endswith("Ref"))): s for s in container["envFrom"]}
        assert sources["secretRef"]["secretRef"]["name"] == f"liandong-{name}"
    assert {p["metadata"]["name"] for p in by_kind["PodDisruptionBudget"]} == set(deployments)
    assert "Secret" not in by_kind, "secrets are created outside git"
    for deployment in deployments.values():
        pod = deployment["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert "@sha256:" in container["image"], "production pins images by digest, never a tag"
        assert container["imagePullPolicy"] == "Always"
        assert pod["securityContext"]["runAsGroup"] >= 10000
        assert pod["securityContext"]["fsGroup"] >= 10000
        for bound in ("requests", "limits"):
            assert "ephemeral-storage" in container["resources"][bound]
        assert {c["topologyKey"] for c in pod["topologySpreadConstraints"]} >= {"kubernetes.io/hostname"}
    policies = {p["metadata"]["name"]: p["spec"] for p in by_kind["NetworkPolicy"]}
    assert set(policies) == set(deployments)
    for name, policy in policies.items():
        assert policy["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": name}
        assert policy["policyTypes"] == ["Ingress", "Egress"]
        egress_ports = {port["port"] for rule in policy["egress"] for port in rule.get("ports", [])}
        assert {53, 9093, 5432} <= egress_ports, f"{name}: DNS, the brokers (TLS) and its database"
    court_from = [peer for rule in policies["court"]["ingress"] for peer in rule["from"]]
    assert {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "police"}}} in court_from, "the claim check"
    police_to = [peer for rule in policies["police"]["egress"] for peer in rule.get("to", [])]
    assert {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "court"}}} in police_to


def kube_score() -> str | None:
    found = shutil.which("kube-score")
    if found is None:
        installed = Path(os.environ.get("GOPATH", Path.home() / "go")) / "bin" / "kube-score"
        found = str(installed) if installed.exists() else None
    return found


def test_kube_score_finds_nothing_critical_or_to_warn_of_in_production(tmp_path: Path) -> None:
    binary = kube_score()
    if binary is None:
        assert os.environ.get("CI") != "true", "CI installs kube-score (go install github.com/zegl/kube-score/...)"
        pytest.skip("kube-score is not installed (go install github.com/zegl/kube-score/cmd/kube-score@v1.20.0)")
    manifests = tmp_path / "production.yaml"
    manifests.write_text(yaml.safe_dump_all(built()))
    scored = subprocess.run(
        [binary, "score", "--output-format", "ci", str(manifests)], capture_output=True, text=True, timeout=120
    )
    findings = [line for line in scored.stdout.splitlines() if line.startswith(("[CRITICAL]", "[WARNING]"))]
    assert findings == [], "\n".join(findings)
    assert scored.returncode == 0, scored.stdout + scored.stderr
    assert scored.stdout.count("[OK]") >= 60, "the checks ran"


COMPOSE = K8S.parent / "docker-compose.yml"
SECRETS = (
    "POSTGRES_PASSWORD",
    "COURT_SECRET_KEY",
    "POLICE_SECRET_KEY",
    "PROCURATORATE_SECRET_KEY",
    "POLICE_COURT_CLIENT_SECRET",
    "COURT_PEER_CLIENT_SECRET",
    "PROCURATORATE_PEER_CLIENT_SECRET",
    "KAFKA_ADMIN_PASSWORD",
    "KAFKA_COURT_PASSWORD",
    "KAFKA_POLICE_PASSWORD",
    "KAFKA_PROCURATORATE_PASSWORD",
)


def compose_config(tmp_path: Path, env_file: Path | None) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose")
    if binary is None:
        assert os.environ.get("CI") != "true", "CI installs docker-compose"
        pytest.skip("docker-compose is not installed (apt-get install docker-compose)")
    environment = {k: v for k, v in os.environ.items() if k not in SECRETS and k != "LIANDONG_ENVIRONMENT"}
    command = [binary, "--project-directory", str(tmp_path), "-f", str(COMPOSE)]
    if env_file is not None:
        command += ["--env-file", str(env_file)]
    return subprocess.run([*command, "config"], capture_output=True, text=True, env=environment, timeout=60)


def test_compose_refuses_to_start_without_its_secrets(tmp_path: Path) -> None:
    refused = compose_config(tmp_path, None)
    assert refused.returncode != 0
    assert "deploy/.env.example" in refused.stderr, "the message says what to do"
    for secret in SECRETS:
        partial = tmp_path / f"without-{secret}.env"
        lines = (K8S.parent / ".env.example").read_text().splitlines()
        partial.write_text("\n".join(line for line in lines if not line.startswith(f"{secret}=")))
        missing = compose_config(tmp_path, partial)
        assert missing.returncode != 0, f"{secret} is required"
        assert secret in missing.stderr


def test_compose_runs_with_the_example_env_and_production_unless_it_says_otherwise(tmp_path: Path) -> None:
    example = K8S.parent / ".env.example"
    configured = compose_config(tmp_path, example)
    assert configured.returncode == 0, configured.stderr
    services = yaml.safe_load(configured.stdout)["services"]
    assert "liandong-dev" not in configured.stdout, "no development password left as a default"
    local = {line.split("=", 1)[0]: line.split("=", 1)[1] for line in example.read_text().splitlines() if "=" in line}
    assert services["court"]["environment"]["COURT_ENVIRONMENT"] == local["LIANDONG_ENVIRONMENT"]
    production_env = tmp_path / "production.env"
    production_env.write_text(
        "\n".join(line for line in example.read_text().splitlines() if not line.startswith("LIANDONG_ENVIRONMENT="))
    )
    production = yaml.safe_load(compose_config(tmp_path, production_env).stdout)["services"]
    for name in ("court", "police", "procuratorate"):
        assert production[name]["environment"][f"{name.upper()}_ENVIRONMENT"] == "production"


def mounts(service: dict[str, Any]) -> set[tuple[str, str, bool]]:
    """A service's volumes as (source, target, read-only), in either of docker-compose's renderings."""
    found = set()
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            source, target, *mode = volume.split(":")
            found.add((source, target, mode == ["ro"]))
        else:
            found.add((volume["source"], volume["target"], bool(volume.get("read_only", False))))
    return found


def test_compose_reaches_the_broker_over_tls_only(tmp_path: Path) -> None:
    """Every client of the compose broker speaks SASL_SSL and checks the broker against the CA in the kafka-tls
    volume; the broker's keystore is made once by the kafka-tls service and its configuration appends the TLS
    listener (deploy/kafka/tls.properties.in, the same file the jar-only broker uses with KAFKA_TLS_DIR)."""
    configured = compose_config(tmp_path, K8S.parent / ".env.example")
    assert configured.returncode == 0, configured.stderr
    services = yaml.safe_load(configured.stdout)["services"]
    assert "SASL_PLAINTEXT" not in configured.stdout
    ca = "/etc/liandong/kafka-tls/ca.crt"
    for name in ("court", "police", "procuratorate"):
        environment = services[name]["environment"]
        assert environment[f"{name.upper()}_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
        assert environment[f"{name.upper()}_KAFKA_SSL_CAFILE"] == ca
    provision = services["kafka-provision"]["environment"]
    assert (provision["LIANDONG_KAFKA_SECURITY_PROTOCOL"], provision["LIANDONG_KAFKA_SSL_CAFILE"]) == ("SASL_SSL", ca)
    for name in ("court", "police", "procuratorate", "kafka-provision", "kafka-ui"):
        assert ("kafka-tls", "/etc/liandong/kafka-tls", True) in mounts(services[name]), name
    broker = services["kafka"]
    assert broker["depends_on"]["kafka-tls"]["condition"] == "service_completed_successfully"
    assert ("kafka-tls", "/var/lib/kafka/tls", True) in mounts(broker)
    assert any(target == "/opt/liandong/tls.properties.in" for _, target, _ in mounts(broker))
    assert "tls.sh /tls kafka" in " ".join(services["kafka-tls"]["entrypoint"])
    script = (K8S.parent / "kafka" / "compose-broker.sh").read_text()
    assert "tls.properties.in" in script
    assert "security.protocol=SASL_SSL" in script, "the broker's health check speaks TLS too"


def test_the_provisioning_job_validates() -> None:
    (job,) = documents((K8S / "jobs" / "kafka-provision.yaml").read_text())
    kubernetes_validate.validate(job, VERSION, strict=True)
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["command"][-2:] == ["kafka", "provision"]
    assert "@sha256:" in container["image"]
