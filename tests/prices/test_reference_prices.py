"""The bundled anthropic and openai prices agree with LiteLLM's price map in shared/reference (skipped when absent)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from llmfinops.prices.tables import parse_price_file
from llmfinops.resources import pricing_dir
from tests.conftest import REPO_ROOT

LITELLM_PRICES = (
    REPO_ROOT.parent / "shared" / "reference" / "pricing" / "litellm" / "model_prices_and_context_window_backup.json"
)
COMPONENTS = {
    "input_per_mtok": "input_cost_per_token",
    "cache_read_per_mtok": "cache_read_input_token_cost",
    "cache_write_per_mtok": "cache_creation_input_token_cost",
    "output_per_mtok": "output_cost_per_token",
}


@pytest.mark.parametrize("price_file", ["anthropic.yaml", "openai.yaml"])
def test_current_prices_match_the_litellm_price_map(price_file: str) -> None:
    if not LITELLM_PRICES.is_file():
        pytest.skip(f"{LITELLM_PRICES} is not available")
    reference = json.loads(LITELLM_PRICES.read_text())
    compared = 0
    for model in parse_price_file(pricing_dir() / price_file):
        entry = reference.get(model.model)
        if entry is None:
            continue
        window = model.windows[-1]
        for ours, theirs in COMPONENTS.items():
            if entry.get(theirs) is None or (entry[theirs] == 0 and getattr(window.rates, ours) is None):
                continue
            # The reference writes per-token floats; their shortest repr is the decimal price.
            assert getattr(window.rates, ours) == Decimal(repr(entry[theirs])) * 1_000_000, (model.model, ours)
            compared += 1
    assert compared >= 6
