"""The demo: a workspace built from the bundled sample data, ingested and ready for every command."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from llmfinops.config import load_config
from llmfinops.db.connection import Database
from llmfinops.errors import WorkspaceError
from llmfinops.ingest.load import IngestProgress, IngestReport, ingest_files
from llmfinops.monthly import MonthResult, ReportRenderer, run_month
from llmfinops.periods import Month
from llmfinops.resources import sample_data_dir
from llmfinops.store import open_store
from llmfinops.workspace import CONFIG_FILE, Workspace, create_workspace

_NOT_INPUT = {CONFIG_FILE, "README.md"}


@dataclass(frozen=True)
class Demo:
    workspace: Workspace
    ingest: IngestReport
    latest_month: Month
    month_run: MonthResult  # the monthly chargeback run of the latest month


def sample_input_files() -> list[Path]:
    """The bundled sample exports and logs (everything in sample_data/ but its config and README)."""
    return sorted(path for path in sample_data_dir().iterdir() if path.is_file() and path.name not in _NOT_INPUT)


def build_demo(out_dir: Path | None, render: ReportRenderer, progress: IngestProgress | None = None) -> Demo:
    """Create the demo workspace in `out_dir` (new or empty) or a temporary folder, drop the sample data into its
    inbox and do the monthly chargeback run of the latest month (reports in reports/YYYY-MM/)."""
    if out_dir is None:
        out_dir = Path(tempfile.mkdtemp(prefix="llmfinops-demo-"))
    elif out_dir.exists() and any(out_dir.iterdir()):
        raise WorkspaceError(f"{out_dir}: not empty.", "Give --out a new or empty folder.")
    config_text = (sample_data_dir() / CONFIG_FILE).read_text(encoding="utf-8")
    workspace = create_workspace(out_dir, config_text)
    inbox_files = []
    for sample in sample_input_files():
        inbox_files.append(workspace.inbox_dir / sample.name)
        shutil.copyfile(sample, inbox_files[-1])
    database = open_store(workspace)
    try:
        # the inbox first, to learn the latest month; the run then finds every file already ingested
        report = ingest_files(database, inbox_files, progress=progress)
        latest = latest_usage_month(database)
        month_run = run_month(workspace, database, load_config(workspace.config_path), latest, render)
        return Demo(workspace, report, latest, month_run)
    finally:
        database.close()


def latest_usage_month(database: Database) -> Month:
    latest = database.scalar("SELECT max(ts) FROM usage")
    if latest is None:
        raise WorkspaceError(f"{database.path}: no usage loaded.", "Ingest a file first: `llmfinops ingest PATH`.")
    return Month(latest.year, latest.month)
