"""`make offline-bundle`: what a machine without internet access needs to install and run Liandong — political-legal
networks are isolated. Into dist/offline/ (or --out):

- wheels/   the project and every dependency at the versions constraints.txt pins (pip install --no-index);
- kafka/    Apache Kafka's jars (and the tools) from the cache deploy/kafka/kafka.sh fills, with kafka.sh itself;
- images/   the three service images as `docker save` tarballs, where a Docker engine is at hand (else a note says
            how to make them on a machine that has one);
- INSTALL.txt and SHA256SUMS (checked on the isolated side with `sha256sum -c SHA256SUMS`).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("court", "police", "procuratorate")
INSTALL = """Liandong, offline
=================

On the isolated machine (Python 3.11, Java 17 for the broker):

  sha256sum -c SHA256SUMS
  python3 -m venv /opt/liandong/venv
  /opt/liandong/venv/bin/pip install --no-index --find-links wheels liandong
  /opt/liandong/venv/bin/python -m liandong migrations --service court status   # with COURT_DATABASE_URL set

The broker from the jars: copy kafka/ and run
  LIANDONG_CACHE=$PWD/kafka-cache kafka/kafka.sh start
after placing kafka/libs as kafka-cache/kafka-<version>/libs (kafka.sh fetches nothing when they are there).

Images: docker load -i images/<service>.tar (see images/README.txt when they were not made here).
"""


def run(command: list[str], **kwargs: object) -> None:
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, cwd=ROOT, **kwargs)  # type: ignore[call-overload]


def wheels(out: Path) -> None:
    target = out / "wheels"
    target.mkdir(parents=True, exist_ok=True)
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "-c", "constraints.txt", "-w", str(target), "."])


def kafka(out: Path) -> None:
    run(["bash", "deploy/kafka/kafka.sh", "fetch"])
    version = next(
        line.split(">")[1].split("<")[0]
        for line in (ROOT / "deploy" / "kafka" / "pom.xml").read_text().splitlines()
        if "<kafka.version>" in line
    )
    cache = Path(
        os.environ.get("LIANDONG_CACHE", Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "liandong")
    )
    target = out / "kafka"
    shutil.copytree(cache / f"kafka-{version}" / "libs", target / "libs", dirs_exist_ok=True)
    for name in (
        "kafka.sh",
        "pom.xml",
        "server.properties.in",
        "tls.sh",
        "tls.properties.in",
        "cluster.properties.in",
        "log4j2.properties",
    ):
        source = ROOT / "deploy" / "kafka" / name
        if source.exists():
            shutil.copy2(source, target / name)


def images(out: Path) -> None:
    target = out / "images"
    target.mkdir(parents=True, exist_ok=True)
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "info"], capture_output=True).returncode != 0:
        (target / "README.txt").write_text(
            "No Docker engine where this bundle was made. On a machine with one, from a checkout of the release:\n"
            + "".join(
                f"  docker build -f deploy/service/Dockerfile --build-arg SERVICE={s} -t liandong/{s}:release . &&"
                f" docker save liandong/{s}:release -o images/{s}.tar\n"
                for s in SERVICES
            )
        )
        print("images: no Docker engine here; images/README.txt says how to make them", flush=True)
        return
    for service in SERVICES:
        tag = f"liandong/{service}:release"
        run([docker, "build", "-f", "deploy/service/Dockerfile", "--build-arg", f"SERVICE={service}", "-t", tag, "."])
        run([docker, "save", tag, "-o", str(target / f"{service}.tar")])


def checksums(out: Path) -> None:
    lines = []
    for path in sorted(p for p in out.rglob("*") if p.is_file() and p.name != "SHA256SUMS"):
        lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.relative_to(out)}")
    (out / "SHA256SUMS").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "offline")
    parser.add_argument(
        "--parts", default="wheels,kafka,images", help="which parts, comma-separated: wheels, kafka, images"
    )
    args = parser.parse_args()
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    if not parts <= {"wheels", "kafka", "images"}:
        parser.error("--parts: wheels, kafka, images")
    args.out.mkdir(parents=True, exist_ok=True)
    for part, make in (("wheels", wheels), ("kafka", kafka), ("images", images)):
        if part in parts:
            make(args.out)
    (args.out / "INSTALL.txt").write_text(INSTALL)
    checksums(args.out)
    print(f"offline bundle in {args.out}", flush=True)


if __name__ == "__main__":
    main()
