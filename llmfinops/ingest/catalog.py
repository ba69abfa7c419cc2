"""What has been ingested: sources with their counts, and the quarantined rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from llmfinops.db.connection import Database


@dataclass(frozen=True)
class SourceRecord:
    source_id: int
    path: str
    format: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    rows_duplicate: int
    ingested_at: datetime
    notes: str | None  # what reading assumed, e.g. how many timestamps had no UTC offset


@dataclass(frozen=True)
class QuarantineRecord:
    source_id: int
    path: str
    location: str
    field: str | None
    reason: str


def list_sources(database: Database) -> list[SourceRecord]:
    rows = database.fetchall(
        "SELECT source_id, path, format, rows_read, rows_loaded, rows_quarantined, rows_duplicate, ingested_at, "
        "notes "
        "FROM sources ORDER BY source_id"
    )
    return [SourceRecord(*row) for row in rows]


def list_quarantine(database: Database, limit: int) -> list[QuarantineRecord]:
    rows = database.fetchall(
        """
        SELECT quarantine.source_id, sources.path, location, field, reason
        FROM quarantine JOIN sources USING (source_id)
        ORDER BY quarantine.source_id, record_number LIMIT ?
        """,
        [limit],
    )
    return [QuarantineRecord(*row) for row in rows]
