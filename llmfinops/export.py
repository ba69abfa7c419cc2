"""Export a month as Hive-partitioned Parquet, the layout Spark, Trino, Athena, BigQuery and DuckDB read:

    OUT/usage/month=YYYY-MM/provider=P/data_0.parquet        the month's priced usage (usage_for_totals)
    OUT/allocation/month=YYYY-MM/data_0.parquet              the month's stored allocation

Money stays DECIMAL(38, 12) in the files (Parquet's decimal type), never a float. A month exported again is
replaced (its partition folders are rewritten), other months are left alone.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from llmfinops.db.connection import Database
from llmfinops.errors import UsageError
from llmfinops.periods import Month

#: The columns exported for each usage row: identity, time, who, what, tokens and money; never any text content.
USAGE_EXPORT_COLUMNS = (
    "usage_id, request_id, grain, origin, ts, model, model_raw, operation, service_tier, input_tokens, "
    "cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, output_tokens, reasoning_tokens, request_count, "
    "status, api_key_id, api_key_alias, project_id, workspace_id, user_id, end_user, team_id, team_alias, feature, "
    "environment, reported_cost, estimated_cost, priced, unpriced_reason, pricing_hash, source_id"
)


@dataclass(frozen=True)
class ParquetExport:
    month: str
    usage_rows: int
    allocation_rows: int
    folders: tuple[Path, ...]


def export_parquet(database: Database, month: Month, out: Path) -> ParquetExport:
    allocation_rows = int(database.scalar("SELECT count(*) FROM allocation WHERE month = ?", [month.label]))
    if not allocation_rows:
        raise UsageError(
            f"export parquet: no stored allocation for {month.label}.",
            f"Run `llmfinops run-month --month {month.label}` (or `allocate --month {month.label}`) first.",
        )
    usage_folder = out / "usage" / f"month={month.label}"
    allocation_folder = out / "allocation" / f"month={month.label}"
    for folder in (usage_folder, allocation_folder):
        shutil.rmtree(folder, ignore_errors=True)
        folder.parent.mkdir(parents=True, exist_ok=True)
    usage_rows = int(
        database.scalar("SELECT count(*) FROM usage_for_totals WHERE ts >= ? AND ts < ?", [month.start, month.end])
    )
    database.execute(
        f"""
        COPY (SELECT ? AS month, provider, {USAGE_EXPORT_COLUMNS}
              FROM usage_for_totals WHERE ts >= ? AND ts < ? ORDER BY provider, ts, usage_id)
        TO '{_sql_path(out / "usage")}' (FORMAT parquet, PARTITION_BY (month, provider), OVERWRITE_OR_IGNORE)
        """,
        [month.label, month.start, month.end],
    )
    database.execute(
        f"""
        COPY (SELECT * FROM allocation WHERE month = ? ORDER BY cost_center, provider, category, pool)
        TO '{_sql_path(out / "allocation")}' (FORMAT parquet, PARTITION_BY (month), OVERWRITE_OR_IGNORE)
        """,
        [month.label],
    )
    return ParquetExport(month.label, usage_rows, allocation_rows, (usage_folder, allocation_folder))


def _sql_path(path: Path) -> str:
    return str(path.resolve()).replace("'", "''")
