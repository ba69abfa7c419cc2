"""The known input formats, and detection: which one a file is."""

from __future__ import annotations

from llmfinops.errors import InputError, UsageError
from llmfinops.ingest.base import FileSample, InputFormat
from llmfinops.ingest.canonical import CANONICAL_REQUESTS
from llmfinops.ingest.litellm import LITELLM_SPEND_LOGS

#: Order matters only when two formats could claim one file: the more specific comes first.
FORMATS: tuple[InputFormat, ...] = (LITELLM_SPEND_LOGS, CANONICAL_REQUESTS)


def format_named(name: str) -> InputFormat:
    for input_format in FORMATS:
        if input_format.name == name:
            return input_format
    raise UsageError(f"--kind {name}: unknown format.", f"Use one of: {', '.join(known.name for known in FORMATS)}.")


def detect_format(sample: FileSample) -> InputFormat:
    """The first format that recognises the file; an error that lists what was seen otherwise."""
    for input_format in FORMATS:
        if input_format.detect(sample):
            return input_format
    seen = ", ".join(sorted(sample.field_names)[:12]) or "no field names"
    raise InputError(
        f"{sample.path}: unknown format: a {sample.container.upper()} file whose first record has {seen}.",
        "Pass --kind with one of: "
        + ", ".join(known.name for known in FORMATS)
        + "; or convert it to the canonical request format (docs/formats.md).",
    )
