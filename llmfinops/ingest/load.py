"""Load files into the workspace: hash, detect, read, normalise, quarantine, dedupe, count, all in SQL.

Counting rule (checked for every file, and by a CHECK constraint on `sources`):
rows_read = rows_loaded + rows_quarantined + rows_duplicate, where a duplicate is a valid row whose natural key
is already in `usage` from another file (overlapping exports), so nothing read is lost.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from llmfinops.db.connection import Database
from llmfinops.db.sqltext import quote_identifier, quote_literal
from llmfinops.errors import InputError
from llmfinops.ingest.base import USAGE_COLUMNS, InputFormat
from llmfinops.ingest.containers import LOCATION_WORD, read_raw_records, sample_file
from llmfinops.ingest.registry import detect_format, format_named
from llmfinops.prices.apply import price_source
from llmfinops.runs import recorded_run

_HASH_CHUNK = 1 << 20
_QUARANTINE_EXAMPLES = 5


@dataclass(frozen=True)
class QuarantinedRow:
    location: str  # "row 17", "line 4", "element 2"
    field: str | None
    reason: str


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
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    finally:
        for table in ("raw_file", "raw_records", "raw_rejects", "raw_reject_scans", "normalised"):
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
    location_word = LOCATION_WORD[sample.container]

    progress.step(f"reading {sample.container.upper()}")
    read_raw_records(database, sample, input_format)

    notes = _timestamp_note(database, input_format)

    progress.step("normalising")
    database.execute("DROP TABLE IF EXISTS normalised")
    database.execute(f"CREATE TEMP TABLE normalised AS {input_format.normalise_sql().rstrip().rstrip(';')}")
    _reject_duplicates_within_file(database, location_word)

    progress.step("loading")
    source_id = int(database.scalar("SELECT nextval('source_id_seq')"))
    # A record of some formats holds several usage rows (an OTLP line holds many spans): what is counted as read
    # is every row the format produced, plus every record that could not be read at all.
    rows_read = int(database.scalar("SELECT count(*) FROM normalised")) + int(
        database.scalar("SELECT count(*) FROM raw_records WHERE parse_error IS NOT NULL")
    )
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
    columns = ", ".join(USAGE_COLUMNS)
    database.execute(
        f"""
        INSERT INTO usage ({columns}, source_id, source_row, rollup_of)
        SELECT {columns}, ?, record_number, ? FROM normalised
        WHERE reject_reason IS NULL
          AND NOT EXISTS (SELECT 1 FROM usage WHERE usage.natural_key = normalised.natural_key)
        """,
        [source_id, input_format.rollup_of],
    )
    rows_loaded = price_source(database, source_id)
    rows_quarantined = int(database.scalar("SELECT count(*) FROM quarantine WHERE source_id = ?", [source_id]))
    rows_valid = int(database.scalar("SELECT count(*) FROM normalised WHERE reject_reason IS NULL"))
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
                             rows_loaded, rows_quarantined, rows_duplicate, ingested_at, run_id, notes)
        VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, now()::TIMESTAMP, ?, ?)
        """,
        [
            source_id,
            str(path.resolve()),
            sha256,
            input_format.name,
            sample.container,
            input_format.target,
            rows_read,
            rows_loaded,
            rows_quarantined,
            rows_duplicate,
            run_id,
            notes,
        ],
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
    )


def _reject_duplicates_within_file(database: Database, location_word: str) -> None:
    """A natural key twice in one file is a defect of the export: the first row loads, later ones are quarantined."""
    database.execute(
        f"""
        UPDATE normalised SET reject_field = 'request_id',
               reject_reason = 'duplicate of {location_word} ' || first_seen.first_record || ' in the same file'
        FROM (
            SELECT natural_key, min(record_number) AS first_record FROM normalised
            WHERE reject_reason IS NULL GROUP BY natural_key HAVING count(*) > 1
        ) AS first_seen
        WHERE normalised.natural_key = first_seen.natural_key
          AND normalised.record_number > first_seen.first_record
          AND normalised.reject_reason IS NULL
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
