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
    rows_skipped: int
    ingested_at: datetime
    # what reading assumed (timestamps without a UTC offset), why rows were skipped, what a newer export replaced
    notes: str | None


@dataclass(frozen=True)
class QuarantineRecord:
    source_id: int
    path: str
    location: str
    field: str | None
    reason: str


def list_sources(database: Database) -> list[SourceRecord]:
    rows = database.fetchall(
        """
        SELECT source_id, path, format, rows_read, rows_loaded, rows_quarantined, rows_duplicate, rows_skipped,
               ingested_at,
               nullif(concat_ws('; ', notes,
                   (SELECT string_agg('skipped ' || rows || ': ' || reason, '; ' ORDER BY rows DESC, reason)
                    FROM source_skips WHERE source_skips.source_id = sources.source_id),
                   (SELECT string_agg('replaced ' || rows_removed || ' ' || target || ' rows of source '
                                      || replaced_source_id, '; ' ORDER BY replaced_source_id, target)
                    FROM source_replacements WHERE source_replacements.source_id = sources.source_id)), '')
        FROM sources ORDER BY source_id
        """
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
