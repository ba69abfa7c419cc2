"""The known input formats, and detection: which one a file is."""

from __future__ import annotations

from pathlib import Path

from llmfinops.errors import InputError, UsageError
from llmfinops.ingest.anthropic_exports import ANTHROPIC_FORMATS
from llmfinops.ingest.aws_cur import AWS_CUR_BEDROCK
from llmfinops.ingest.azure_cost import AZURE_COST_EXPORT
from llmfinops.ingest.base import FileSample, InputFormat
from llmfinops.ingest.canonical import CANONICAL_REQUESTS
from llmfinops.ingest.focus import FOCUS_COST_AND_USAGE
from llmfinops.ingest.gcp_billing import GCP_BILLING_EXPORT
from llmfinops.ingest.helicone import HELICONE_REQUESTS
from llmfinops.ingest.invoice_lines import INVOICE_LINES
from llmfinops.ingest.langfuse import LANGFUSE_OBSERVATIONS
from llmfinops.ingest.litellm import LITELLM_SPEND_LOGS
from llmfinops.ingest.litellm_daily import LITELLM_DAILY_FORMATS
from llmfinops.ingest.litellm_errors import LITELLM_ERROR_LOGS
from llmfinops.ingest.mapped import format_from_mapping_file, shipped_formats
from llmfinops.ingest.openai_exports import OPENAI_FORMATS
from llmfinops.ingest.openrouter import OPENROUTER_ACTIVITY, OPENROUTER_GENERATIONS
from llmfinops.ingest.otel_genai import OTEL_GENAI_SPANS
from llmfinops.ingest.portkey import PORTKEY_LOGS

#: Order matters only when two formats could claim one file: the more specific comes first.
FORMATS: tuple[InputFormat, ...] = (
    LITELLM_SPEND_LOGS,
    CANONICAL_REQUESTS,
    OPENROUTER_GENERATIONS,
    OPENROUTER_ACTIVITY,
    HELICONE_REQUESTS,
    PORTKEY_LOGS,
    OTEL_GENAI_SPANS,
    LANGFUSE_OBSERVATIONS,
    LITELLM_ERROR_LOGS,
    *LITELLM_DAILY_FORMATS,
    FOCUS_COST_AND_USAGE,
    INVOICE_LINES,
    *ANTHROPIC_FORMATS,
    *OPENAI_FORMATS,
    AWS_CUR_BEDROCK,
    GCP_BILLING_EXPORT,
    AZURE_COST_EXPORT,
    # mappings shipped in llmfinops/mappings/ (detected by their required-fields signature); last, since a
    # hand-written format knows its source better than a mapping does
    *shipped_formats(),
)


def format_named(name: str) -> InputFormat:
    for input_format in FORMATS:
        if input_format.name == name:
            return input_format
    if name.startswith("mapped:"):
        # not a shipped mapping's name: a path to the user's own mapping file (its errors name file:line)
        return format_from_mapping_file(Path(name.removeprefix("mapped:")))
    raise UsageError(
        f"--kind {name}: unknown format.",
        f"Use one of: {', '.join(known.name for known in FORMATS)}; or mapped:PATH for your own mapping file.",
    )


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
