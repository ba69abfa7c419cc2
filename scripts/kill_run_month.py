"""Kill `llmfinops run-month` with SIGKILL at random points, N times, and check that every time the next run
completes and writes the same reports as an uninterrupted run (issue 9, done-when 3).

    python scripts/kill_run_month.py --times 20 [--seed 7]

Works on a fresh demo workspace whose inbox holds the bundled sample data, so the killed runs fall in every stage:
ingest of six files, pricing, reconciliation, allocation, report writing. Prints one line per kill and exits 1 on
the first run that does not complete or differs.
"""

from __future__ import annotations

import argparse
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _llmfinops(workspace: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "llmfinops", "-w", str(workspace), *args]


def _fresh_workspace(folder: Path) -> Path:
    subprocess.run([sys.executable, "-m", "llmfinops", "init", str(folder)], check=True, capture_output=True)
    shutil.copyfile(ROOT / "sample_data" / "finops.yaml", folder / "finops.yaml")
    for sample in sorted((ROOT / "sample_data").iterdir()):
        if sample.name not in ("finops.yaml", "README.md"):
            shutil.copyfile(sample, folder / "inbox" / sample.name)
    return folder


def _reports(workspace: Path) -> dict[str, bytes]:
    folder = workspace / "reports" / "2026-10"
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*")) if not path.name.startswith(".")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--times", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    generator = random.Random(arguments.seed)
    with tempfile.TemporaryDirectory() as scratch:
        reference = _fresh_workspace(Path(scratch) / "reference")
        started = time.monotonic()
        subprocess.run(_llmfinops(reference, "run-month", "--month", "2026-10"), capture_output=True, check=False)
        duration = time.monotonic() - started
        expected = _reports(reference)
        print(f"uninterrupted run: {duration:.1f} s, {len(expected)} report files")
        for attempt in range(1, arguments.times + 1):
            workspace = _fresh_workspace(Path(scratch) / f"killed-{attempt}")
            delay = generator.uniform(0.05, duration)
            process = subprocess.Popen(
                _llmfinops(workspace, "run-month", "--month", "2026-10"),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
            process.wait()
            after = subprocess.run(
                _llmfinops(workspace, "run-month", "--month", "2026-10"), capture_output=True, text=True, check=False
            )
            same = _reports(workspace) == expected
            print(f"kill {attempt:2d} at {delay:5.2f} s: next run exit {after.returncode}, reports identical: {same}")
            if after.returncode not in (0, 3) or not same:
                print(after.stderr)
                return 1
            shutil.rmtree(workspace)
    print(f"all {arguments.times} killed runs recovered")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
