"""Benchmark the pipeline against DuckDB's own reading of the same file (issue 10). Not part of the test run.

    python bench/run.py --rows 1000000 [--format csv|jsonl] [--keep DIR] [--write-docs]

Steps, each in a fresh subprocess so its peak memory is its own:
  (a) raw:      DuckDB `read_csv` / `read_json` of the file into a table of a fresh database file (the floor)
  (b) ingest:   `ingest_files` of that file into a fresh workspace
  (c) reingest: the same file again (the sha256 short-circuit)
  (d) overlap:  a file sharing half its request ids with the first (dedupe)
  (e) month:    `allocate_month` + `build_chargeback` for the month
  (f) run-month: the monthly run end to end (the inbox is empty: reconcile, allocate, every report written)

Each step reports wall time of the timed work (opening the store, which migrates and syncs the price tables, is
timed apart as `open s`), rows/s, the process's peak RSS (VmHWM) and the database size after the step.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.generate import BENCH_CONFIG, MONTH, generate_pair  # noqa: E402

STEPS = ("raw", "ingest", "reingest", "overlap", "month", "runmonth")
LABELS = {
    "raw": "(a) raw DuckDB read",
    "ingest": "(b) ingest",
    "reingest": "(c) re-ingest (no-op)",
    "overlap": "(d) ingest overlap (dedupe)",
    "month": "(e) allocate + chargeback",
    "runmonth": "(f) run-month end to end",
}


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _db_size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + ".wal")) if p.exists()) / 1e6


def run_step(step: str, file: Path, workspace_dir: Path, fmt: str) -> dict[str, Any]:
    """Run one step in this process and return its measurements."""
    import duckdb

    result: dict[str, Any] = {"step": step}
    if step == "raw":
        db_path = workspace_dir / "raw.duckdb"
        db_path.unlink(missing_ok=True)
        connection = duckdb.connect(str(db_path))
        reader = "read_csv(?, header = true)" if fmt == "csv" else "read_json(?, format = 'newline_delimited')"
        started = time.perf_counter()
        connection.execute(f"CREATE TABLE raw AS SELECT * FROM {reader}", [str(file)])
        rows = connection.execute("SELECT count(*) FROM raw").fetchone()[0]
        connection.close()
        result.update(seconds=time.perf_counter() - started, rows=rows, db_mb=_db_size_mb(db_path), open_s=0.0)
        db_path.unlink(missing_ok=True)
    else:
        from llmfinops.config import load_config
        from llmfinops.store import open_store
        from llmfinops.workspace import Workspace

        workspace = Workspace(workspace_dir)
        opened = time.perf_counter()
        database = open_store(workspace)
        result["open_s"] = time.perf_counter() - opened
        try:
            started = time.perf_counter()
            if step in ("ingest", "reingest", "overlap"):
                from llmfinops.ingest.load import ingest_files

                report = ingest_files(database, [file])
                result["seconds"] = time.perf_counter() - started
                outcome = report.files[0]
                result.update(
                    rows=outcome.rows_read,
                    outcome=outcome.outcome,
                    loaded=outcome.rows_loaded,
                    quarantined=outcome.rows_quarantined,
                    duplicate=outcome.rows_duplicate,
                )
            elif step == "runmonth":
                from llmfinops.monthly import run_month
                from llmfinops.periods import parse_month
                from llmfinops.render.bundle import render_month_reports

                month_run = run_month(
                    workspace, database, load_config(workspace.config_path), parse_month(MONTH), render_month_reports
                )
                result["seconds"] = time.perf_counter() - started
                result["rows"] = int(database.scalar("SELECT count(*) FROM usage"))
                result["files"] = len(month_run.files)
            else:
                from llmfinops.allocate.compute import allocate_month
                from llmfinops.periods import parse_month
                from llmfinops.reports.build import build_chargeback

                config = load_config(workspace.config_path)
                month = parse_month(MONTH)
                allocation = allocate_month(database, config, month)
                result["allocate_s"] = time.perf_counter() - started
                chargeback = build_chargeback(database, config, month)
                result["seconds"] = time.perf_counter() - started
                result["chargeback_s"] = result["seconds"] - result["allocate_s"]
                result["rows"] = int(database.scalar("SELECT count(*) FROM usage"))
                result["direct_cost"] = str(allocation.direct_cost)
                result["total_chargeback"] = str(chargeback.total_chargeback)
        finally:
            database.close()
        result["db_mb"] = _db_size_mb(workspace.database_path)
    result["peak_mb"] = _peak_rss_mb()
    return result


def _run_in_subprocess(step: str, file: Path, workspace_dir: Path, fmt: str) -> dict[str, Any]:
    command = [sys.executable, __file__, "--step", step, "--file", str(file), "--workspace", str(workspace_dir)]
    command += ["--format", fmt]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"step {step} failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def machine_description() -> str:
    import duckdb

    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = platform.processor() or platform.machine()
    for line in Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []:
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return (
        f"{os.cpu_count()} cores (`nproc`), {memory_gb:.1f} GiB memory, {cpu}; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}; DuckDB {duckdb.__version__}"
    )


def markdown_table(rows: int, fmt: str, file_mb: float, results: list[dict[str, Any]]) -> str:
    by_step = {result["step"]: result for result in results}
    lines = [
        f"**{rows:,} rows, {fmt.upper()}** ({file_mb:,.0f} MB file; overlap file shares {rows // 2:,} request ids)",
        "",
        "| step | wall s | rows/s | peak RSS MB | DB MB | open s | notes |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for result in results:
        seconds = result["seconds"]
        rate = f"{result['rows'] / seconds:,.0f}" if seconds > 0 and result["step"] != "reingest" else "—"
        notes = ""
        if result["step"] in ("ingest", "overlap"):
            notes = (
                f"read {result['rows']:,}: loaded {result['loaded']:,}, quarantined {result['quarantined']:,}, "
                f"duplicate {result['duplicate']:,}"
            )
        elif result["step"] == "reingest":
            notes = result["outcome"]
        elif result["step"] == "runmonth":
            notes = f"{result['files']} report files over {result['rows']:,} stored rows"
        elif result["step"] == "month":
            notes = (
                f"allocate {result['allocate_s']:.2f} s + chargeback {result['chargeback_s']:.2f} s over "
                f"{result['rows']:,} stored rows; total {result['total_chargeback']}"
            )
        lines.append(
            f"| {LABELS[result['step']]} | {seconds:.2f} | {rate} | {result['peak_mb']:,.0f} | "
            f"{result['db_mb']:,.0f} | {result['open_s']:.2f} | {notes} |"
        )
    ratio = by_step["ingest"]["seconds"] / by_step["raw"]["seconds"]
    lines += ["", f"**(b)/(a) = {ratio:.2f}×** (ingest time over raw DuckDB read time on the same file)"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", type=Path, default=REPO / "bench" / "data", help="where generated files are kept")
    parser.add_argument("--keep", type=Path, help="keep the workspace in this folder")
    parser.add_argument("--write-docs", action="store_true", help="append the table to docs/performance.md")
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--workspace", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.step:
        print(json.dumps(run_step(args.step, args.file, args.workspace, args.format)))
        return

    started = time.perf_counter()
    main_file, overlap_file = generate_pair(args.data, rows=args.rows, fmt=args.format, seed=args.seed)
    print(f"files ready in {time.perf_counter() - started:.1f} s: {main_file.path}, {overlap_file.path}", flush=True)

    from llmfinops.workspace import create_workspace

    if args.keep is not None and args.keep.exists() and any(args.keep.iterdir()):
        raise SystemExit(f"{args.keep}: not empty; --keep needs a new or empty folder")
    root = args.keep or Path(tempfile.mkdtemp(prefix="llmfinops-bench-")) / "workspace"
    create_workspace(root, BENCH_CONFIG)
    results = []
    try:
        for step, file in (
            ("raw", main_file.path),
            ("ingest", main_file.path),
            ("reingest", main_file.path),
            ("overlap", overlap_file.path),
            ("month", main_file.path),
            ("runmonth", main_file.path),
        ):
            result = _run_in_subprocess(step, file, root, args.format)
            print(f"{LABELS[step]}: {result['seconds']:.2f} s, peak {result['peak_mb']:.0f} MB", flush=True)
            results.append(result)
    finally:
        if args.keep is None:
            shutil.rmtree(root.parent, ignore_errors=True)
    table = markdown_table(args.rows, args.format, main_file.path.stat().st_size / 1e6, results)
    print()
    print(table)
    if args.write_docs:
        docs = REPO / "docs" / "performance.md"
        section = f"\n\n### Run of {time.strftime('%Y-%m-%d')} on {machine_description()}\n\n{table}\n"
        with docs.open("a", encoding="utf-8") as handle:
            handle.write(section)
        print(f"\nappended to {docs}")


if __name__ == "__main__":
    main()
