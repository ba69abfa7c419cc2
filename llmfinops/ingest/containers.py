"""Read a file's records into the temp table `raw_records`, whatever the container (CSV, JSON array, JSON Lines).

`raw_records(record_number, parse_error, raw_text, <fields...>)`: one row per record in file order; every declared
field as text (nested JSON values as JSON text); `parse_error` set where the record could not be read as a record.
Structurally broken CSV lines are rows of `raw_records` too (with a parse_error), so nothing read is lost.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from pathlib import Path

import duckdb

from llmfinops.db.connection import Database
from llmfinops.db.sqltext import quote_identifier, quote_literal
from llmfinops.errors import InputError
from llmfinops.ingest.base import Container, FileSample, InputFormat

_SAMPLE_BYTES = 1 << 20
# {"data": [...]}, OpenAI's {"object": "page", "data": [...]}, or the Cloudflare API's {"result": [...], ...}
_DATA_WRAPPER = re.compile(r'\{\s*(?:"object"\s*:\s*"page"\s*,\s*)?"(data|result)"\s*:\s*\[')
#: Keys whose list holds the records of an API response envelope, in the order they are looked for.
RECORDS_KEYS = ("data", "result")
_GZIP_MAGIC = b"\x1f\x8b"
_PARQUET_MAGIC = b"PAR1"
#: JSON Lines are read as one-column CSV; this control character cannot appear unescaped in valid JSON.
_JSONL_DELIMITER = "\x1f"

LOCATION_WORD: dict[Container, str] = {"csv": "row", "json": "element", "jsonl": "line", "parquet": "row"}

#: The raw JSON text of `read_json_objects` with every number that has a fraction or an exponent turned into a JSON
#: string of the same text (InputFormat.exact_json_numbers). One scan matches a string (kept whole, so digits inside
#: it are untouched) or such a number; a number gets a chr(1) mark on both sides and a string two marks after it,
#: which are then removed, and the marks left become quotes. chr(1) cannot occur unescaped in valid JSON.
_NUMBERS_AS_TEXT = (
    r"""replace(replace(regexp_replace(CAST(json AS VARCHAR), '("(?:[^"\\]|\\.)*")|"""
    r"""(-?[0-9]+(?:\.[0-9]+(?:[eE][+-]?[0-9]+)?|[eE][+-]?[0-9]+))', '\1' || chr(1) || '\2' || chr(1), 'g'), """
    r"""chr(1) || chr(1), ''), chr(1), '"')"""
)


def _read_head(path: Path) -> tuple[str, bool]:
    try:
        with path.open("rb") as handle:
            compressed = handle.read(2) == _GZIP_MAGIC
        opener = gzip.open if compressed else open
        with opener(path, "rb") as handle:
            head = handle.read(_SAMPLE_BYTES)
    except FileNotFoundError as error:
        raise InputError(f"{path}: file not found.") from error
    except IsADirectoryError as error:
        raise InputError(f"{path}: is a folder, not a file.") from error
    except (OSError, EOFError) as error:
        raise InputError(f"{path}: cannot read the file: {error}.") from error
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    return text, compressed


def sample_file(path: Path) -> FileSample:
    """Look at the start of a file: which container it is and which field names its first records have."""
    if _is_parquet(path):
        return _sample_parquet(path)
    head, compressed = _read_head(path)
    stripped = head.lstrip()
    if not stripped:
        raise InputError(f"{path}: the file is empty.")
    if stripped[0] in "[{":
        return _sample_json(path, stripped, compressed)
    header_line = stripped.splitlines()[0]
    header = next(csv.reader(io.StringIO(header_line)), [])
    return FileSample(path, "csv", frozenset(name.strip() for name in header), compressed)


def _sample_json(path: Path, stripped: str, compressed: bool) -> FileSample:
    decoder = json.JSONDecoder()
    try:
        if stripped[0] == "[":
            records = _first_elements(stripped[1:])
            return _json_sample(path, "json", records, compressed)
        try:
            first, end = decoder.raw_decode(stripped)
        except json.JSONDecodeError:
            # A paged API response larger than the sample: recognised by its start, so that it is still read as
            # one JSON document rather than as JSON Lines.
            wrapper = _DATA_WRAPPER.match(stripped)
            if wrapper is None:
                raise
            records = _first_elements(stripped[wrapper.end() :])
            return _json_sample(path, "json", records, compressed, records_key=wrapper.group(1))
    except json.JSONDecodeError as error:
        raise InputError(
            f"{path}: line {error.lineno}: not valid JSON at the start of the file ({error.msg}).",
            "JSON input must be an array of records, an object with a `data` array, or one object per line.",
        ) from error
    if isinstance(first, dict) and not stripped[end:].strip():
        _refuse_error_body(path, first)
        for key in RECORDS_KEYS:
            if isinstance(first.get(key), list):
                return _json_sample(path, "json", first[key], compressed, records_key=key)
    return _json_sample(path, "jsonl", [first], compressed)


def _first_elements(array_body: str, limit: int = 50) -> list[object]:
    """The first records of a JSON array whose opening bracket was consumed (as many as the sample holds)."""
    decoder = json.JSONDecoder()
    records: list[object] = []
    position = 0
    while len(records) < limit:
        rest = array_body[position:].lstrip().lstrip(",").lstrip()
        if not rest or rest[0] == "]":
            break
        try:
            record, consumed = decoder.raw_decode(rest)
        except json.JSONDecodeError:
            if records:  # the sample ended inside a record
                break
            raise
        records.append(record)
        position = len(array_body) - len(rest) + consumed
    return records


def _refuse_error_body(path: Path, document: dict) -> None:
    """An API error response saved instead of data is not input: {"error": {...}} as OpenAI and Anthropic send it,
    or the Cloudflare API's {"success": false, "errors": [{"message": ...}], "result": null}."""
    error = document.get("error")
    errors = document.get("errors")
    if document.get("success") is False and isinstance(errors, list) and errors:
        error = errors[0]
    if error is None or any(isinstance(document.get(key), list) for key in RECORDS_KEYS):
        return
    message = error.get("message") if isinstance(error, dict) else error
    raise InputError(
        f"{path}: the file holds an API error response, not data: {message!s}.",
        "Fetch the export again (check the admin key, the time range and the query parameters) and ingest that.",
    )


def _json_sample(
    path: Path, container: Container, records: list[object], compressed: bool, *, records_key: str | None = None
) -> FileSample:
    first = records[0] if records else {}
    nested: set[str] = set()
    for record in records:
        if not isinstance(record, dict):
            continue
        for value in record.values():
            children = value if isinstance(value, list) else [value]
            for child in children:
                if isinstance(child, dict):
                    nested.update(child)
    return FileSample(
        path, container, _keys(first), compressed, records_key=records_key, nested_field_names=frozenset(nested)
    )


def _is_parquet(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == _PARQUET_MAGIC
    except OSError:
        return False


def _sample_parquet(path: Path) -> FileSample:
    try:
        with duckdb.connect() as connection:
            columns = connection.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
    except duckdb.Error as error:
        raise InputError(
            f"{path}: cannot read the file as Parquet: {str(error).splitlines()[0]}",
            "Check that the file is complete (a Parquet file ends with its schema; a cut-off file has none).",
        ) from error
    return FileSample(path, "parquet", frozenset(str(column[0]) for column in columns), compressed=False)


def _keys(record: object) -> frozenset[str]:
    return frozenset(record) if isinstance(record, dict) else frozenset()


def read_raw_records(database: Database, sample: FileSample, input_format: InputFormat) -> None:
    """Create the temp table `raw_records` for one file (replacing any earlier one)."""
    for table in ("raw_file", "raw_records", "raw_rejects", "raw_reject_scans"):
        database.execute(f"DROP TABLE IF EXISTS {table}")
    compression = "gzip" if sample.compressed else "none"
    # A record that cannot be parsed may hold prompt text wherever the format can carry it, so its raw text is
    # kept only for formats without such fields.
    withhold_raw = bool(input_format.private_fields)
    try:
        if sample.container == "csv":
            _read_csv(database, sample, input_format, compression, withhold_raw)
        elif sample.container == "jsonl":
            _read_jsonl(database, sample, input_format, compression, withhold_raw)
        elif sample.container == "parquet":
            _read_parquet(database, sample, input_format)
        else:
            _read_json_array(database, sample, input_format, compression)
    except duckdb.Error as error:
        raise InputError(
            f"{sample.path}: cannot read the file as {sample.container.upper()}: {str(error).splitlines()[0]}",
            "Check that the file is complete and UTF-8 encoded.",
        ) from error


def _numbered_with_rejects(database: Database, select_fields: str, withhold_raw: bool) -> None:
    """Number the rows DuckDB read (file order is kept) around the ones it rejected, and add the rejected ones.

    A valid row with ordinal k is record k + (number of rejected records r_j with r_j - j < k).
    """
    raw_reject_text = "NULL" if withhold_raw else "any_value(csv_line)"
    database.execute(
        f"""
        CREATE TEMP TABLE raw_records AS
        WITH rejected AS (
            SELECT line - 1 AS record_number, first(error_message) AS message, {raw_reject_text} AS raw_text
            FROM raw_rejects GROUP BY line
        ),
        shifted AS (
            SELECT record_number, record_number - row_number() OVER (ORDER BY record_number) AS valid_before
            FROM rejected
        ),
        -- rowids of a table made inside a transaction do not start at 0, so count from the first one
        numbered AS (SELECT rowid - (SELECT min(rowid) FROM raw_file) + 1 AS ordinal, * FROM raw_file)
        SELECT numbered.ordinal + (SELECT count(*) FROM shifted WHERE shifted.valid_before < numbered.ordinal)
                   AS record_number,
               CAST(NULL AS VARCHAR) AS parse_error, CAST(NULL AS VARCHAR) AS raw_text, {select_fields}
        FROM numbered
        UNION ALL
        SELECT record_number, 'unreadable record: ' || message, raw_text, {_null_fields(select_fields)}
        FROM rejected
        """
    )
    # raw_records holds everything needed from here on; the file's copy would only double the peak memory.
    database.execute("DROP TABLE raw_file")


def _null_fields(select_fields: str) -> str:
    return ", ".join(f"NULL AS {part.rsplit(' AS ', 1)[1]}" for part in select_fields.split(", "))


def _read_csv(
    database: Database, sample: FileSample, input_format: InputFormat, compression: str, withhold_raw: bool
) -> None:
    database.execute(
        """
        CREATE TEMP TABLE raw_file AS
        SELECT * FROM read_csv(?, all_varchar = true, header = true, compression = ?, max_line_size = 16777216,
                               store_rejects = true, rejects_table = 'raw_rejects', rejects_scan = 'raw_reject_scans')
        """,
        [str(sample.path), compression],
    )
    present = [row[0] for row in database.fetchall("SELECT name FROM pragma_table_info('raw_file')")]

    def as_text(name: str) -> str:
        column = _column_named(name, present)
        return f"{quote_identifier(column) if column else 'CAST(NULL AS VARCHAR)'} AS {quote_identifier(name)}"

    select_fields = ", ".join(as_text(name) for name in input_format.fields)
    _numbered_with_rejects(database, select_fields, withhold_raw)


def _column_named(name: str, columns: list[str]) -> str | None:
    """The file's column for a declared field: the same name, else the only one equal to it ignoring case (Azure
    cost exports write `Date` in EA files and `date` in MCA files, and a format cannot declare both: DuckDB names
    are case-insensitive)."""
    if name in columns:
        return name
    matches = [column for column in columns if column.lower() == name.lower()]
    return matches[0] if len(matches) == 1 else None


def _read_jsonl(
    database: Database, sample: FileSample, input_format: InputFormat, compression: str, withhold_raw: bool
) -> None:
    database.execute(
        """
        CREATE TEMP TABLE raw_lines AS
        SELECT * FROM read_csv(?, columns = {'line': 'VARCHAR'}, header = false, delim = ?, quote = '',
                               escape = '', compression = ?, max_line_size = 16777216,
                               store_rejects = true, rejects_table = 'raw_rejects', rejects_scan = 'raw_reject_scans')
        """,
        [str(sample.path), _JSONL_DELIMITER, compression],
    )
    database.execute("DROP TABLE IF EXISTS raw_file")
    # One parse per line: every declared field in one json_extract_string call (a ->> per field re-parses the
    # line each time, which made JSON Lines ingest several times slower than the read itself).
    paths = _json_paths(input_format)
    database.execute(
        f"""
        CREATE TEMP TABLE raw_file AS
        SELECT line IS NULL AS blank, json_kind,
               -- the line itself is kept only where it is the quarantine's raw text (not an object)
               CASE WHEN json_kind IS DISTINCT FROM 'OBJECT' THEN line END AS line,
               CASE WHEN json_kind = 'OBJECT' THEN json_extract_string(line, {paths}) END AS field_values
        FROM (SELECT line, CASE WHEN json_valid(line) THEN json_type(CAST(line AS JSON)) END AS json_kind
              FROM raw_lines)
        """
    )
    database.execute("DROP TABLE raw_lines")
    select_fields = ", ".join(
        f"field_values[{position}] AS {quote_identifier(name)}"
        for position, name in enumerate(input_format.fields, start=1)
    )
    _numbered_with_rejects(
        database, select_fields + ", line AS _line, blank AS _blank, json_kind AS _json_kind", withhold_raw
    )
    raw_line = "NULL" if withhold_raw else "_line"
    database.execute(
        f"""
        UPDATE raw_records SET
            parse_error = CASE WHEN _json_kind IS NULL THEN 'not valid JSON' ELSE 'not a JSON object' END,
            raw_text = {raw_line}
        WHERE parse_error IS NULL AND NOT _blank AND coalesce(_json_kind, '') <> 'OBJECT'
        """
    )
    # Blank lines are not records: they are neither counted as read nor quarantined.
    database.execute("DELETE FROM raw_records WHERE parse_error IS NULL AND _blank")
    for helper_column in ("_line", "_blank", "_json_kind"):
        database.execute(f"ALTER TABLE raw_records DROP COLUMN {helper_column}")


def _read_parquet(database: Database, sample: FileSample, input_format: InputFormat) -> None:
    """Parquet rows as text fields; nested columns (CUR's resource_tags MAP, product MAP) as JSON text."""
    types = dict(
        database.fetchall(
            "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))", [str(sample.path)]
        )
    )

    def as_text(name: str) -> str:
        found = _column_named(name, list(types))
        if found is None:
            return f"CAST(NULL AS VARCHAR) AS {quote_identifier(name)}"
        column = quote_identifier(found)
        nested = any(marker in types[found] for marker in ("MAP(", "STRUCT(", "[]"))
        value = f"CAST(to_json({column}) AS VARCHAR)" if nested else f"CAST({column} AS VARCHAR)"
        return f"{value} AS {quote_identifier(name)}"

    select_fields = ", ".join(as_text(name) for name in input_format.fields)
    database.execute(
        f"""
        CREATE TEMP TABLE raw_records AS
        SELECT file_row_number + 1 AS record_number, CAST(NULL AS VARCHAR) AS parse_error,
               CAST(NULL AS VARCHAR) AS raw_text, {select_fields}
        FROM read_parquet(?, file_row_number = true)
        """,
        [str(sample.path)],
    )


def _read_json_array(database: Database, sample: FileSample, input_format: InputFormat, compression: str) -> None:
    document = _NUMBERS_AS_TEXT if input_format.exact_json_numbers else "json"
    if sample.records_key is not None:
        source = (
            f"SELECT unnest(json_extract({document}, '$.{sample.records_key}[*]')) AS record "
            "FROM read_json_objects(?, compression = ?)"
        )
    else:
        source = f"SELECT {document} AS record FROM read_json_objects(?, format = 'array', compression = ?)"
    database.execute(f"CREATE TEMP TABLE raw_file AS {source}", [str(sample.path), compression])
    select_fields = ", ".join(
        f"field_values[{position}] AS {quote_identifier(name)}"
        for position, name in enumerate(input_format.fields, start=1)
    )
    # As for JSON Lines: all declared fields in one extraction per record.
    database.execute(
        f"""
        CREATE TEMP TABLE raw_records AS
        SELECT record_number, parse_error, raw_text, {select_fields}
        FROM (
            SELECT rowid - (SELECT min(rowid) FROM raw_file) + 1 AS record_number,
                   CASE WHEN json_type(record) <> 'OBJECT' THEN 'not a JSON object' END AS parse_error,
                   CAST(NULL AS VARCHAR) AS raw_text,
                   CASE WHEN json_type(record) = 'OBJECT' THEN json_extract_string(record, {_json_paths(input_format)})
                   END AS field_values
            FROM raw_file
        )
        """
    )
    database.execute("DROP TABLE raw_file")


def _json_paths(input_format: InputFormat) -> str:
    """The declared fields as a SQL list of JSON paths: a field that is a JSONPath already ("$.a.b", from mapping
    files) as it is, any other name as a quoted top-level key, so every field name is safe."""
    paths = (name if name.startswith("$") else f'$."{name}"' for name in input_format.fields)
    return "[" + ", ".join(quote_literal(path) for path in paths) + "]"
