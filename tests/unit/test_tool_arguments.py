"""The load and fault tools refuse what they cannot do, with a clear message and a non-zero exit, before they start
anything; a run past its time bound exits 3."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tools import chaos


@pytest.mark.parametrize(
    "argv",
    [
        ["--matters", "0"],
        ["--matters", "5001"],
        ["--faults-every", "0.1"],
        ["--stop-seconds", "500"],
        ["--deadline", "10"],
        ["--matters", "many"],
    ],
)
def test_chaos_refuses_what_is_out_of_range(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        chaos.parse(argv)
    assert exited.value.code == 2
    assert "error" in capsys.readouterr().err


def test_chaos_draws_a_seed_and_bounds_its_time() -> None:
    settings = chaos.parse(["--matters", "30"])
    assert 1 <= settings.seed < 10**6
    assert settings.deadline == 600 + 6 * 30
    assert chaos.parse(["--seed", "7"]).seed == 7


@pytest.mark.parametrize(
    "failure",
    [chaos.ChaosTimeout("the system did not settle"), subprocess.CalledProcessError(1, ["kafka.sh", "start"])],
)
def test_a_run_that_cannot_finish_exits_3(
    failure: Exception, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def run(*_: object) -> dict[str, object]:
        raise failure

    monkeypatch.setattr(chaos, "run", run)
    monkeypatch.setattr("tests.support.infra.can_run_local_broker", lambda: True)
    monkeypatch.setenv("LIANDONG_CHAOS_DATABASE_URL", "postgresql+asyncpg://unused/postgres")
    assert chaos.main(["--matters", "5", "--seed", "3", "--out", str(tmp_path)]) == 3
    assert "seed 3" in capsys.readouterr().err
