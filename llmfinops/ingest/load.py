"""Load files into the workspace: hash, detect, read, normalise, quarantine, dedupe, count, all in SQL.

Counting rule (checked for every file, and by a CHECK constraint on `sources`):
rows_read = rows_loaded + rows_quarantined + rows_duplicate + rows_skipped, where a duplicate is a valid row whose
natural key is already loaded from another file (overlapping exports) and a skipped row is one read and left out on
purpose (a CUR line of another AWS service), counted by reason, so nothing read is lost.

Provider exports are restated for weeks. For a format with a `feed`, a newer file replaces what earlier ingest
runs loaded from the same feed for the same provider and period (the span its rows cover), so totals equal the
newest file's, never the sum of both; the replaced rows are counted in `source_replacements`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Literal, Protocol

from llmfinops.db.connection import Database
from llmfinops.db.sqltext import quote_identifier, quote_literal
from llmfinops.errors import InputError
from llmfinops.ingest.base import BILLING_COLUMNS, USAGE_COLUMNS, InputFormat
from llmfinops.ingest.containers import LOCATION_WORD, read_raw_records, sample_file
from llmfinops.ingest.registry import detect_format, format_named
from llmfinops.prices.apply import price_source
from llmfinops.runs import record_inputs, recorded_run

_HASH_CHUNK = 1 << 20
_QUARANTINE_EXAMPLES = 5


@dataclass(frozen=True)
class QuarantinedRow:
    location: str  # "row 17", "line 4", "element 2"
    field: str | None
    reason: str


@dataclass(frozen=True)
class SkippedRows:
    reason: str
    rows: int


@dataclass(frozen=True)
class Replacement:
    """What a newer export of a period replaced: the earlier rows for the same provider, feed and period."""

    target: str  # usage | billing
    provider: str
    period_start: datetime
    period_end: datetime
    rows_removed: int
    rows_added: int
    measure: str  # what is compared: "tokens" for usage, the currency for billed lines
    total_before: Decimal
    total_after: Decimal


@dataclass(frozen=True)
class FileResult:
    path: Path
    sha256: str
    outcome: Literal["loaded", "already ingested"]
    format_name: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    quarantined_examples: tuple[QuarantinedRow, ...] = ()
    source_id: int | None = None
    rows_skipped: int = 0
    skipped: tuple[SkippedRows, ...] = ()
    replacements: tuple[Replacement, ...] = ()


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)
    dry_run: bool = False


class IngestProgress(Protocol):
    def start_file(self, path: Path, steps: int) -> None: ...
    def step(self, description: str) -> None: ...


class _NoProgress:
    def start_file(self, path: Path, steps: int) -> None:
        pass

    def step(self, description: str) -> None:
        pass


class _DryRunRollback(Exception):
    """Raised inside the transaction to undo a dry run."""


def refresh_usage_basis(database: Database) -> None:
    """Recompute the allocation basis of every provider and month (a few rows) after usage changed."""
    database.execute("DELETE FROM usage_basis_months")
    database.execute(
        """
        INSERT INTO usage_basis_months
        SELECT provider, CAST(date_trunc('month', ts) AS DATE),
               CASE WHEN bool_or(origin = 'gateway') THEN 'gateway' ELSE 'provider' END
        FROM usage WHERE rollup_of IS NULL
        GROUP BY ALL
        """
    )


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named, and the files inside folders named (recursively, sorted, hidden files skipped)."""
    expanded: list[Path] = []
    for path in paths:
        if path.is_dir():
            expanded.extend(
                sorted(
                    child
                    for child in path.rglob("*")
                    if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts)
                )
            )
        elif path.exists():
            expanded.append(path)
        else:
            raise InputError(
                f"{path}: file not found.", "Check the path, or run `llmfinops sources` to see what is loaded."
            )
    return expanded


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def ingest_files(
    database: Database,
    paths: Iterable[Path],
    *,
    kind: str | None = None,
    strict: bool = False,
    dry_run: bool = False,
    progress: IngestProgress | None = None,
) -> IngestReport:
    """Ingest every file in one transaction: all of them land, or (on any error, or a dry run) none."""
    forced_format = format_named(kind) if kind else None
    files = expand_paths(paths)
    report = IngestReport(dry_run=dry_run)
    reporter = progress or _NoProgress()
    arguments = {"paths": [str(path) for path in files], "kind": kind, "strict": strict}
    try:
        with recorded_run(database, "ingest", arguments) as run_id:
            for path in files:
                report.files.append(_ingest_one(database, path, forced_format, strict, run_id, reporter))
            record_inputs(
                database, run_id, {"files": [{"path": str(file.path), "sha256": file.sha256} for file in report.files]}
            )
            if any(file.outcome == "loaded" for file in report.files):
                refresh_usage_basis(database)
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    finally:
        for table in ("raw_file", "raw_records", "raw_rejects", "raw_reject_scans", "normalised", "replaced_periods"):
            database.execute(f"DROP TABLE IF EXISTS {table}")
    return report


def _ingest_one(
    database: Database,
    path: Path,
    forced_format: InputFormat | None,
    strict: bool,
    run_id: int,
    progress: IngestProgress,
) -> FileResult:
    progress.start_file(path, steps=4)
    sha256 = file_sha256(path)
    existing = database.fetchone("SELECT source_id, format FROM sources WHERE sha256 = ?", [sha256])
    if existing is not None:
        return FileResult(path, sha256, "already ingested", existing[1], source_id=existing[0])

    progress.step("detecting format")
    sample = sample_file(path)
    input_format = forced_format or detect_format(sample)
    missing = (
        sorted(input_format.required_fields - sample.field_names) if sample.container in ("csv", "parquet") else []
    )
    if missing:
        raise InputError(
            f"{path}: not a {input_format.title} file: it has no column {', '.join(missing)}.",
            "Export the file again with these columns, or check --kind.",
        )
    location_word = LOCATION_WORD[sample.container]

    progress.step(f"reading {sample.container.upper()}")
    read_raw_records(database, sample, input_format)

    notes = _timestamp_note(database, input_format)

    progress.step("normalising")
    database.execute("DROP TABLE IF EXISTS normalised")
    database.execute(f"CREATE TEMP TABLE normalised AS {input_format.normalise_sql().rstrip().rstrip(';')}")
    row_kind = _RowKind.of(database, input_format)
    _reject_duplicates_within_file(database, location_word, row_kind.skip_reason)

    progress.step("loading")
    source_id = int(database.scalar("SELECT nextval('source_id_seq')"))
    # A record of some formats holds several rows (an OTLP line holds many spans): what is counted as read is every
    # row the format produced, plus every record that could not be read at all.
    rows_read = int(database.scalar("SELECT count(*) FROM normalised")) + int(
        database.scalar("SELECT count(*) FROM raw_records WHERE parse_error IS NOT NULL")
    )
    _quarantine(database, input_format, source_id, location_word)
    replacements = _replace_earlier_periods(database, input_format, row_kind, source_id, run_id)
    kept = f"reject_reason IS NULL AND {row_kind.skip_reason} IS NULL"
    if "usage" in input_format.targets:
        columns = ", ".join(USAGE_COLUMNS)
        database.execute(
            f"""
            INSERT INTO usage ({columns}, long_context, source_id, source_row, rollup_of)
            SELECT {columns}, {row_kind.long_context}, ?, record_number, ? FROM normalised
            WHERE {kept} AND {row_kind.to_usage}
              AND NOT EXISTS (SELECT 1 FROM usage WHERE usage.natural_key = normalised.natural_key)
            """,
            [source_id, input_format.rollup_of],
        )
    if "billing" in input_format.targets:
        columns = ", ".join(BILLING_COLUMNS)
        database.execute(
            f"""
            INSERT INTO billing ({columns}, document, source_id, source_row)
            SELECT {columns}, ?, ?, record_number FROM normalised
            WHERE {kept} AND {row_kind.to_billing}
              AND NOT EXISTS (SELECT 1 FROM billing WHERE billing.natural_key = normalised.natural_key)
            """,
            [input_format.billing_document, source_id],
        )
    usage_rows = price_source(database, source_id) if "usage" in input_format.targets else 0
    # a row loaded as usage and as a billed line (a CUR line) is one row loaded; matched by natural key, since one
    # record may also give billed lines of its own (a GCP billing export row and its credits)
    billing_only_rows = int(
        database.scalar(
            """
            SELECT count(*) FROM billing WHERE source_id = ?
              AND NOT EXISTS (SELECT 1 FROM usage WHERE usage.source_id = billing.source_id
                                                    AND usage.natural_key = billing.natural_key)
            """,
            [source_id],
        )
    )
    rows_loaded = usage_rows + billing_only_rows
    rows_quarantined = int(database.scalar("SELECT count(*) FROM quarantine WHERE source_id = ?", [source_id]))
    skipped = tuple(
        SkippedRows(reason, int(rows))
        for reason, rows in database.fetchall(
            f"""
            SELECT {row_kind.skip_reason} AS reason, count(*) FROM normalised
            WHERE reject_reason IS NULL AND reason IS NOT NULL GROUP BY reason ORDER BY count(*) DESC, reason
            """
        )
    )
    rows_skipped = sum(skip.rows for skip in skipped)
    rows_valid = int(database.scalar(f"SELECT count(*) FROM normalised WHERE {kept}"))
    rows_duplicate = rows_valid - rows_loaded
    examples = tuple(
        QuarantinedRow(location, field_name, reason)
        for location, field_name, reason in database.fetchall(
            "SELECT location, field, reason FROM quarantine WHERE source_id = ? ORDER BY record_number LIMIT ?",
            [source_id, _QUARANTINE_EXAMPLES],
        )
    )
    if strict and rows_quarantined:
        first = examples[0]
        raise InputError(
            f"{path}:{first.location}: {first.field or 'record'}: {first.reason} "
            f"({rows_quarantined} of {rows_read} rows failed; --strict loads nothing from a file with a bad row).",
            "Fix the rows, or ingest without --strict to quarantine them and load the rest.",
        )
    database.execute(
        """
        INSERT INTO sources (source_id, path, sha256, format, container, target, format_version, rows_read,
                             rows_loaded, rows_quarantined, rows_duplicate, rows_skipped, ingested_at, run_id, notes,
                             feed)
        VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, now()::TIMESTAMP, ?, ?, ?)
        """,
        [
            source_id,
            str(path.resolve()),
            sha256,
            input_format.name,
            sample.container,
            "+".join(sorted(input_format.targets)),
            rows_read,
            rows_loaded,
            rows_quarantined,
            rows_duplicate,
            rows_skipped,
            run_id,
            notes,
            input_format.feed,
        ],
    )
    if skipped:
        database.insert_rows(
            "source_skips", ("source_id", "reason", "rows"), [(source_id, skip.reason, skip.rows) for skip in skipped]
        )
    return FileResult(
        path,
        sha256,
        "loaded",
        input_format.name,
        rows_read,
        rows_loaded,
        rows_quarantined,
        rows_duplicate,
        examples,
        source_id,
        rows_skipped,
        skipped,
        replacements,
    )


@dataclass(frozen=True)
class _RowKind:
    """SQL for the optional columns of a format's rows (OPTIONAL_COLUMNS), with their defaults where absent."""

    skip_reason: str
    to_usage: str
    to_billing: str
    long_context: str
    has_period: bool

    @classmethod
    def of(cls, database: Database, input_format: InputFormat) -> _RowKind:
        present = {row[0] for row in database.fetchall("SELECT name FROM pragma_table_info('normalised')")}

        def column_or(name: str, default: str) -> str:
            return f"normalised.{name}" if name in present else default

        return cls(
            skip_reason=column_or("skip_reason", "CAST(NULL AS VARCHAR)"),
            to_usage=column_or("to_usage", "true"),
            to_billing=column_or("to_billing", "true"),
            long_context=column_or("long_context", "false"),
            has_period={"period_start", "period_end"} <= present,
        )


def _quarantine(database: Database, input_format: InputFormat, source_id: int, location_word: str) -> None:
    database.execute(
        """
        INSERT INTO quarantine (source_id, record_number, location, field, reason, raw_record)
        SELECT ?, record_number, ? || ' ' || record_number, NULL, parse_error, raw_text
        FROM raw_records WHERE parse_error IS NOT NULL
        """,
        [source_id, location_word],
    )
    if input_format.part_word is None:
        location_sql = "? || ' ' || normalised.record_number"
        raw_fields = ", ".join(
            f"{quote_identifier(name)} := {_quarantined_field_sql(input_format, name)}" for name in input_format.fields
        )
        raw_sql = f"CAST(to_json(struct_pack({raw_fields})) AS VARCHAR)"
    else:
        # The format names each part (", span 3") and gives the part's own raw text, already stripped of content;
        # a rejection of a whole record (no part) reads "line N".
        part = quote_literal(f", {input_format.part_word} ")
        location_sql = f"? || ' ' || normalised.record_number || coalesce({part} || normalised.record_part, '')"
        raw_sql = "normalised.quarantine_raw"
    database.execute(
        f"""
        INSERT INTO quarantine (source_id, record_number, location, field, reason, raw_record)
        SELECT ?, normalised.record_number, {location_sql}, reject_field, reject_reason, {raw_sql}
        FROM normalised JOIN raw_records USING (record_number)
        WHERE reject_reason IS NOT NULL
        """,
        [source_id, location_word],
    )


#: Per target: the table, the column that places a row in time, and what a replacement compares.
_REPLACED_TABLES: dict[str, tuple[str, str, str]] = {
    "usage": (
        "usage",
        "ts",
        "input_tokens + cache_read_tokens + cache_write_tokens + output_tokens",
    ),
    "billing": ("billing", "charge_period_start", "billed_cost"),
}


def _replace_earlier_periods(
    database: Database, input_format: InputFormat, row_kind: _RowKind, source_id: int, run_id: int
) -> tuple[Replacement, ...]:
    """Remove what earlier runs loaded from the same feed, provider and period as this file, and say what changed.

    The period is the span the file's rows cover (skipped rows count: an empty usage bucket still says that
    period had no usage). Files ingested in the same run are parts of one export (CUR writes several per month)
    and add up rather than replace each other.
    """
    if input_format.feed is None or not row_kind.has_period:
        return ()
    database.execute(
        """
        CREATE OR REPLACE TEMP TABLE replaced_periods AS
        SELECT provider, min(period_start) AS period_start, max(period_end) AS period_end
        FROM normalised WHERE reject_reason IS NULL AND provider IS NOT NULL AND period_start IS NOT NULL
        GROUP BY provider
        """
    )
    by_billing_period = input_format.replace_billing_by == "billing_period"
    replacements: list[Replacement] = []
    for target in sorted(input_format.targets):
        table, time_column, measure_sql = _REPLACED_TABLES[target]
        if target == "billing" and by_billing_period:
            # the invoice months the file bills replace those months' lines whole
            period_match = """
                JOIN (SELECT DISTINCT provider, billing_period_start FROM normalised
                      WHERE reject_reason IS NULL AND provider IS NOT NULL) AS billed
                  ON billed.provider = earlier.provider AND billed.billing_period_start = earlier.billing_period_start
                JOIN replaced_periods AS period ON period.provider = earlier.provider
            """
        else:
            period_match = f"""
                JOIN replaced_periods AS period ON period.provider = earlier.provider
                 AND earlier.{time_column} >= period.period_start AND earlier.{time_column} < period.period_end
            """
        earlier = f"""
            FROM {table} AS earlier
            JOIN sources ON sources.source_id = earlier.source_id AND sources.feed = ? AND sources.run_id <> ?
            {period_match}
        """
        removed = database.fetchall(
            f"""
            SELECT earlier.source_id, period.provider, count(*), sum({measure_sql})
            {earlier}
            GROUP BY ALL ORDER BY ALL
            """,
            [input_format.feed, run_id],
        )
        if not removed:
            continue
        if target == "usage":
            database.execute(
                f"DELETE FROM usage_costs WHERE usage_id IN (SELECT earlier.usage_id {earlier})",
                [input_format.feed, run_id],
            )
        key_column = "usage_id" if target == "usage" else "billing_id"
        database.execute(
            f"DELETE FROM {table} WHERE {key_column} IN (SELECT earlier.{key_column} {earlier})",
            [input_format.feed, run_id],
        )
        database.insert_rows(
            "source_replacements",
            ("source_id", "replaced_source_id", "target", "rows_removed"),
            [(source_id, replaced_source, target, rows) for replaced_source, _, rows, _ in removed],
        )
        to_target = row_kind.to_usage if target == "usage" else row_kind.to_billing
        for provider, period_start, period_end in database.fetchall(
            "SELECT provider, period_start, period_end FROM replaced_periods ORDER BY provider"
        ):
            rows_removed = sum(rows for _, removed_provider, rows, _ in removed if removed_provider == provider)
            if not rows_removed:
                continue
            total_before = sum(
                (Decimal(total or 0) for _, removed_provider, _, total in removed if removed_provider == provider),
                Decimal(0),
            )
            rows_added, total_after = database.fetchone(
                f"""
                SELECT count(*), coalesce(sum({measure_sql}), 0) FROM normalised
                WHERE reject_reason IS NULL AND {row_kind.skip_reason} IS NULL AND {to_target} AND provider = ?
                """,
                [provider],
            )
            measure = "tokens" if target == "usage" else _currency_of(database)
            replacements.append(
                Replacement(
                    target,
                    provider,
                    period_start,
                    period_end,
                    rows_removed,
                    int(rows_added),
                    measure,
                    total_before,
                    Decimal(total_after),
                )
            )
    return tuple(replacements)


def _currency_of(database: Database) -> str:
    currencies = [
        row[0]
        for row in database.fetchall(
            "SELECT DISTINCT billing_currency FROM normalised WHERE reject_reason IS NULL ORDER BY 1"
        )
    ]
    return "/".join(currency for currency in currencies if currency) or "money"


def _reject_duplicates_within_file(database: Database, location_word: str, skip_reason: str) -> None:
    """A natural key twice in one file is a defect of the export: the first row loads, later ones are quarantined."""
    database.execute(
        f"""
        UPDATE normalised SET reject_field = 'request_id',
               reject_reason = 'duplicate of {location_word} ' || first_seen.first_record || ' in the same file'
        FROM (
            SELECT natural_key, min(record_number) AS first_record FROM normalised
            WHERE reject_reason IS NULL AND {skip_reason} IS NULL GROUP BY natural_key HAVING count(*) > 1
        ) AS first_seen
        WHERE normalised.natural_key = first_seen.natural_key
          AND normalised.record_number > first_seen.first_record
          AND normalised.reject_reason IS NULL AND {skip_reason} IS NULL
        """
    )


def _quarantined_field_sql(input_format: InputFormat, name: str) -> str:
    """A field as a quarantined row keeps it: whole, or for JSON that may nest prompt text, only the safe keys."""
    column = f"raw_records.{quote_identifier(name)}"
    kept_keys = input_format.quarantine_json_keys.get(name)
    if not kept_keys:
        return column
    pairs = ", ".join(f"{quote_literal(key)}, CAST({column} AS JSON) -> {quote_literal(key)}" for key in kept_keys)
    return f"CASE WHEN json_valid({column}) THEN CAST(json_object({pairs}) AS VARCHAR) END"


def _timestamp_note(database: Database, input_format: InputFormat) -> str | None:
    """Say how many rows had a time without a UTC offset: they are read as UTC, which may not be what was meant."""
    if input_format.timestamp_field is None:
        return None
    column = quote_identifier(input_format.timestamp_field)
    naive = int(
        database.scalar(
            f"""
            SELECT count(*) FROM raw_records
            WHERE parse_error IS NULL AND nullif(trim({column}), '') IS NOT NULL
              AND NOT regexp_matches(trim({column}), '(Z|z|[+-][0-9]{{2}}(:?[0-9]{{2}})?)$')
            """
        )
    )
    if not naive:
        return None
    return f"{naive:,} {input_format.timestamp_field} values had no UTC offset and were read as UTC"
