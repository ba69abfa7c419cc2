#!/usr/bin/env python3
"""Generate the llmfinops demo data set in ``sample_data/`` (deterministic).

Acme Corp runs a LiteLLM proxy in front of OpenAI, Anthropic, Amazon Bedrock and Google Vertex AI.
This script writes three months (2026-08 .. 2026-10) of its spend logs in the real export formats:

* ``litellm_spendlogs_2026-08.csv.gz`` / ``..._2026-09.csv.gz`` -- the ``LiteLLM_SpendLogs`` table as
  ``COPY "LiteLLM_SpendLogs" TO STDOUT WITH CSV HEADER`` prints it (Postgres text forms: jsonb,
  timestamp(3), float8, NULL = unquoted empty field, empty string = ``""``).
* ``litellm_spend_logs_2026-10.json.gz`` -- the body of ``GET /spend/logs?summarize=false``.
* ``batch_jobs_2026-08_10.jsonl.gz`` -- OpenAI / Anthropic batch-API jobs that bypass the proxy, in
  llmfinops' canonical JSONL request format.

Costs are computed from the token counts with the price tables in ``pricing/*.yaml``, read with the
package's own loader (``llmfinops.prices.tables``) but costed by this script's own arithmetic, a
cross-check of ``llmfinops/prices/sql/price_usage.sql`` (batch tier multiplier, long-context rates,
1-hour cache writes). Request volumes are generated until each department/feature reaches its monthly
spend target, so the October department totals land on the targets of the demo story (see
``sample_data/README.md``).

Deterministic: one seeded ``random.Random``, no wall clock, gzip with mtime=0 and no file name.
Needs the standard library and the llmfinops package (run it with the project's venv).

Usage:  python scripts/make_sample_data.py [--out sample_data] [--pricing pricing] [--quiet] [--routes]
"""

from __future__ import annotations

import argparse
import calendar
import fnmatch
import gzip
import hashlib
import io
import json
import math
import random
import string
import sys
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from llmfinops.ingest.litellm import SPEND_LOGS_TABLE_COLUMNS
from llmfinops.prices.tables import load_price_tables  # the one parser of pricing/*.yaml

SEED = 20261031
MONTHS = [(2026, 8), (2026, 9), (2026, 10)]
MTOK = Decimal(1_000_000)
B62 = string.ascii_letters + string.digits

ROOT = Path(__file__).resolve().parent.parent

# ----------------------------------------------------------------------------------------------
# The company
# ----------------------------------------------------------------------------------------------

# Monthly spend targets per department (USD, computed with pricing/*.yaml, LiteLLM + batch rows).
# October is the reference month of the demo; August and September show growth.
DEPARTMENTS = {
    #  slug         name           budget   Aug     Sep     Oct
    "engineering": ("Engineering", 13000, 7650, 8500, 9400),
    "marketing": ("Marketing", 8000, 7600, 9150, 11200),
    "support": ("Support", 5000, 3300, 3550, 3800),
    "sales": ("Sales", 7000, 4250, 4650, 5100),
    "product": ("Product", 4000, 1650, 1900, 2100),
}

DOMAIN = "acme.example"


def _emails(*names: str) -> list[str]:
    return [f"{n}@{DOMAIN}" for n in names]


USERS = {
    "engineering": _emails("priya.natarajan", "marcus.lee", "elena.garcia", "tom.becker", "aisha.khan", "daniel.kim"),
    "marketing": _emails("sofia.rossi", "jake.miller", "nina.patel"),
    "support": _emails("owen.brooks", "lucia.fernandez"),
    "sales": _emails("ryan.oconnor", "mei.chen", "carlos.mendes"),
    "product": _emails("hannah.schmidt", "victor.nguyen"),
}
PLAYGROUND_USERS = _emails("marcus.lee", "jake.miller", "mei.chen", "victor.nguyen", "grace.liu", "sam.taylor")

# ----------------------------------------------------------------------------------------------
# Routes: one LiteLLM deployment = provider + model id + call type + token profile
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    provider: str  # custom_llm_provider
    model: str  # LiteLLM `model` (what is sent to the provider)
    model_group: str  # LiteLLM `model_group` (what the client asked for)
    call_type: str  # acompletion | anthropic_messages | aembedding
    api_base: str
    # prompt size (all input tokens incl. cached): lognormal median / sigma, clamped
    ctx_median: int
    ctx_sigma: float
    ctx_max: int
    # share of prompt served from cache (uniform range) and probability that the cache is hit at all
    cache_read: tuple[float, float] = (0.0, 0.0)
    cache_hit_p: float = 0.0
    # share of prompt written to cache (Anthropic-style explicit caching only)
    cache_write: tuple[float, float] = (0.0, 0.0)
    # output (incl. reasoning): lognormal median / sigma, clamped
    out_median: int = 0
    out_sigma: float = 0.0
    out_max: int = 0
    # share of output that is reasoning (reasoning models only)
    reasoning: tuple[float, float] | None = None
    tokens_per_s: float = 80.0


OPENAI = "https://api.openai.com/v1"
ANTHROPIC = "https://api.anthropic.com"
BEDROCK = "https://bedrock-runtime.us-east-1.amazonaws.com"
VERTEX = "https://us-central1-aiplatform.googleapis.com/v1"
MISTRAL = "https://api.mistral.ai/v1"

ROUTES = {
    r.name: r
    for r in [
        # --- engineering ------------------------------------------------------------------------
        Route(
            "cc-opus41-bedrock",
            "bedrock",
            "us.anthropic.claude-opus-4-1-20250805-v1:0",
            "claude-opus-4-1",
            "acompletion",
            BEDROCK,
            120_000,
            0.35,
            190_000,
            (0.45, 0.80),
            0.93,
            (0.04, 0.14),
            9_000,
            0.55,
            32_000,
            None,
            38,
        ),
        Route(
            "cc-sonnet45",
            "anthropic",
            "claude-sonnet-4-5-20250929",
            "claude-sonnet-4-5",
            "anthropic_messages",
            ANTHROPIC,
            125_000,
            0.30,
            190_000,
            (0.50, 0.85),
            0.95,
            (0.04, 0.14),
            12_000,
            0.55,
            64_000,
            None,
            70,
        ),
        Route(
            "cc-opus45",
            "anthropic",
            "claude-opus-4-5-20251101",
            "claude-opus-4-5",
            "anthropic_messages",
            ANTHROPIC,
            125_000,
            0.30,
            190_000,
            (0.50, 0.85),
            0.95,
            (0.04, 0.14),
            14_000,
            0.55,
            64_000,
            None,
            55,
        ),
        Route(
            "cr-gpt5",
            "openai",
            "gpt-5-2025-08-07",
            "gpt-5",
            "acompletion",
            OPENAI,
            70_000,
            0.55,
            260_000,
            (0.20, 0.60),
            0.7,
            (0, 0),
            14_000,
            0.6,
            100_000,
            (0.70, 0.90),
            60,
        ),
        Route(
            "cr-sonnet45-global",
            "bedrock",
            "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "claude-sonnet-4-5-bedrock",
            "acompletion",
            BEDROCK,
            80_000,
            0.5,
            190_000,
            (0.30, 0.70),
            0.8,
            (0.05, 0.20),
            6_000,
            0.6,
            64_000,
            None,
            65,
        ),
        Route(
            "tg-o4mini",
            "openai",
            "o4-mini-2025-04-16",
            "o4-mini",
            "acompletion",
            OPENAI,
            45_000,
            0.6,
            190_000,
            (0.10, 0.50),
            0.6,
            (0, 0),
            16_000,
            0.6,
            100_000,
            (0.60, 0.85),
            110,
        ),
        Route(
            "tg-gpt41",
            "openai",
            "gpt-4.1-2025-04-14",
            "gpt-4.1",
            "acompletion",
            OPENAI,
            260_000,
            0.6,
            900_000,
            (0.10, 0.60),
            0.6,
            (0, 0),
            9_000,
            0.5,
            32_000,
            None,
            75,
        ),
        # --- marketing --------------------------------------------------------------------------
        Route(
            "cg-gpt5pro",
            "openai",
            "gpt-5-pro-2025-10-06",
            "gpt-5-pro",
            "acompletion",
            OPENAI,
            18_000,
            0.6,
            120_000,
            (0, 0),
            0.0,
            (0, 0),
            24_000,
            0.45,
            110_000,
            (0.75, 0.92),
            30,
        ),
        Route(
            "cg-opus45",
            "anthropic",
            "claude-opus-4-5-20251101",
            "claude-opus-4-5",
            "anthropic_messages",
            ANTHROPIC,
            40_000,
            0.5,
            180_000,
            (0.20, 0.60),
            0.6,
            (0.10, 0.30),
            9_000,
            0.5,
            64_000,
            None,
            55,
        ),
        Route(
            "cg-gpt5",
            "openai",
            "gpt-5-2025-08-07",
            "gpt-5",
            "acompletion",
            OPENAI,
            30_000,
            0.6,
            200_000,
            (0.10, 0.40),
            0.5,
            (0, 0),
            16_000,
            0.5,
            100_000,
            (0.55, 0.85),
            60,
        ),
        Route(
            "seo-gemini-pro",
            "vertex_ai",
            "gemini-2.5-pro",
            "gemini-2.5-pro",
            "acompletion",
            VERTEX,
            95_000,
            0.4,
            195_000,
            (0.10, 0.50),
            0.5,
            (0, 0),
            14_000,
            0.5,
            64_000,
            (0.40, 0.75),
            90,
        ),
        Route(
            "seo-gemini-flash",
            "vertex_ai",
            "gemini-2.5-flash",
            "gemini-2.5-flash",
            "acompletion",
            VERTEX,
            120_000,
            0.5,
            900_000,
            (0.10, 0.50),
            0.5,
            (0, 0),
            10_000,
            0.5,
            64_000,
            (0.30, 0.70),
            180,
        ),
        Route(
            "ib-gpt41",
            "openai",
            "gpt-4.1-2025-04-14",
            "gpt-4.1",
            "acompletion",
            OPENAI,
            160_000,
            0.6,
            700_000,
            (0.10, 0.40),
            0.4,
            (0, 0),
            5_000,
            0.5,
            32_000,
            None,
            75,
        ),
        Route(
            "ib-gemini-flash",
            "vertex_ai",
            "gemini-2.5-flash",
            "gemini-2.5-flash",
            "acompletion",
            VERTEX,
            60_000,
            0.6,
            600_000,
            (0.10, 0.40),
            0.4,
            (0, 0),
            6_000,
            0.5,
            64_000,
            (0.30, 0.60),
            180,
        ),
        # --- support ----------------------------------------------------------------------------
        Route(
            "cb-haiku45",
            "anthropic",
            "claude-haiku-4-5-20251001",
            "claude-haiku-4-5",
            "anthropic_messages",
            ANTHROPIC,
            90_000,
            0.35,
            190_000,
            (0.70, 0.95),
            0.92,
            (0.02, 0.08),
            1_200,
            0.6,
            8_000,
            None,
            140,
        ),
        Route(
            "cb-sonnet45",
            "anthropic",
            "claude-sonnet-4-5-20250929",
            "claude-sonnet-4-5",
            "anthropic_messages",
            ANTHROPIC,
            110_000,
            0.35,
            190_000,
            (0.70, 0.95),
            0.92,
            (0.02, 0.08),
            1_500,
            0.6,
            8_000,
            None,
            70,
        ),
        Route(
            "cb-gpt41mini",
            "openai",
            "gpt-4.1-mini-2025-04-14",
            "gpt-4.1-mini",
            "acompletion",
            OPENAI,
            110_000,
            0.45,
            600_000,
            (0.60, 0.92),
            0.9,
            (0, 0),
            900,
            0.6,
            8_000,
            None,
            120,
        ),
        Route(
            "cb-embed",
            "openai",
            "text-embedding-3-small",
            "text-embedding-3-small",
            "aembedding",
            OPENAI,
            1_200,
            0.7,
            8_000,
            (0, 0),
            0.0,
            (0, 0),
            0,
            0.0,
            0,
            None,
            5000,
        ),
        Route(
            "ts-nova-pro",
            "bedrock",
            "us.amazon.nova-pro-v1:0",
            "nova-pro",
            "acompletion",
            BEDROCK,
            150_000,
            0.4,
            290_000,
            (0, 0),
            0.0,
            (0, 0),
            2_500,
            0.5,
            10_000,
            None,
            100,
        ),
        Route(
            "ts-nova-lite",
            "bedrock",
            "us.amazon.nova-lite-v1:0",
            "nova-lite",
            "acompletion",
            BEDROCK,
            100_000,
            0.5,
            290_000,
            (0, 0),
            0.0,
            (0, 0),
            1_500,
            0.5,
            10_000,
            None,
            160,
        ),
        Route(
            "ts-haiku45-us",
            "bedrock",
            "us.anthropic.claude-haiku-4-5-20251001-v1:0",
            "claude-haiku-4-5-bedrock",
            "acompletion",
            BEDROCK,
            140_000,
            0.35,
            190_000,
            (0.20, 0.60),
            0.5,
            (0.05, 0.15),
            3_000,
            0.5,
            16_000,
            None,
            130,
        ),
        # --- sales ------------------------------------------------------------------------------
        Route(
            "ls-gpt5mini",
            "openai",
            "gpt-5-mini-2025-08-07",
            "gpt-5-mini",
            "acompletion",
            OPENAI,
            80_000,
            0.5,
            260_000,
            (0.30, 0.70),
            0.7,
            (0, 0),
            12_000,
            0.5,
            100_000,
            (0.70, 0.90),
            110,
        ),
        Route(
            "ls-gpt5",
            "openai",
            "gpt-5-2025-08-07",
            "gpt-5",
            "acompletion",
            OPENAI,
            60_000,
            0.5,
            260_000,
            (0.30, 0.70),
            0.7,
            (0, 0),
            14_000,
            0.5,
            100_000,
            (0.70, 0.90),
            60,
        ),
        Route(
            "ed-sonnet45",
            "anthropic",
            "claude-sonnet-4-5-20250929",
            "claude-sonnet-4-5",
            "acompletion",
            ANTHROPIC,
            110_000,
            0.35,
            190_000,
            (0.40, 0.80),
            0.85,
            (0.05, 0.20),
            5_000,
            0.5,
            32_000,
            None,
            70,
        ),
        Route(
            "ed-gpt41",
            "openai",
            "gpt-4.1-2025-04-14",
            "gpt-4.1",
            "acompletion",
            OPENAI,
            150_000,
            0.5,
            600_000,
            (0.20, 0.60),
            0.6,
            (0, 0),
            3_500,
            0.5,
            32_000,
            None,
            75,
        ),
        # --- product ----------------------------------------------------------------------------
        Route(
            "ra-o3",
            "openai",
            "o3-2025-04-16",
            "o3",
            "acompletion",
            OPENAI,
            80_000,
            0.5,
            190_000,
            (0.10, 0.50),
            0.5,
            (0, 0),
            22_000,
            0.5,
            100_000,
            (0.75, 0.92),
            50,
        ),
        Route(
            "ra-gemini-pro",
            "vertex_ai",
            "gemini-2.5-pro",
            "gemini-2.5-pro",
            "acompletion",
            VERTEX,
            110_000,
            0.4,
            195_000,
            (0.10, 0.40),
            0.4,
            (0, 0),
            12_000,
            0.5,
            64_000,
            (0.50, 0.80),
            90,
        ),
        Route(
            "ra-gpt5pro",
            "openai",
            "gpt-5-pro-2025-10-06",
            "gpt-5-pro",
            "acompletion",
            OPENAI,
            25_000,
            0.6,
            150_000,
            (0, 0),
            0.0,
            (0, 0),
            20_000,
            0.5,
            110_000,
            (0.75, 0.92),
            30,
        ),
        Route(
            "ra-mistral",
            "mistral",
            "mistral-large-2411",
            "mistral-large",
            "acompletion",
            MISTRAL,
            30_000,
            0.6,
            120_000,
            (0, 0),
            0.0,
            (0, 0),
            2_500,
            0.6,
            16_000,
            None,
            60,
        ),
        Route(
            "fa-flash-lite",
            "vertex_ai",
            "gemini-2.5-flash-lite",
            "gemini-2.5-flash-lite",
            "acompletion",
            VERTEX,
            250_000,
            0.6,
            900_000,
            (0.05, 0.30),
            0.3,
            (0, 0),
            4_000,
            0.6,
            64_000,
            (0.0, 0.3),
            250,
        ),
        Route(
            "fa-gemini-pro",
            "vertex_ai",
            "gemini-2.5-pro",
            "gemini-2.5-pro",
            "acompletion",
            VERTEX,
            90_000,
            0.4,
            195_000,
            (0.10, 0.40),
            0.4,
            (0, 0),
            8_000,
            0.5,
            64_000,
            (0.50, 0.80),
            90,
        ),
        Route(
            "fa-gpt5mini",
            "openai",
            "gpt-5-mini-2025-08-07",
            "gpt-5-mini",
            "acompletion",
            OPENAI,
            90_000,
            0.5,
            260_000,
            (0.10, 0.50),
            0.5,
            (0, 0),
            9_000,
            0.5,
            100_000,
            (0.60, 0.85),
            110,
        ),
        Route(
            "fa-embed",
            "openai",
            "text-embedding-3-small",
            "text-embedding-3-small",
            "aembedding",
            OPENAI,
            2_000,
            0.6,
            8_000,
            (0, 0),
            0.0,
            (0, 0),
            0,
            0.0,
            0,
            None,
            5000,
        ),
        # --- no team: shared playground key ------------------------------------------------------
        Route(
            "pg-gpt4omini",
            "openai",
            "gpt-4o-mini-2024-07-18",
            "gpt-4o-mini",
            "acompletion",
            OPENAI,
            20_000,
            0.9,
            120_000,
            (0.0, 0.5),
            0.3,
            (0, 0),
            1_500,
            0.8,
            16_000,
            None,
            120,
        ),
        Route(
            "pg-haiku45",
            "anthropic",
            "claude-haiku-4-5-20251001",
            "claude-haiku-4-5",
            "acompletion",
            ANTHROPIC,
            30_000,
            0.9,
            190_000,
            (0.0, 0.6),
            0.3,
            (0.0, 0.2),
            2_000,
            0.8,
            32_000,
            None,
            140,
        ),
        Route(
            "pg-gemini-flash",
            "vertex_ai",
            "gemini-2.5-flash",
            "gemini-2.5-flash",
            "acompletion",
            VERTEX,
            40_000,
            0.9,
            500_000,
            (0.0, 0.3),
            0.2,
            (0, 0),
            3_000,
            0.8,
            64_000,
            (0.2, 0.6),
            180,
        ),
        Route(
            "pg-gpt5",
            "openai",
            "gpt-5-2025-08-07",
            "gpt-5",
            "acompletion",
            OPENAI,
            30_000,
            0.9,
            200_000,
            (0.0, 0.4),
            0.3,
            (0, 0),
            8_000,
            0.8,
            100_000,
            (0.5, 0.85),
            60,
        ),
    ]
}

# ----------------------------------------------------------------------------------------------
# Features: department, share of the department's monthly target, keys, users, route mix
# ----------------------------------------------------------------------------------------------


@dataclass
class Feature:
    slug: str
    rows_oct: int  # wanted LiteLLM rows in October (Aug/Sep scale with the spend target)
    dept: str
    share: float  # share of the department's monthly target
    key_prefix: str
    routes: dict[str, list[float]]  # route -> weight per month (Aug, Sep, Oct)
    staging_p: float = 0.0  # share of traffic on the staging key
    end_users: int = 0  # customer-facing: number of distinct end users
    session: tuple[int, int] | None = None  # (min, max) turns per session
    hours: str = "business"  # business | always
    users: list[str] = field(default_factory=list)
    turns_median: float = 1.0  # computed: model turns aggregated into one logged request


FEATURES = [
    # engineering -- the coding agent migrates from Opus 4.1 on Bedrock to Opus 4.5 / Sonnet 4.5
    Feature(
        "coding-agent",
        1400,
        "engineering",
        0.60,
        "eng",
        {"cc-opus41-bedrock": [0.55, 0.42, 0.30], "cc-sonnet45": [0.40, 0.43, 0.45], "cc-opus45": [0.05, 0.15, 0.25]},
        staging_p=0.06,
        session=(1, 6),
    ),
    Feature(
        "code-review",
        900,
        "engineering",
        0.27,
        "eng",
        {"cr-gpt5": [0.6, 0.6, 0.6], "cr-sonnet45-global": [0.4, 0.4, 0.4]},
        staging_p=0.08,
    ),
    Feature(
        "test-generator",
        500,
        "engineering",
        0.13,
        "eng",
        {"tg-o4mini": [0.6, 0.6, 0.6], "tg-gpt41": [0.4, 0.4, 0.4]},
        staging_p=0.10,
    ),
    # marketing -- content-generator leans more and more on gpt-5-pro (why marketing is over budget)
    Feature(
        "content-generator",
        900,
        "marketing",
        0.68,
        "mktg",
        {"cg-gpt5pro": [0.12, 0.22, 0.32], "cg-opus45": [0.38, 0.33, 0.30], "cg-gpt5": [0.50, 0.45, 0.38]},
    ),
    Feature(
        "seo-writer",
        700,
        "marketing",
        0.08,
        "mktg",
        {"seo-gemini-pro": [0.5, 0.5, 0.5], "seo-gemini-flash": [0.5, 0.5, 0.5]},
    ),
    Feature(
        "image-briefs",
        600,
        "marketing",
        0.24,
        "mktg",
        {"ib-gpt41": [0.5, 0.5, 0.5], "ib-gemini-flash": [0.5, 0.5, 0.5]},
    ),
    # support -- customer-facing chatbot with heavy prompt caching
    Feature(
        "chatbot",
        1300,
        "support",
        0.30,
        "support",
        {
            "cb-sonnet45": [0.30, 0.30, 0.30],
            "cb-haiku45": [0.35, 0.35, 0.35],
            "cb-gpt41mini": [0.20, 0.20, 0.20],
            "cb-embed": [0.15, 0.15, 0.15],
        },
        staging_p=0.03,
        end_users=900,
        hours="always",
    ),
    Feature(
        "ticket-summarizer",
        900,
        "support",
        0.70,
        "support",
        {"ts-nova-pro": [0.45, 0.45, 0.45], "ts-nova-lite": [0.25, 0.25, 0.25], "ts-haiku45-us": [0.30, 0.30, 0.30]},
        hours="always",
    ),
    # sales
    Feature("lead-scorer", 400, "sales", 0.52, "sales", {"ls-gpt5mini": [0.3, 0.3, 0.3], "ls-gpt5": [0.7, 0.7, 0.7]}),
    Feature(
        "email-drafter", 600, "sales", 0.48, "sales", {"ed-sonnet45": [0.6, 0.6, 0.6], "ed-gpt41": [0.4, 0.4, 0.4]}
    ),
    # product
    Feature(
        "research-assistant",
        300,
        "product",
        0.85,
        "product",
        {"ra-o3": [0.5, 0.5, 0.5], "ra-gemini-pro": [0.4, 0.4, 0.4], "ra-gpt5pro": [0.1, 0.1, 0.1]},
        session=(1, 3),
    ),
    Feature(
        "feedback-analyzer",
        350,
        "product",
        0.15,
        "product",
        {
            "fa-flash-lite": [0.30, 0.30, 0.30],
            "fa-gemini-pro": [0.25, 0.25, 0.25],
            "fa-gpt5mini": [0.30, 0.30, 0.30],
            "fa-embed": [0.15, 0.15, 0.15],
        },
    ),
]
for _f in FEATURES:
    _f.users = USERS[_f.dept]

PLAYGROUND_ROUTES = {"pg-gpt4omini": 0.35, "pg-haiku45": 0.25, "pg-gemini-flash": 0.25, "pg-gpt5": 0.15}
PLAYGROUND_SHARE = 0.053  # share of all LiteLLM requests that come from the team-less playground key
FAILURE_P = 0.03
SPEND_DRIFT_P = 0.02  # share of rows whose LiteLLM `spend` differs from our computed cost
MISTRAL_PER_MONTH = 14  # research-assistant calls to an unpriced model

# Models that have, or may get, a long-context price tier (the WHOLE request at higher rates once its prompt
# crosses a threshold, 200K tokens for these): Claude Sonnet 4.5 (Anthropic and Bedrock) and Gemini 2.5 Pro.
# Globs over the price-table model id. Rows on them, and on any model whose price window has a `long_context`
# tier, are real single model calls, never aggregated turns (see calibrate_turns and README).
LONG_CONTEXT_MODELS = ("*claude-sonnet-4-5*", "gemini-2.5-pro*")
DEFAULT_LONG_CONTEXT_THRESHOLD = 200_000  # used while the price table has no long_context tier for the model
LONG_CONTEXT_P = 0.035  # share of those single calls that are genuine long-context requests above the threshold
LONG_CONTEXT_EXTRA = (120_000, 0.7)  # tokens above the threshold of such a request: lognormal median / sigma
LONG_CONTEXT_MAX = 950_000  # the 1M-token context window (Sonnet 4.5 1M beta, Gemini 2.5 Pro)
# October only: Anthropic coding-agent requests whose cache writes use the 1-hour TTL (prompt caching with
# `"ttl": "1h"`); priced at cache_write_1h_per_mtok.
CACHE_1H_P = 0.03
CACHE_1H_ROUTES = ("cc-opus45", "cc-sonnet45")

# Batch jobs (not through the proxy): (feature, provider, model, jobs per month, rows per job,
#  prompt median, output median, cache_read share, reasoning share, team slug or None)
BATCH_JOBS = [
    # nightly lead-scoring run, submitted by a cron service account with no LiteLLM team
    dict(
        feature="lead-scorer",
        dept="sales",
        team=None,
        provider="openai",
        model="gpt-5-2025-08-07",
        schedule="nightly",
        rows=(18, 30),
        ctx=(90_000, 0.35, 250_000),
        out=(16_000, 0.4, 90_000),
        cache=(0.3, 0.6),
        reasoning=(0.75, 0.9),
        key="sales-lead-scorer-batch",
        user="svc-revops@acme.example",
        project="revops-scoring",
    ),
    # weekly re-summarisation of closed tickets via Anthropic Message Batches
    dict(
        feature="ticket-summarizer",
        dept="support",
        team="support",
        provider="anthropic",
        model="claude-haiku-4-5-20251001",
        schedule="weekly",
        rows=(50, 80),
        ctx=(120_000, 0.35, 190_000),
        out=(3_000, 0.5, 16_000),
        cache=(0.5, 0.8),
        cache_write=(0.02, 0.06),
        reasoning=None,
        key="support-ticket-summarizer-batch",
        user="owen.brooks@acme.example",
        project="support-analytics",
    ),
]

# ----------------------------------------------------------------------------------------------
# Pricing
# ----------------------------------------------------------------------------------------------


# Rate fields the generator prices with (USD per million tokens), as named in pricing/*.yaml.
_RATE_FIELDS = (
    "input_per_mtok",
    "cache_read_per_mtok",
    "cache_write_per_mtok",
    "cache_write_1h_per_mtok",
    "output_per_mtok",
    "reasoning_per_mtok",
)
_COMPONENT_Q = Decimal("0.000000000001")  # price_usage.sql rounds each component to 12 decimals


class Unpriced(Exception):
    """The price tables cannot price this request (price_usage.sql would leave it unpriced)."""


class PriceBook:
    """Price look-up over ``llmfinops.prices.tables.load_price_tables`` (the one parser of pricing/*.yaml).

    The cost arithmetic is the generator's own, an independent cross-check of ``price_usage.sql``, and follows
    the same rules: the window in effect at the request's timestamp; above a window's
    ``long_context.above_prompt_tokens`` (prompt = uncached + cache read + cache write) the WHOLE request uses
    the long-context rates (each rate the tier leaves unset keeps the base rate); then a service tier's
    multiplier on every token rate, then the tier's explicit rates; 1-hour cache writes at
    ``cache_write_1h_per_mtok``; reasoning apart only where ``reasoning_per_mtok`` is set; a rate the request
    needs but the window lacks leaves the request unpriced (never costed at zero or at another rate).
    """

    def __init__(self, pricing_dir: Path):
        self.tables = load_price_tables([pricing_dir])
        self.models = {(m.provider, m.model): m for m in self.tables.models}
        self.alias: dict[tuple[str, str], str] = {}
        self.patterns: list[tuple[str, str, str]] = []
        for m in self.tables.models:
            for name in (m.model, *m.aliases):
                self.alias[(m.provider, name.lower())] = m.model
            for pat in m.patterns:
                self.patterns.append((m.provider, pat.lower(), m.model))

    def resolve(self, provider: str, model: str) -> str | None:
        m = model.lower()
        if (provider, m) in self.alias:
            return self.alias[(provider, m)]
        for prov, pat, canon in self.patterns:
            if prov == provider and fnmatch.fnmatchcase(m, pat):
                return canon
        return None

    def window(self, provider: str, model: str, ts: datetime):
        canon = self.resolve(provider, model)
        if canon is None:
            return None
        moment = ts.astimezone(UTC).replace(tzinfo=None)
        for w in self.models[(provider, canon)].windows:
            if w.effective_from <= moment and (w.effective_to is None or moment < w.effective_to):
                return w
        return None

    def long_context_threshold(self, provider: str, model: str, ts: datetime) -> int | None:
        w = self.window(provider, model, ts)
        return w.long_context.above_prompt_tokens if w is not None and w.long_context is not None else None

    def has_long_context(self, provider: str, model: str) -> bool:
        canon = self.resolve(provider, model)
        return canon is not None and any(w.long_context is not None for w in self.models[(provider, canon)].windows)

    @staticmethod
    def rates(w, prompt_tokens: int, tier: str = "standard") -> tuple[dict[str, Decimal | None], bool]:
        """Effective rates of one request, and whether they are the long-context ones."""
        rates = {k: getattr(w.rates, k) for k in _RATE_FIELDS}
        is_long = w.long_context is not None and prompt_tokens > w.long_context.above_prompt_tokens
        if is_long:
            for k in _RATE_FIELDS:
                v = getattr(w.long_context.rates, k)
                if v is not None:
                    rates[k] = v
        if tier != "standard":
            t = next((t for t in w.tiers if t.name == tier), None)
            if t is None:
                raise Unpriced(f"no {tier} price")
            if t.multiplier is not None:
                rates = {k: None if v is None else v * t.multiplier for k, v in rates.items()}
            for k in _RATE_FIELDS:
                v = getattr(t.rates, k)
                if v is not None:
                    rates[k] = v
        return rates, is_long

    def cost(
        self,
        provider: str,
        model: str,
        ts: datetime,
        inp: int,
        cread: int,
        cwrite: int,
        out: int,
        *,
        cwrite_1h: int = 0,
        reasoning: int = 0,
        tier: str = "standard",
    ) -> Decimal | None:
        """List cost in USD, or None when the tables cannot price the request (as price_usage.sql)."""
        w = self.window(provider, model, ts)
        if w is None:
            return None
        try:
            rates, _ = self.rates(w, inp + cread + cwrite, tier)
        except Unpriced:
            return None
        apart = reasoning if rates["reasoning_per_mtok"] is not None else 0
        parts = [
            (inp, "input_per_mtok"),
            (cread, "cache_read_per_mtok"),
            (cwrite - cwrite_1h, "cache_write_per_mtok"),
            (cwrite_1h, "cache_write_1h_per_mtok"),
            (out - apart, "output_per_mtok"),
            (apart, "reasoning_per_mtok"),
        ]
        total = Decimal(0)
        for tokens, key in parts:
            if not tokens:
                continue
            if rates[key] is None:
                return None
            total += (tokens * rates[key] / MTOK).quantize(_COMPONENT_Q, rounding=ROUND_HALF_UP)
        return total


# ----------------------------------------------------------------------------------------------
# Random helpers
# ----------------------------------------------------------------------------------------------


class Gen:
    def __init__(self, seed: int):
        self.r = random.Random(seed)
        self.used_ids: set[str] = set()

    def uuid4(self) -> str:
        return str(uuid.UUID(int=self.r.getrandbits(128), version=4))

    def b62(self, n: int) -> str:
        return "".join(self.r.choice(B62) for _ in range(n))

    def unique(self, make) -> str:
        while True:
            v = make()
            if v not in self.used_ids:
                self.used_ids.add(v)
                return v

    def lognorm(self, median: float, sigma: float, lo: int, hi: int) -> int:
        v = int(median * math.exp(self.r.gauss(0.0, sigma)))
        return max(lo, min(hi, v))

    def weighted(self, items: dict):
        keys = list(items)
        return self.r.choices(keys, weights=[items[k] for k in keys])[0]


BUSINESS_HOURS = [
    0.3,
    0.2,
    0.15,
    0.1,
    0.1,
    0.1,
    0.15,
    0.3,
    0.6,
    1.0,
    1.4,
    1.8,
    2.2,
    3.0,
    3.6,
    3.8,
    3.6,
    3.4,
    3.6,
    3.4,
    3.0,
    2.2,
    1.2,
    0.6,
]  # UTC; Acme is US-based (09-18 ET = 13-22 UTC)
ALWAYS_HOURS = [
    0.9,
    0.8,
    0.7,
    0.6,
    0.6,
    0.7,
    0.8,
    1.0,
    1.2,
    1.4,
    1.6,
    1.8,
    2.0,
    2.2,
    2.4,
    2.5,
    2.5,
    2.4,
    2.3,
    2.2,
    2.0,
    1.7,
    1.3,
    1.1,
]


def random_ts(g: Gen, year: int, month: int, hours: str) -> datetime:
    ndays = calendar.monthrange(year, month)[1]
    weekend_w = 0.7 if hours == "always" else 0.22
    days = list(range(1, ndays + 1))
    dw = [weekend_w if date(year, month, d).weekday() >= 5 else 1.0 for d in days]
    d = g.r.choices(days, weights=dw)[0]
    h = g.r.choices(range(24), weights=ALWAYS_HOURS if hours == "always" else BUSINESS_HOURS)[0]
    return datetime(year, month, d, h, tzinfo=UTC) + timedelta(
        seconds=g.r.randrange(3600), milliseconds=g.r.randrange(1000)
    )


# ----------------------------------------------------------------------------------------------
# Row construction
# ----------------------------------------------------------------------------------------------

ERRORS = [
    ("429", "RateLimitError", "Rate limit reached for requests"),
    ("429", "RateLimitError", "Rate limit reached for tokens per min"),
    ("500", "InternalServerError", "The server had an error while processing your request"),
    ("529", "InternalServerError", "Overloaded"),
    ("408", "Timeout", "Request timed out after 600.0 seconds"),
    ("400", "ContextWindowExceededError", "This model's maximum context length was exceeded"),
    ("400", "BadRequestError", "Invalid request: messages: text content blocks must be non-empty"),
]


@dataclass
class Usage:
    prompt_total: int  # all input tokens incl. cache read and cache write
    cache_read: int
    cache_write: int  # all cache writes, 1-hour ones included
    output: int
    reasoning: int
    cache_write_1h: int = 0  # the part of cache_write written with the 1-hour TTL (Anthropic)

    @property
    def uncached(self) -> int:
        return self.prompt_total - self.cache_read - self.cache_write


def draw_prompt(g: Gen, route: Route, long_from: int | None) -> int:
    """All input tokens of one model call.

    ``long_from`` (single calls on a model with a long-context tier): the call stays at or below that threshold,
    redrawn rather than clamped, except for a share LONG_CONTEXT_P of genuine long-context requests above it.
    """
    if long_from is None:
        return g.lognorm(route.ctx_median, route.ctx_sigma, 400, route.ctx_max)
    if g.r.random() < LONG_CONTEXT_P:
        return long_from + g.lognorm(LONG_CONTEXT_EXTRA[0], LONG_CONTEXT_EXTRA[1], 1_000, LONG_CONTEXT_MAX - long_from)
    cap = min(route.ctx_max, long_from)
    for _ in range(50):
        v = int(route.ctx_median * math.exp(g.r.gauss(0.0, route.ctx_sigma)))
        if 400 <= v <= cap:
            return v
    return min(cap, max(400, v))


def draw_usage(g: Gen, route: Route, long_from: int | None = None) -> Usage:
    if route.call_type == "aembedding":
        return Usage(g.lognorm(route.ctx_median, route.ctx_sigma, 8, route.ctx_max), 0, 0, 0, 0)
    total = draw_prompt(g, route, long_from)
    cread = cwrite = 0
    if route.cache_hit_p and g.r.random() < route.cache_hit_p:
        cread = int(total * g.r.uniform(*route.cache_read))
        if route.provider == "openai":  # OpenAI caches in 128-token increments above 1024 tokens
            cread = cread // 128 * 128 if cread >= 1024 else 0
    if route.cache_write[1] > 0:
        cwrite = int(total * g.r.uniform(*route.cache_write))
        if cread == 0:  # first call of a prefix writes the whole cacheable prefix
            cwrite = int(total * g.r.uniform(0.5, 0.85))
        cwrite = min(cwrite, total - cread)  # reads + writes never exceed the prompt
    out = g.lognorm(route.out_median, route.out_sigma, 16, route.out_max)
    reasoning = 0
    if route.reasoning:
        reasoning = int(out * g.r.uniform(*route.reasoning))
    return Usage(total, cread, cwrite, out, reasoning)


def draw_agg_usage(g: Gen, route: Route, turns: int) -> Usage:
    """Usage of one logged request = sum over the model turns of its (provider-side) agent loop."""
    u = Usage(0, 0, 0, 0, 0)
    for _ in range(turns):
        t = draw_usage(g, route)
        u = Usage(
            u.prompt_total + t.prompt_total,
            u.cache_read + t.cache_read,
            u.cache_write + t.cache_write,
            u.output + t.output,
            u.reasoning + t.reasoning,
        )
    return u


def key_hash(alias: str) -> str:
    return hashlib.sha256(f"acme-litellm-virtual-key:{alias}".encode()).hexdigest()


@dataclass
class Ctx:
    g: Gen
    prices: PriceBook
    team_ids: dict[str, str]
    model_ids: dict[str, str]
    single: dict[str, int] = field(default_factory=dict)  # single-call route -> long-context threshold


def single_call_routes(prices: PriceBook) -> dict[str, int]:
    """Routes whose rows are single model calls: models that have or may get a long-context tier."""
    out = {}
    for r in ROUTES.values():
        canon = prices.resolve(r.provider, r.model)
        if canon is None:
            continue
        if prices.has_long_context(r.provider, r.model) or any(
            fnmatch.fnmatchcase(canon, pat) for pat in LONG_CONTEXT_MODELS
        ):
            thresholds = [
                w.long_context.above_prompt_tokens
                for w in prices.models[(r.provider, canon)].windows
                if w.long_context is not None
            ]
            out[r.name] = min(thresholds, default=DEFAULT_LONG_CONTEXT_THRESHOLD)
    return out


def make_request_id(g: Gen, route: Route, failed: bool) -> str:
    if failed or route.call_type == "aembedding":
        return g.unique(g.uuid4)
    if route.provider == "openai":
        return g.unique(lambda: "chatcmpl-" + g.b62(29))
    if route.call_type == "anthropic_messages":
        return g.unique(lambda: "msg_01" + g.b62(22))
    return g.unique(lambda: "chatcmpl-" + g.uuid4())


def build_row(
    c: Ctx,
    route: Route,
    ts: datetime,
    *,
    team: str | None,
    key_alias: str,
    user: str | None,
    feature: str | None,
    env: str | None,
    end_user: str | None,
    session_id: str | None,
    failed: bool,
    turns: int = 1,
    cache_1h_p: float = 0.0,
) -> dict:
    """One LiteLLM_SpendLogs row as Python values (dict in schema column order) + private fields."""
    g = c.g
    single = route.name in c.single
    if single:
        turns = 1
    if failed:
        usage = Usage(0, 0, 0, 0, 0)
    elif single:
        usage = draw_usage(g, route, long_from=c.single[route.name])
    else:
        usage = draw_agg_usage(g, route, turns)
    if cache_1h_p and usage.cache_write and g.r.random() < cache_1h_p:
        # prompt caching with the 1-hour TTL: all of the request's writes, or the long-lived part of its prefix
        usage.cache_write_1h = (
            usage.cache_write if g.r.random() < 0.5 else int(usage.cache_write * g.r.uniform(0.4, 0.9))
        )
    cost = None
    if not failed:
        cost = c.prices.cost(
            route.provider,
            route.model,
            ts,
            usage.uncached,
            usage.cache_read,
            usage.cache_write,
            usage.output,
            cwrite_1h=usage.cache_write_1h,
            reasoning=usage.reasoning,
        )
    # LiteLLM token columns
    # Current LiteLLM (>= 1.78) logs prompt_tokens inclusive of cache reads and cache writes for every call
    # type, anthropic_messages included (anthropic calculate_usage, bedrock converse); see docs/formats.md.
    if failed:
        prompt = completion = 0
    else:
        prompt = usage.prompt_total
        completion = usage.output
    # LiteLLM's own spend figure
    if failed:
        spend = 0.0
    elif cost is None and usage.cache_write_1h:
        # pricing/ has no 1-hour cache-write price: unpriced here (as in price_usage.sql); LiteLLM's own map
        # bills the 1-hour write at Anthropic's 2x the input price
        w = c.prices.window(route.provider, route.model, ts)
        rates, _ = c.prices.rates(w, usage.prompt_total)
        base = c.prices.cost(
            route.provider,
            route.model,
            ts,
            usage.uncached,
            usage.cache_read,
            usage.cache_write - usage.cache_write_1h,
            usage.output,
            reasoning=usage.reasoning,
        )
        spend = float(base + usage.cache_write_1h * 2 * rates["input_per_mtok"] / MTOK)
    elif cost is None:
        spend = 0.0  # model missing from LiteLLM's price map too
    else:
        spend_d = cost
        if g.r.random() < SPEND_DRIFT_P:
            if usage.cache_write:  # stale map: cache writes billed as plain input
                w = c.prices.window(route.provider, route.model, ts)
                rates, _ = c.prices.rates(w, usage.prompt_total)
                n5m = usage.cache_write - usage.cache_write_1h
                spend_d = cost - n5m * (rates["cache_write_per_mtok"] - rates["input_per_mtok"]) / MTOK
                if usage.cache_write_1h:
                    spend_d -= (
                        usage.cache_write_1h * (rates["cache_write_1h_per_mtok"] - rates["input_per_mtok"]) / MTOK
                    )
            else:
                spend_d = cost * Decimal(str(round(g.r.choice([0.9, 0.92, 0.95, 1.05, 1.08, 1.1]), 2)))
        spend = float(spend_d)
    # timings
    if failed:
        dur = g.r.randint(150, 4000) if g.r.random() < 0.7 else g.r.randint(30_000, 600_000)
        first = None
    else:
        ttft = g.r.randint(250, 1800) + min(usage.prompt_total, 200_000) // 400
        gen_ms = int(usage.output / route.tokens_per_s * 1000) if usage.output else g.r.randint(40, 400)
        dur = ttft + gen_ms + g.r.randint(5, 60) + (turns - 1) * g.r.randint(300, 2500)
        first = ts + timedelta(milliseconds=ttft) if usage.output else ts + timedelta(milliseconds=dur)
    end = ts + timedelta(milliseconds=dur)

    md: dict = {
        "user_api_key": key_hash(key_alias),
        "user_api_key_alias": key_alias,
        "user_api_key_team_id": c.team_ids.get(team) if team else None,
        "user_api_key_team_alias": team,
        "user_api_key_user_id": user,
    }
    if feature:
        md["spend_logs_metadata"] = {"feature": feature, "environment": env}
    md["status"] = "failure" if failed else "success"
    if failed:
        code, cls, msg = g.r.choice(ERRORS)
        md["error_information"] = {
            "error_code": code,
            "error_class": cls,
            "llm_provider": route.provider,
            "error_message": f"litellm.{cls}: {msg}",
            "traceback": "",
        }
    else:
        uo: dict = {"completion_tokens": completion, "prompt_tokens": prompt, "total_tokens": prompt + completion}
        if route.call_type != "aembedding":
            uo["prompt_tokens_details"] = {"cached_tokens": usage.cache_read}
            if route.reasoning:
                uo["completion_tokens_details"] = {"reasoning_tokens": usage.reasoning}
            if usage.cache_write_1h:
                uo["prompt_tokens_details"]["cache_creation_token_details"] = {
                    "ephemeral_5m_input_tokens": usage.cache_write - usage.cache_write_1h,
                    "ephemeral_1h_input_tokens": usage.cache_write_1h,
                }
            if route.cache_write[1] > 0 or route.call_type == "anthropic_messages":
                uo["cache_read_input_tokens"] = usage.cache_read
                uo["cache_creation_input_tokens"] = usage.cache_write
        md["usage_object"] = uo
    tags = [f"feature:{feature}", f"env:{env}"] if feature else []
    row = {
        "request_id": make_request_id(g, route, failed),
        "call_type": route.call_type,
        "api_key": key_hash(key_alias),
        "spend": spend,
        "total_tokens": prompt + completion,
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "startTime": ts,
        "endTime": end,
        "request_duration_ms": dur,
        "completionStartTime": first,
        "model": route.model,
        "model_id": c.model_ids[route.name],
        "model_group": route.model_group,
        "custom_llm_provider": route.provider,
        "api_base": route.api_base,
        "user": user,
        "metadata": md,
        "cache_hit": "False",
        "cache_key": "",
        "request_tags": tags,
        "team_id": c.team_ids.get(team) if team else None,
        "organization_id": None,
        "end_user": end_user,
        "requester_ip_address": None,
        "messages": {},
        "response": {},
        "session_id": session_id,
        "status": "failure" if failed else "success",
        "mcp_namespaced_tool_name": None,
        "agent_id": None,
        "proxy_server_request": {},
    }
    return {
        "row": row,
        "cost": cost or Decimal(0),
        "team": team,
        "priced": cost is not None or failed,
        "usage": usage,
        "route": route.name,
        "single": single,
        "long": (not failed and single and usage.prompt_total > c.single[route.name]),
    }


# ----------------------------------------------------------------------------------------------
# The sandbox incident (October): what `llmfinops check` must find
# ----------------------------------------------------------------------------------------------

SANDBOX_KEY = "sandbox-eng-agents"
SANDBOX_SEED = 20261023  # its own random stream, so every other generated row stays as it was
SANDBOX_RUNAWAY_DAY = 23  # a Friday: an agent experiment loops all afternoon
SANDBOX_RUNAWAY_TARGET = Decimal(400)  # USD spent that day
SANDBOX_DAILY_REQUESTS = 2  # on other business days


def gen_sandbox(c: Ctx, year: int, month: int) -> list[dict]:
    """An engineering sandbox key (capped at 100 USD a month in the sample finops.yaml) with a few small calls a
    business day and one runaway day: a spike and a cap breach, with no feature tag."""
    sandbox = Ctx(Gen(SANDBOX_SEED), c.prices, c.team_ids, c.model_ids, c.single)
    route = ROUTES["pg-gpt5"]
    rows = []

    def call(ts: datetime, turns: int) -> dict:
        return build_row(
            sandbox,
            route,
            ts,
            team="engineering",
            key_alias=SANDBOX_KEY,
            user="ana.garcia@acme.example",
            feature=None,
            env="sandbox",
            end_user=None,
            session_id=None,
            failed=False,
            turns=turns,
        )

    for day in range(1, calendar.monthrange(year, month)[1] + 1):
        if date(year, month, day).weekday() >= 5:
            continue
        if day == SANDBOX_RUNAWAY_DAY:
            ts, spent = datetime(year, month, day, 13, 5, tzinfo=UTC), Decimal(0)
            while spent < SANDBOX_RUNAWAY_TARGET:
                rows.append(call(ts, turns=12))
                spent += rows[-1]["cost"]
                ts += timedelta(seconds=sandbox.g.r.randint(20, 90))
            continue
        for _ in range(SANDBOX_DAILY_REQUESTS):
            rows.append(
                call(
                    datetime(year, month, day, sandbox.g.r.randint(9, 17), sandbox.g.r.randrange(60), tzinfo=UTC),
                    turns=1,
                )
            )
    return rows


# ----------------------------------------------------------------------------------------------
# Provider exports and invoices (October): the reconciliation scenario
# ----------------------------------------------------------------------------------------------

#: Anthropic's own usage report shows 3 % more traffic than the gateway logged: a research notebook calls the API
#: directly with its own key. The other providers saw only gateway traffic.
ANTHROPIC_BYPASS = Decimal("1.03")
OPENAI_CREDIT = Decimal("-200.00")
OPENAI_SALES_TAX = Decimal("0.0825")  # on usage net of credits
CENT = Decimal("0.01")


def _bypassed(count: int) -> int:
    return int((Decimal(count) * ANTHROPIC_BYPASS).to_integral_value(ROUND_HALF_EVEN))


def write_anthropic_usage_report(year: int, month: int, rows: list[dict], batch: list[dict]) -> bytes:
    """The Admin API messages usage report (1d buckets, grouped by model, service tier and context window):
    the gateway's Anthropic traffic plus the bypass, in Anthropic's disjoint token classes."""
    totals: dict[tuple[date, str, str, str], list[int]] = {}
    for item in rows:
        row = item["row"]
        if row["custom_llm_provider"] != "anthropic" or row["status"] != "success":
            continue
        usage = item["usage"]
        # grouped by context window too: requests above 200K prompt tokens are priced at the long-context rates
        key = (row["startTime"].date(), row["model"], "standard", "200k-1M" if item["long"] else "0-200k")
        counts = totals.setdefault(key, [0, 0, 0, 0, 0])
        for index, value in enumerate(
            (
                usage.uncached,
                usage.cache_read,
                usage.cache_write - usage.cache_write_1h,
                usage.cache_write_1h,
                usage.output,
            )
        ):
            counts[index] += value
    for item in batch:
        row = item["row"]
        if row["provider"] != "anthropic" or item["ts"].month != month:
            continue
        key = (item["ts"].date(), row["model"], "batch", "0-200k")
        counts = totals.setdefault(key, [0, 0, 0, 0, 0])
        for index, value in enumerate(
            (row["input_tokens"], row["cache_read_tokens"], row["cache_write_tokens"], 0, row["output_tokens"])
        ):
            counts[index] += value
    buckets = []
    for day in range(1, calendar.monthrange(year, month)[1] + 1):
        start = datetime(year, month, day, tzinfo=UTC)
        results = [
            {
                "uncached_input_tokens": _bypassed(uncached),
                "cache_read_input_tokens": _bypassed(cache_read),
                "cache_creation": {
                    "ephemeral_5m_input_tokens": _bypassed(write_5m),
                    "ephemeral_1h_input_tokens": _bypassed(write_1h),
                },
                "output_tokens": _bypassed(output),
                "server_tool_use": {"web_search_requests": 0},
                "model": model,
                "workspace_id": None,
                "api_key_id": None,
                "account_id": None,
                "service_account_id": None,
                "service_tier": tier,
                "context_window": context_window,
                "inference_geo": None,
            }
            for (bucket_day, model, tier, context_window), (uncached, cache_read, write_5m, write_1h, output) in sorted(
                totals.items()
            )
            if bucket_day == start.date()
        ]
        buckets.append(
            {
                "starting_at": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "ending_at": (start + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "results": results,
            }
        )
    page = {"data": buckets, "has_more": False, "next_page": None}
    return (json.dumps(page, indent=1) + "\n").encode("utf-8")


def write_invoice_lines(year: int, month: int, rows: list[dict], batch: list[dict]) -> bytes:
    """The month's invoices typed from the providers' PDFs (the invoice-lines format): usage per model at list
    price (what the gateway reported for models without a price), Anthropic's including the bypass, an OpenAI
    promotional credit and sales tax."""
    billed: dict[tuple[str, str], Decimal] = {}
    for item in rows:
        row = item["row"]
        if row["status"] != "success":
            continue
        amount = item["cost"] if item["priced"] else Decimal(repr(row["spend"]))
        key = (row["custom_llm_provider"], row["model"])
        billed[key] = billed.get(key, Decimal(0)) + amount
    for item in batch:
        if item["ts"].month == month:
            key = (item["row"]["provider"], item["row"]["model"])
            billed[key] = billed.get(key, Decimal(0)) + item["cost"]
    period = f"{year:04d}-{month:02d}"
    lines = ["provider,invoice_id,billing_period,category,description,amount,currency,model"]
    for provider in sorted({provider for provider, _ in billed}):
        invoice = f"{provider.upper()}-INV-{period}"
        usage_total = Decimal(0)
        for (line_provider, model), amount in sorted(billed.items()):
            if line_provider != provider:
                continue
            if provider == "anthropic":
                amount *= ANTHROPIC_BYPASS
            amount = amount.quantize(CENT, ROUND_HALF_UP)
            if not amount:
                continue  # nothing billed (every request failed or was free)
            usage_total += amount
            lines.append(f"{provider},{invoice},{period},usage,{model} usage,{amount},USD,{model}")
        if provider == "openai":
            tax = ((usage_total + OPENAI_CREDIT) * OPENAI_SALES_TAX).quantize(CENT, ROUND_HALF_UP)
            lines.append(f"{provider},{invoice},{period},credit,Promotional credit,{OPENAI_CREDIT},USD,")
            lines.append(f"{provider},{invoice},{period},tax,Sales tax 8.25%,{tax},USD,")
    return ("\n".join(lines) + "\n").encode("utf-8")


# ----------------------------------------------------------------------------------------------
# Month generation
# ----------------------------------------------------------------------------------------------


TURNS_SIGMA = 0.45  # lognormal spread of the turns aggregated into one logged request


def calibrate_turns(prices: PriceBook, single: dict[str, int]) -> None:
    """Set Feature.turns_median so that October lands near Feature.rows_oct rows.

    Rows on single-call routes (models with a long-context tier) are one model call each. Every other logged
    request aggregates the usage of several model turns (tool-calling loop), so that a realistic monthly spend
    fits in a few thousand rows; the turn count is what makes up the feature's spend target. Uses its own
    seeded RNG.
    """
    cg = Gen(SEED + 1)
    ts = datetime(2026, 10, 15, 12, tzinfo=UTC)
    for f in FEATURES:
        single_part = agg_part = Decimal(0)
        for rname, w in f.routes.items():
            r = ROUTES[rname]
            n = 400
            tot = Decimal(0)
            for _ in range(n):
                u = draw_usage(cg, r, long_from=single.get(rname))
                tot += prices.cost(
                    r.provider,
                    r.model,
                    ts,
                    u.uncached,
                    u.cache_read,
                    u.cache_write,
                    u.output,
                    reasoning=u.reasoning,
                )
            mean = Decimal(str(w[-1])) * tot / n
            if rname in single:
                single_part += mean
            else:
                agg_part += mean
        wsum = Decimal(str(sum(w[-1] for w in f.routes.values())))
        target = Decimal(DEPARTMENTS[f.dept][-1]) * Decimal(str(f.share))
        per_row = target / (f.rows_oct * Decimal("0.97"))  # 3 % failed rows cost nothing
        need = per_row * wsum - single_part  # what the aggregated routes must carry per row
        k = float(need / agg_part) / math.exp(TURNS_SIGMA**2 / 2) if agg_part else 1.0  # lognormal mean -> median
        f.turns_median = max(1.0, k)


def month_index(month: int) -> int:
    return [m for _, m in MONTHS].index(month)


def gen_batch(c: Ctx, year: int, month: int) -> list[dict]:
    g = c.g
    out = []
    ndays = calendar.monthrange(year, month)[1]
    for job in BATCH_JOBS:
        if job["schedule"] == "nightly":
            run_days = list(range(1, ndays + 1))
        else:  # weekly, Sundays
            run_days = [d for d in range(1, ndays + 1) if date(year, month, d).weekday() == 6]
        for d in run_days:
            submitted = datetime(year, month, d, 2, 0, tzinfo=UTC) + timedelta(minutes=g.r.randrange(20))
            batch_id = ("batch_" if job["provider"] == "openai" else "msgbatch_01") + g.b62(24)
            n = g.r.randint(*job["rows"])
            for i in range(n):
                ts = submitted + timedelta(seconds=g.r.randrange(5400))
                total = g.lognorm(job["ctx"][0], job["ctx"][1], 1000, job["ctx"][2])
                cread = int(total * g.r.uniform(*job["cache"])) if g.r.random() < 0.8 else 0
                if job["provider"] == "openai":
                    cread = cread // 128 * 128 if cread >= 1024 else 0
                cwrite = int(total * g.r.uniform(*job["cache_write"])) if job.get("cache_write") else 0
                outt = g.lognorm(job["out"][0], job["out"][1], 32, job["out"][2])
                reasoning = int(outt * g.r.uniform(*job["reasoning"])) if job["reasoning"] else 0
                inp = total - cread - cwrite
                cost = c.prices.cost(
                    job["provider"], job["model"], ts, inp, cread, cwrite, outt, reasoning=reasoning, tier="batch"
                )
                if cost is None:
                    raise SystemExit(f"batch job {job['feature']}: no batch price for {job['provider']}/{job['model']}")
                reported = cost
                if job["provider"] == "anthropic":
                    reported = None  # Anthropic batch results carry usage but no cost
                out.append(
                    {
                        "cost": cost,
                        "team": job["dept"],
                        "ts": ts,
                        "row": {
                            "request_id": f"{batch_id}:req-{d:02d}-{i:04d}",
                            "ts": ts,
                            "provider": job["provider"],
                            "model": job["model"],
                            "operation": "chat",
                            "service_tier": "batch",
                            "input_tokens": inp,
                            "cache_read_tokens": cread,
                            "cache_write_tokens": cwrite,
                            "output_tokens": outt,
                            "reasoning_tokens": reasoning,
                            "request_count": 1,
                            "status": "success",
                            "api_key_id": key_hash(job["key"]),
                            "api_key_alias": job["key"],
                            "team": job["team"],
                            "user": job["user"],
                            "project": job["project"],
                            "feature": job["feature"],
                            "environment": "prod",
                            "tags": {"feature": job["feature"], "environment": "prod", "batch_id": batch_id},
                            "reported_cost": None if reported is None else _fmt_dec(reported),
                        },
                    }
                )
    return out


def _fmt_dec(d: Decimal) -> str:
    return str(d.quantize(Decimal("0.000000001"), rounding=ROUND_HALF_EVEN))


def gen_month(c: Ctx, year: int, month: int, batch_rows: list[dict]) -> list[dict]:
    g = c.g
    mi = month_index(month)
    rows: list[dict] = []
    batch_cost: dict[str, Decimal] = {}
    for b in batch_rows:
        batch_cost[b["row"]["feature"]] = batch_cost.get(b["row"]["feature"], Decimal(0)) + b["cost"]
    for f in FEATURES:
        dept_target = DEPARTMENTS[f.dept][2 + mi]
        jitter = Decimal(str(round(g.r.uniform(0.985, 1.015), 4)))
        target = Decimal(dept_target) * Decimal(str(f.share)) * jitter - batch_cost.get(f.slug, Decimal(0))
        spent = Decimal(0)
        route_w = {r: w[mi] for r, w in f.routes.items()}
        while spent < target:
            env = "staging" if g.r.random() < f.staging_p else "prod"
            key_alias = f"{f.key_prefix}-{f.slug}-{env}"
            user = g.r.choice(f.users)
            end_user = f"cust_{g.r.randrange(f.end_users) + 10_000:05d}" if f.end_users else None
            route = ROUTES[g.weighted(route_w)]
            ts = random_ts(g, year, month, f.hours)
            turns = 1
            session_id = None
            if f.session:
                turns = g.r.randint(*f.session)
                session_id = g.uuid4()
            elif f.end_users:  # one conversation = one session
                session_id = g.uuid4()
            for _ in range(turns):
                if ts.month != month:
                    break
                failed = g.r.random() < FAILURE_P
                turns_n = max(
                    1, min(round(3 * f.turns_median), round(f.turns_median * math.exp(g.r.gauss(0.0, TURNS_SIGMA))))
                )
                r = build_row(
                    c,
                    route,
                    ts,
                    team=f.dept,
                    key_alias=key_alias,
                    user=user,
                    feature=f.slug,
                    env=env,
                    end_user=end_user,
                    session_id=session_id,
                    failed=failed,
                    turns=turns_n,
                    cache_1h_p=CACHE_1H_P if month == 10 and route.name in CACHE_1H_ROUTES else 0.0,
                )
                rows.append(r)
                spent += r["cost"]
                ts = r["row"]["endTime"] + timedelta(seconds=g.r.randint(4, 240), milliseconds=g.r.randrange(1000))
                if spent >= target:
                    break
    # unpriced model: a few dozen research-assistant calls to mistral-large-2411
    for _ in range(MISTRAL_PER_MONTH):
        user = g.r.choice(USERS["product"])
        rows.append(
            build_row(
                c,
                ROUTES["ra-mistral"],
                random_ts(g, year, month, "business"),
                team="product",
                key_alias="product-research-assistant-prod",
                user=user,
                feature="research-assistant",
                env="prod",
                end_user=None,
                session_id=None,
                failed=False,
            )
        )
    # team-less traffic on the shared playground key
    n_pg = round(len(rows) * PLAYGROUND_SHARE / (1 - PLAYGROUND_SHARE))
    for _ in range(n_pg):
        route = ROUTES[g.weighted(PLAYGROUND_ROUTES)]
        rows.append(
            build_row(
                c,
                route,
                random_ts(g, year, month, "business"),
                team=None,
                key_alias="shared-playground",
                user=g.r.choice(PLAYGROUND_USERS),
                feature=None,
                env=None,
                end_user=None,
                session_id=None,
                failed=g.r.random() < FAILURE_P,
                turns=g.r.randint(1, 4),
            )
        )
    rows.sort(key=lambda r: (r["row"]["startTime"], r["row"]["request_id"]))
    return rows


# ----------------------------------------------------------------------------------------------
# Serialisation: Postgres COPY ... CSV HEADER  and  /spend/logs JSON
# ----------------------------------------------------------------------------------------------

COLUMNS = list(SPEND_LOGS_TABLE_COLUMNS)
JSON_COLUMNS = {"metadata", "request_tags", "messages", "response", "proxy_server_request"}


def jsonb_order(v):
    """Reorder object keys the way Postgres jsonb stores them (shorter keys first, then bytewise)."""
    if isinstance(v, dict):
        return {k: jsonb_order(v[k]) for k in sorted(v, key=lambda k: (len(k.encode()), k.encode()))}
    if isinstance(v, list):
        return [jsonb_order(x) for x in v]
    return v


def jsonb_text(v) -> str:
    """jsonb output function format: ', ' and ': ' separators, jsonb key order."""
    return json.dumps(jsonb_order(v), ensure_ascii=False, separators=(", ", ": "))


def pg_float8(x: float) -> str:
    s = repr(float(x))
    if s.endswith(".0"):
        s = s[:-2]
    return s.replace("e-0", "e-").replace("e+", "e+") if "e" in s else s


def pg_timestamp3(t: datetime) -> str:
    s = t.strftime("%Y-%m-%d %H:%M:%S")
    ms = t.microsecond // 1000
    if ms:
        s += f".{ms:03d}".rstrip("0")
    return s


def csv_field(v: str | None) -> str:
    if v is None:
        return ""  # NULL
    if v == "" or any(ch in v for ch in ',"\n\r') or v == "\\.":
        return '"' + v.replace('"', '""') + '"'
    return v


def pg_text(col: str, v) -> str | None:
    if v is None:
        return None
    if col in JSON_COLUMNS:
        return jsonb_text(v)
    if isinstance(v, datetime):
        return pg_timestamp3(v)
    if isinstance(v, float):
        return pg_float8(v)
    return str(v)


def write_csv(rows: list[dict], defects: dict[int, str]) -> bytes:
    buf = io.StringIO()
    buf.write(",".join(COLUMNS) + "\n")
    for i, r in enumerate(rows):
        vals = [pg_text(col, r["row"][col]) for col in COLUMNS]
        kind = defects.get(i)
        if kind == "bad_prompt_tokens":
            vals[COLUMNS.index("prompt_tokens")] = "12x"
        elif kind == "bad_start_time":
            vals[COLUMNS.index("startTime")] = "2026-08-32 25:00:00"
        elif kind == "empty_request_id":
            vals[COLUMNS.index("request_id")] = None
        line = ",".join(csv_field(v) for v in vals)
        if kind == "extra_field":
            line += ",unexpected_extra_value"
        buf.write(line + "\n")
    return buf.getvalue().encode("utf-8")


def iso_z(t: datetime | None) -> str | None:
    if t is None:
        return None
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def write_spend_logs_json(rows: list[dict], bad_spend_index: int) -> bytes:
    out = []
    for i, r in enumerate(rows):
        o = {}
        for col in COLUMNS:
            v = r["row"][col]
            if isinstance(v, datetime):
                v = iso_z(v)
            elif col in JSON_COLUMNS:
                v = jsonb_order(v)
            o[col] = v
        if i == bad_spend_index:
            o["spend"] = "n/a"
        out.append(o)
    return json.dumps(out, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def write_batch_jsonl(rows: list[dict]) -> bytes:
    lines = []
    for b in rows:
        o = dict(b["row"])
        o["ts"] = iso_z(o["ts"])
        lines.append(json.dumps(o, ensure_ascii=False, separators=(",", ":")))
    return ("\n".join(lines) + "\n").encode("utf-8")


def gz(data: bytes) -> bytes:
    bio = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=bio, compresslevel=9, mtime=0) as f:
        f.write(data)
    return bio.getvalue()


# ----------------------------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------------------------


def pick_defects(g: Gen, rows: list[dict]) -> dict[int, str]:
    """Choose four cheap successful August rows to corrupt (cost < $0.05 so totals barely move)."""
    cand = [
        i
        for i, r in enumerate(rows)
        if r["row"]["status"] == "success" and Decimal(0) < r["cost"] < Decimal("0.05") and r["team"] is not None
    ]
    chosen = sorted(g.r.sample(cand, 4))
    kinds = ["bad_prompt_tokens", "bad_start_time", "empty_request_id", "extra_field"]
    g.r.shuffle(kinds)
    return dict(zip(chosen, kinds, strict=True))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "sample_data")
    ap.add_argument("--pricing", type=Path, default=ROOT / "pricing")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--routes", action="store_true", help="also print October rows and cost per route")
    args = ap.parse_args(argv)

    g = Gen(SEED)
    prices = PriceBook(args.pricing)
    for r in ROUTES.values():  # every route except the deliberate unpriced one must be priced
        if r.provider != "mistral" and prices.resolve(r.provider, r.model) is None:
            raise SystemExit(f"route {r.name}: {r.provider}/{r.model} not in pricing/")
    mistral = ROUTES["ra-mistral"]
    if prices.resolve(mistral.provider, mistral.model) is not None:  # the documented unpriced-model defect
        raise SystemExit(f"{mistral.provider}/{mistral.model} must stay absent from pricing/ (deliberate defect)")
    team_ids = {slug: g.uuid4() for slug in DEPARTMENTS}
    model_ids = {name: g.uuid4() for name in ROUTES}
    single = single_call_routes(prices)
    c = Ctx(g, prices, team_ids, model_ids, single)
    calibrate_turns(prices, single)

    args.out.mkdir(parents=True, exist_ok=True)
    summary: dict[tuple[str, int], Decimal] = {}
    counts: dict[str, int] = {}
    all_batch: list[dict] = []
    stats = {}
    for year, month in MONTHS:
        batch = gen_batch(c, year, month)
        rows = gen_month(c, year, month, batch)
        if (year, month) == MONTHS[-1]:
            rows = sorted(
                rows + gen_sandbox(c, year, month), key=lambda r: (r["row"]["startTime"], r["row"]["request_id"])
            )
        all_batch.extend(batch)
        for r in rows + batch:
            k = (r["team"] or "(no team)", month)
            summary[k] = summary.get(k, Decimal(0)) + r["cost"]
        stats[month] = rows
        if month in (8, 9):
            defects = pick_defects(g, rows) if month == 8 else {}
            if defects:
                for i, kind in defects.items():
                    stats.setdefault("defects", []).append((kind, rows[i]["row"]["request_id"], rows[i]["cost"]))
            name = f"litellm_spendlogs_{year}-{month:02d}.csv.gz"
            (args.out / name).write_bytes(gz(write_csv(rows, defects)))
        else:
            # a mid-priced marketing row, so the demo's marketing line shows what one quarantined row costs
            cand = [
                i
                for i, r in enumerate(rows)
                if r["row"]["status"] == "success" and r["team"] == "marketing" and Decimal(3) <= r["cost"] < Decimal(4)
            ]
            bad = g.r.choice(cand)
            stats["bad_spend"] = (rows[bad]["row"]["request_id"], rows[bad]["cost"])
            name = f"litellm_spend_logs_{year}-{month:02d}.json.gz"
            (args.out / name).write_bytes(gz(write_spend_logs_json(rows, bad)))
        counts[name] = len(rows)
    all_batch.sort(key=lambda b: (b["ts"], b["row"]["request_id"]))
    year, month = MONTHS[-1]
    for name, content in (
        (
            f"anthropic_usage_report_{year}-{month:02d}.json",
            write_anthropic_usage_report(year, month, stats[month], all_batch),
        ),
        (f"invoices_{year}-{month:02d}.csv", write_invoice_lines(year, month, stats[month], all_batch)),
    ):
        (args.out / name).write_bytes(content)
        counts[name] = content.count(b"\n") - 1
    bname = "batch_jobs_2026-08_10.jsonl.gz"
    (args.out / bname).write_bytes(gz(write_batch_jsonl(all_batch)))
    counts[bname] = len(all_batch)

    if not args.quiet:
        print_summary(summary, counts, stats, args.out, args.routes)
    return 0


def print_summary(summary, counts, stats, out: Path, show_routes: bool = False) -> None:
    months = [m for _, m in MONTHS]
    print("Computed cost (pricing/*.yaml) per department, USD -- LiteLLM + batch rows")
    head = "".join(f"{f'2026-{m:02d}':>12}" for m in months)
    print(f"{'department':<14}{head}{'Oct target':>12}{'Oct dev':>9}{'budget':>9}")
    for slug, (_name, budget, *targets) in DEPARTMENTS.items():
        vals = [summary.get((slug, m), Decimal(0)) for m in months]
        dev = (vals[-1] / targets[-1] - 1) * 100
        print(f"{slug:<14}" + "".join(f"{v:>12,.2f}" for v in vals) + f"{targets[-1]:>12,}{dev:>8.1f}%{budget:>9,}")
    vals = [summary.get(("(no team)", m), Decimal(0)) for m in months]
    print(f"{'(no team)':<14}" + "".join(f"{v:>12,.2f}" for v in vals))
    tot = [sum((v for (t, mm), v in summary.items() if mm == m), Decimal(0)) for m in months]
    print(f"{'TOTAL':<14}" + "".join(f"{v:>12,.2f}" for v in tot))
    print()
    for m in months:
        rows = stats[m]
        n = len(rows)
        fail = sum(1 for r in rows if r["row"]["status"] == "failure")
        nt = sum(1 for r in rows if r["team"] is None)
        unpriced = sum(1 for r in rows if not r["priced"])
        drift = sum(
            1
            for r in rows
            if r["row"]["status"] == "success"
            and r["priced"]
            and abs(Decimal(repr(r["row"]["spend"])) - r["cost"]) > Decimal("1e-9")
        )
        print(
            f"2026-{m:02d}: {n} rows, {fail} failed ({fail / n:.1%}), {nt} no-team ({nt / n:.1%}), "
            f"{unpriced} unpriced, {drift} with spend != computed ({drift / n:.1%})"
        )
        ok_single = [r for r in rows if r["single"] and r["row"]["status"] == "success"]
        n_long = sum(1 for r in ok_single if r["long"])
        long_cost = sum((r["cost"] for r in ok_single if r["long"]), Decimal(0))
        h1 = [r for r in rows if r["usage"].cache_write_1h]
        print(
            f"         {len(ok_single)} successful single calls on long-context models, {n_long} above the threshold "
            f"({n_long / max(1, len(ok_single)):.1%}, {long_cost:,.2f} USD); {len(h1)} with 1-hour cache writes "
            f"({sum(1 for r in h1 if not r['priced'])} unpriced)"
        )
    if show_routes:
        oct_rows = stats[months[-1]]
        print(f"{'route (Oct)':<22}{'rows':>7}{'USD':>11}{'USD/row':>9}{'median prompt':>15}{'max prompt':>12}")
        for name in ROUTES:
            rr = [r for r in oct_rows if r["route"] == name and r["row"]["status"] == "success"]
            if not rr:
                continue
            cost = sum((r["cost"] for r in rr), Decimal(0))
            prompts = sorted(r["usage"].prompt_total for r in rr)
            print(
                f"{name:<22}{len(rr):>7}{cost:>11,.2f}{cost / len(rr):>9.3f}{prompts[len(prompts) // 2]:>15,}"
                f"{prompts[-1]:>12,}"
            )
    print("turns per request (median):", {f.slug: round(f.turns_median, 1) for f in FEATURES})
    print("defects (Aug CSV):", stats.get("defects"))
    print("bad spend (Oct JSON):", stats.get("bad_spend"))
    print()
    total = 0
    for name, n in counts.items():
        size = (out / name).stat().st_size
        total += size
        print(f"{name:<40}{n:>8} rows {size:>10,} bytes")
    print(f"{'total':<40}{'':>13} {total:>10,} bytes")


if __name__ == "__main__":
    raise SystemExit(main())
