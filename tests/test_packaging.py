"""The wheel works on its own: installed (not editable) into a fresh virtualenv, `llmfinops demo` runs on the
price tables and sample data shipped inside it."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_built_wheel_runs_the_demo_from_a_fresh_virtualenv(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path / "dist"), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "dist").glob("llmfinops-*.whl")

    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    # The dependencies come from this test environment (no network); llmfinops itself only from the wheel.
    target_site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (target_site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )

    located = subprocess.run(
        [
            str(python),
            "-c",
            "import llmfinops, llmfinops.resources as r; print(llmfinops.__file__); print(r.pricing_dir())",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    ).stdout.split()
    assert located[0].startswith(str(environment)), "llmfinops was imported from the checkout, not the wheel"
    assert located[1].endswith("/llmfinops/_data/pricing")

    demo = subprocess.run(
        [str(environment / "bin" / "llmfinops"), "demo", "--out", str(tmp_path / "acme")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert demo.returncode == 0, demo.stderr
    assert "Chargeback 2026-10" in demo.stdout
    assert "Unallocated" in demo.stdout
