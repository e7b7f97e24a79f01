"""The offline bundle installs where there is no index: its wheels into a fresh virtualenv with `--no-index`, and
the services import from it; its checksums hold."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_bundles_wheels_install_without_an_index(tmp_path: Path) -> None:
    bundle = tmp_path / "offline"
    made = subprocess.run(
        [sys.executable, "-m", "tools.offline_bundle", "--out", str(bundle), "--parts", "wheels,images"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    assert any(p.name.startswith("liandong-") for p in (bundle / "wheels").iterdir()), "the project's own wheel"
    assert (bundle / "INSTALL.txt").exists()
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=bundle, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    isolated = tmp_path / "venv"
    venv.create(isolated, with_pip=True)
    python = isolated / "bin" / "python"
    installed = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-index",
            "--find-links",
            str(bundle / "wheels"),
            "liandong",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    imported = subprocess.run(
        [
            str(python),
            "-c",
            "import liandong_court.main, liandong_police.main, liandong_procuratorate.main; print('ok')",
        ],
        cwd=tmp_path,  # not the checkout: what is imported is what was installed
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert imported.stdout.strip() == "ok", imported.stderr
