"""Named, ordered, transactional schema migrations, and the public views recreated on every write open."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files

from llmfinops.db.connection import Database
from llmfinops.errors import WorkspaceError


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql_file: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", "001_initial.sql"),
    Migration(2, "pricing engine: tiered rates, usage units, contracts, materialised costs", "002_pricing_engine.sql"),
    Migration(3, "stored monthly allocation", "003_allocation.sql"),
    Migration(4, "roll-up rows kept out of totals", "004_rollups.sql"),
    Migration(5, "notes on how a source was read", "005_source_notes.sql"),
    Migration(6, "billed lines, skipped rows, replacement of restated provider exports", "006_billing.sql"),
    Migration(7, "monthly reconciliation and its variance causes", "007_reconciliation.sql"),
    Migration(8, "closed months: snapshots, adjustments, the inputs of each run", "008_closed_months.sql"),
    Migration(9, "the allocation basis per provider and month as a table", "009_usage_basis.sql"),
)
SCHEMA_VERSION = MIGRATIONS[-1].version


def read_sql(name: str) -> str:
    """The text of a .sql file shipped in llmfinops/db/sql/."""
    return files("llmfinops.db").joinpath("sql", name).read_text(encoding="utf-8")


def current_version(database: Database) -> int:
    exists = database.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'")
    if not exists:
        return 0
    return int(database.scalar("SELECT coalesce(max(version), 0) FROM schema_migrations"))


def migrate(database: Database) -> list[Migration]:
    """Bring the database to SCHEMA_VERSION in one transaction and recreate the views; return what was applied."""
    version = current_version(database)
    if version > SCHEMA_VERSION:
        raise WorkspaceError(
            f"{database.path}: schema version {version} is newer than this llmfinops knows ({SCHEMA_VERSION}).",
            "Upgrade llmfinops.",
        )
    pending = [migration for migration in MIGRATIONS if migration.version > version]
    with database.transaction():
        for migration in pending:
            database.execute(read_sql(migration.sql_file))
            database.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, now()::TIMESTAMP)",
                [migration.version, migration.name],
            )
        database.execute(read_sql("macros.sql"))
        database.execute(read_sql("views.sql"))
    return pending


def require_current(database: Database) -> None:
    """A read-only connection cannot migrate: say how to fix an old file."""
    version = current_version(database)
    if version != SCHEMA_VERSION:
        raise WorkspaceError(
            f"{database.path}: schema version {version}, this llmfinops needs {SCHEMA_VERSION}.",
            "Run any writing command (for example `llmfinops sources`) once to migrate it.",
        )
