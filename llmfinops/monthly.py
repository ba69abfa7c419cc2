"""The monthly chargeback run and the close of a month.

`run_month` is the whole close in one transaction: ingest what is new in the inbox, price, reconcile, allocate,
build every report; the reports are written after the commit, each file atomically (a temporary file renamed), so
a run killed at any point leaves the database as it was before the run or as after it, and the next run completes
with the same result. `close_month` does the same without ingesting and stores the month as an immutable snapshot.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from llmfinops.allocate.compute import MonthAllocation, allocate_month, store_allocation
from llmfinops.closing import closed_months, refuse_if_closed
from llmfinops.config import Config
from llmfinops.db.connection import Database
from llmfinops.errors import UsageError
from llmfinops.ingest.load import IngestProgress, IngestReport, expand_paths, ingest_files
from llmfinops.periods import Month
from llmfinops.prices.apply import current_pricing_hash
from llmfinops.reconcile.compute import MonthReconciliation, reconcile_month, store_reconciliation
from llmfinops.reports.build import ChargebackReport, ShowbackReport, build_chargeback, build_showback
from llmfinops.runs import record_inputs, recorded_run, utc_now
from llmfinops.workspace import Workspace


@dataclass(frozen=True)
class MonthReports:
    """The month's reports, to be rendered into files by the caller (the core does not render)."""

    chargeback: ChargebackReport
    showback: ShowbackReport
    reconciliation: MonthReconciliation


#: Renders a month's reports into files by name (llmfinops.render.bundle.render_month_reports).
ReportRenderer = Callable[[MonthReports], dict[str, bytes]]


@dataclass(frozen=True)
class BudgetBreach:
    cost_center: str
    name: str
    actual: Decimal
    budget: Decimal


@dataclass(frozen=True)
class MonthResult:
    """What a monthly run (or a close) computed and wrote."""

    month: str
    ingest: IngestReport | None
    reconciliation: MonthReconciliation
    allocation: MonthAllocation
    chargeback: ChargebackReport
    budgets_breached: tuple[BudgetBreach, ...]
    requests: int
    unpriced_requests: int
    quarantined_rows: int  # in the files this run ingested
    report_dir: Path
    files: tuple[str, ...]
    failed_checks: tuple[str, ...]
    closed: bool = False

    @property
    def unpriced_percent(self) -> Decimal:
        return (
            (Decimal(self.unpriced_requests) * 100 / self.requests).quantize(Decimal("0.01"))
            if self.requests
            else Decimal(0)
        )


def bytes_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def run_month(
    workspace: Workspace,
    database: Database,
    config: Config,
    month: Month,
    render: ReportRenderer,
    *,
    progress: IngestProgress | None = None,
    stage: Callable[[str], None] = lambda _: None,
) -> MonthResult:
    """Ingest the inbox's new files, then price, reconcile, allocate and write every report of the month."""
    arguments = {"month": month.label, "inbox": str(workspace.inbox_dir)}
    with recorded_run(database, "run-month", arguments) as run_id:
        refuse_if_closed(database, month, "run-month")
        stage("ingest: new files in the inbox")
        inbox_files = expand_paths([workspace.inbox_dir]) if workspace.inbox_dir.is_dir() else []
        ingest = ingest_files(database, inbox_files, progress=progress)
        result, reports = _compute(workspace, database, config, month, run_id, render, stage, ingest=ingest)
    stage(f"write reports to {result.report_dir}")
    _write_reports(result.report_dir, reports)
    return result


def close_month(
    workspace: Workspace,
    database: Database,
    config: Config,
    month: Month,
    render: ReportRenderer,
    *,
    stage: Callable[[str], None] = lambda _: None,
) -> MonthResult:
    """Compute the month once more from what is loaded and freeze it: allocation, reports and input hashes."""
    with recorded_run(database, "close", {"month": month.label}) as run_id:
        refuse_if_closed(database, month, "close")
        later = [closed.month for closed in closed_months(database) if closed.month > month.label]
        if later:
            raise UsageError(
                f"close: a later month ({later[0]}) is closed already; months are closed in order.",
                f"Reopen {later[-1]} first, or leave {month.label} open (its late data then lands in an open month).",
            )
        result, reports = _compute(workspace, database, config, month, run_id, render, stage, ingest=None)
        stage("store the snapshot")
        _store_snapshot(database, config, month, run_id, reports)
    stage(f"write reports to {result.report_dir}")
    _write_reports(result.report_dir, reports)
    return MonthResult(**{**result.__dict__, "closed": True})


def reopen_month(database: Database, month: Month) -> None:
    """Unfreeze a closed month (recorded). Later closed months would count its corrections twice: refused."""
    with recorded_run(database, "reopen", {"month": month.label}) as run_id:
        closed = [item.month for item in closed_months(database)]
        if month.label not in closed:
            raise UsageError(f"reopen: {month.label} is not closed.", "llmfinops runs lists the closes and reopens.")
        later = [label for label in closed if label > month.label]
        if later:
            raise UsageError(
                f"reopen: {later[-1]} is closed too and may hold corrections of {month.label}.",
                f"Reopen the later months first: llmfinops reopen --month {later[-1]}",
            )
        database.execute(
            "UPDATE closed_months SET reopened_at = ?, reopen_run_id = ? WHERE month = ? AND reopened_at IS NULL",
            [utc_now(), run_id, month.label],
        )


def _compute(
    workspace: Workspace,
    database: Database,
    config: Config,
    month: Month,
    run_id: int,
    render: ReportRenderer,
    stage: Callable[[str], None],
    *,
    ingest: IngestReport | None,
) -> tuple[MonthResult, dict[str, bytes]]:
    stage("reconcile: estimate vs provider usage vs invoices")
    reconciliation = reconcile_month(database, config, month)
    store_reconciliation(database, reconciliation, run_id)
    stage("allocate: rules, shared pools, seats, invoice true-up, corrections of closed months")
    allocation = allocate_month(database, config, month)
    store_allocation(database, allocation, run_id)
    stage("build reports")
    chargeback = build_chargeback(database, config, month)
    reports = render(MonthReports(chargeback, build_showback(database, config, month), reconciliation))
    inputs = _inputs(workspace, database)
    reports["manifest.json"] = (json.dumps({"month": month.label, **inputs}, indent=2) + "\n").encode("utf-8")
    record_inputs(database, run_id, inputs)
    requests, unpriced = database.fetchone(
        """
        SELECT coalesce(sum(request_count), 0), coalesce(sum(request_count) FILTER (WHERE NOT priced), 0)
        FROM usage_for_totals WHERE ts >= ? AND ts < ?
        """,
        [month.start, month.end],
    )
    breaches = tuple(
        BudgetBreach(line.cost_center, line.name, line.actual, line.monthly_budget)
        for line in chargeback.lines
        if line.monthly_budget is not None and line.actual > line.monthly_budget
    )
    result = MonthResult(
        month=month.label,
        ingest=ingest,
        reconciliation=reconciliation,
        allocation=allocation,
        chargeback=chargeback,
        budgets_breached=breaches,
        requests=int(requests),
        unpriced_requests=int(unpriced),
        quarantined_rows=sum(file.rows_quarantined for file in ingest.files) if ingest else 0,
        report_dir=workspace.reports_dir / month.label,
        files=tuple(sorted(reports)),
        failed_checks=(),
    )
    return MonthResult(**{**result.__dict__, "failed_checks": _failed_checks(result, config)}), reports


def _inputs(workspace: Workspace, database: Database) -> dict[str, Any]:
    """What the month's numbers were computed from: the config, the price tables and every file loaded."""
    return {
        "config_sha256": bytes_sha256(workspace.config_path.read_bytes()),
        "pricing_hash": current_pricing_hash(database),
        "files": [
            {"name": Path(path).name, "sha256": sha256, "format": format_name}
            for path, sha256, format_name in database.fetchall(
                "SELECT path, sha256, format FROM sources ORDER BY sha256"
            )
        ],
    }


def _failed_checks(result: MonthResult, config: Config) -> tuple[str, ...]:
    checks = [
        f"reconciliation: {provider.provider} usage variance {provider.usage_variance_percent:+}% is outside "
        f"±{result.reconciliation.tolerance_percent}%"
        for provider in result.reconciliation.outside_tolerance
    ]
    limit = config.run_month.max_unpriced_percent
    if result.unpriced_percent > limit:
        checks.append(
            f"unpriced usage: {result.unpriced_requests:,} of {result.requests:,} requests "
            f"({result.unpriced_percent}%) have no price, above {limit}%"
        )
    if config.run_month.fail_on_budget_breach:
        checks += [
            f"budget: {breach.name} spent {breach.actual:,.2f} of {breach.budget:,.2f}"
            for breach in result.budgets_breached
        ]
    return tuple(checks)


def _store_snapshot(database: Database, config: Config, month: Month, run_id: int, reports: dict[str, bytes]) -> None:
    manifest = json.loads(reports["manifest.json"])
    database.execute(
        "INSERT INTO closed_months (month, closed_at, close_run_id, config_hash, pricing_hash) VALUES (?, ?, ?, ?, ?)",
        [month.label, utc_now(), run_id, manifest["config_sha256"], manifest["pricing_hash"]],
    )
    database.execute(
        """
        INSERT INTO closed_allocation
        SELECT month, ?, cost_center, provider, category, pool, requests, allocated_cost, chargeback_cost, basis
        FROM allocation WHERE month = ?
        """,
        [run_id, month.label],
    )
    database.execute(
        "INSERT INTO closed_inputs SELECT ?, ?, source_id, path, sha256 FROM sources ORDER BY source_id",
        [month.label, run_id],
    )
    for file_name, content in sorted(reports.items()):
        database.execute(
            "INSERT INTO closed_reports VALUES (?, ?, ?, ?, ?)",
            [month.label, run_id, file_name, bytes_sha256(content), content],
        )


def _write_reports(folder: Path, reports: dict[str, bytes]) -> None:
    """Each file written whole or not at all: a temporary file in the same folder, renamed over the old one."""
    folder.mkdir(parents=True, exist_ok=True)
    for file_name, content in sorted(reports.items()):
        target = folder / file_name
        temporary = folder / f".{file_name}.partial"
        temporary.write_bytes(content)
        os.replace(temporary, target)


def snapshot_report(database: Database, month: Month, file_name: str) -> bytes | None:
    """A closed month's report file as it was closed (None when the month is open)."""
    row = database.fetchone(
        """
        SELECT content FROM closed_reports JOIN closed_months USING (month, close_run_id)
        WHERE month = ? AND file_name = ? AND reopened_at IS NULL
        """,
        [month.label, file_name],
    )
    return None if row is None else bytes(row[0])
