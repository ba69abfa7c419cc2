"""A month's allocation: pools, seats, exactness, determinism, explanations, dated rules and config mistakes."""

from __future__ import annotations

import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmfinops.allocate.compute import allocate_month
from llmfinops.allocate.explain import explain_request
from llmfinops.config import load_config, parse_config
from llmfinops.db.connection import Database
from llmfinops.errors import ConfigError
from llmfinops.ingest.load import ingest_files, refresh_usage_basis
from llmfinops.money import to_cents
from llmfinops.periods import parse_month
from llmfinops.prices.apply import price_where
from llmfinops.reports.build import spend_by_cost_center
from llmfinops.store import open_store
from llmfinops.workspace import Workspace, create_workspace
from llmfinops.yamlfile import load_yaml
from tests.builders import canonical_row, write_canonical_jsonl

OCTOBER = parse_month("2026-10")
TEAMS = ["alpha", "beta", "gamma", "delta", None]
PROVIDER_MODELS = [("anthropic", "claude-haiku-4-5"), ("openai", "gpt-5-mini"), ("vertex_ai", "gemini-2.5-flash")]


def _config_text(pool_yaml: str = "", rules_yaml: str = "", extra: str = "") -> str:
    return f"""\
currency: USD
cost_centers:
  - {{code: A, name: Alpha, monthly_budget: "100.00"}}
  - {{code: B, name: Beta}}
  - {{code: C, name: Gamma}}
  - {{code: S, name: Shared services}}
rules:
  - {{cost_center: A, match: {{team: alpha}}}}
  - {{cost_center: B, match: {{team: beta}}}}
  - {{cost_center: C, match: {{team: "gam*"}}}}
  - {{cost_center: S, match: {{team: delta}}}}
{rules_yaml}{pool_yaml}{extra}"""


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    workspace = create_workspace(Path(tmp_path_factory.mktemp("allocation")) / "ws", _config_text())
    store = open_store(workspace)
    try:
        yield store
    finally:
        store.close()


def _load_usage(database: Database, rows: list[tuple[int, int, int]]) -> None:
    """rows: (team index, provider index, tokens); replaces the usage table's October."""
    database.execute("DELETE FROM usage_costs")
    database.execute("DELETE FROM usage")
    for number, (team_index, provider_index, tokens) in enumerate(rows, start=1):
        provider, model = PROVIDER_MODELS[provider_index]
        database.execute(
            """
            INSERT INTO usage (natural_key, request_id, grain, origin, ts, provider, model, model_raw, operation,
                               service_tier, input_tokens, cache_read_tokens, cache_write_tokens, output_tokens,
                               reasoning_tokens, request_count, status, team_alias, token_convention, source_id,
                               source_row)
            VALUES (?, ?, 'request', 'gateway', TIMESTAMP '2026-10-10 10:00:00', ?, ?, ?, 'chat', 'standard',
                    ?, 0, 0, ?, 0, 1, 'success', ?, 'test', 0, ?)
            """,
            [f"t:{number}", f"r{number}", provider, model, model, tokens, tokens // 3, TEAMS[team_index], number],
        )
    price_where(database, "true", [])
    refresh_usage_basis(database)  # rows written here, not by ingest


pools = st.sampled_from(
    [
        "",
        'shared_pools:\n  - {name: platform, amount: "123.45", split: proportional}\n',
        'shared_pools:\n  - {name: platform, amount: "10.01", split: even}\n',
        'shared_pools:\n  - {name: ops, from: S, split: fixed, percentages: {A: "50", B: "30", C: "20"}}\n',
        "shared_pools:\n  - {name: untagged, from: unallocated, split: proportional}\n",
        "shared_pools:\n  - {name: ops, from: S, split: even, among: [A, B]}\n"
        '  - {name: platform, amount: "0.03", split: even}\n',
    ]
)
usage = st.lists(st.tuples(st.integers(0, 4), st.integers(0, 2), st.integers(0, 3_000_000)), min_size=1, max_size=25)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=usage, pool_yaml=pools)
def test_allocation_conserves_every_cent_and_is_deterministic(
    database: Database, rows: list[tuple[int, int, int]], pool_yaml: str
) -> None:
    _load_usage(database, rows)
    config = parse_config(_yaml(pool_yaml), Path("finops.yaml"))

    allocation = allocate_month(database, config, OCTOBER)

    # Every row goes to exactly one cost center or unallocated.
    by_center = spend_by_cost_center(database, config, OCTOBER)
    assert sum(center.requests for center in by_center) == len(rows)
    # Nothing is created or lost: allocated = usage + fixed pool amounts.
    fixed = sum((pool.amount for pool in config.shared_pools if pool.amount is not None), Decimal(0))
    assert sum((line.allocated_cost for line in allocation.lines), Decimal(0)) == allocation.direct_cost + fixed
    # Per provider (pool), the cents add up exactly to the rounded total.
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for line in allocation.lines:
        totals[line.provider][0] += line.allocated_cost
        totals[line.provider][1] += line.chargeback_cost
    for exact, cents in totals.values():
        assert cents == to_cents(exact)
    assert allocate_month(database, config, OCTOBER) == allocation


def _yaml(pool_yaml: str, rules_yaml: str = "", extra: str = ""):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "finops.yaml"
        path.write_text(_config_text(pool_yaml, rules_yaml, extra))
        return load_yaml(path)


def test_even_and_fixed_splits_match_their_definition(database: Database) -> None:
    _load_usage(database, [(3, 0, 1_000_000)])  # only S (delta) has usage
    config = parse_config(
        _yaml(
            'shared_pools:\n  - {name: ops, from: S, split: fixed, percentages: {A: "50", B: "30", C: "20"}}\n'
            '  - {name: platform, amount: "100.00", split: even, among: [A, B, C]}\n'
        ),
        Path("finops.yaml"),
    )

    allocation = allocate_month(database, config, OCTOBER)

    ops = {line.cost_center: line.allocated_cost for line in allocation.lines if line.pool == "ops"}
    source = allocation.direct_cost
    assert ops == {"A": source * Decimal("0.5"), "B": source * Decimal("0.3"), "C": source * Decimal("0.2")}
    platform = {line.cost_center: line.chargeback_cost for line in allocation.lines if line.pool == "platform"}
    # Even: equal exact shares; in cents the odd cent goes to one of them, the same one every run.
    assert sorted(platform.values()) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    assert set(platform) == {"A", "B", "C"}
    assert allocation.total("S") == 0  # everything S used went into the pool


def test_seats_are_charged_apart_from_token_spend(database: Database) -> None:
    _load_usage(database, [(0, 1, 100_000)])
    extra = 'seats:\n  - {name: Copilot, vendor: github, price_per_seat: "19.00", assignments: {A: 3, B: 0}}\n'
    config = parse_config(_yaml("", extra=extra), Path("finops.yaml"))

    allocation = allocate_month(database, config, OCTOBER)

    assert allocation.total("A", "seats") == Decimal("57.00")
    assert allocation.total("B", "seats") == 0
    assert allocation.total("A", "direct") == to_cents(allocation.direct_cost)


def test_a_dated_rule_changes_its_months_only(make_workspace: Callable[..., Workspace], tmp_path: Path) -> None:
    # From November, team beta's usage belongs to A (a re-org); October stays with B.
    rules = '  - {cost_center: A, match: {team: beta}, effective_from: "2026-11-01"}\n'
    config_text = _config_text().replace("rules:\n", "rules:\n" + rules)
    workspace = make_workspace(config_text)
    rows = [
        canonical_row(1, team="beta", ts="2026-10-31T23:59:59Z", input_tokens=100_000),
        canonical_row(2, team="beta", ts="2026-11-01T00:00:00Z", input_tokens=100_000),
    ]
    write_canonical_jsonl(tmp_path / "beta.jsonl", rows)
    with open_store(workspace) as database:
        ingest_files(database, [tmp_path / "beta.jsonl"])
        config = load_config(workspace.config_path)
        october = allocate_month(database, config, OCTOBER)
        november = allocate_month(database, config, parse_month("2026-11"))
        explained = explain_request(database, config, "req-000001")

    assert (october.total("A"), october.total("B") > 0) == (0, True)
    assert (november.total("B"), november.total("A") > 0) == (0, True)
    assert explained.cost_center == "B"
    assert explained.verdicts[0].reasons == ("not in effect before 2026-11-01",)


def test_explain_says_which_rule_matched_and_why_the_earlier_ones_did_not(
    make_workspace: Callable[..., Workspace], tmp_path: Path
) -> None:
    workspace = make_workspace(_config_text())
    write_canonical_jsonl(tmp_path / "one.jsonl", [canonical_row(1, team="gamma-labs")])
    with open_store(workspace) as database:
        ingest_files(database, [tmp_path / "one.jsonl"])
        explanation = explain_request(database, load_config(workspace.config_path), "req-000001")

    assert explanation.cost_center == "C"
    assert [(verdict.matched, verdict.reasons) for verdict in explanation.verdicts[:3]] == [
        (False, ("team is gamma-labs, not 'alpha'",)),
        (False, ("team is gamma-labs, not 'beta'",)),
        (True, ("team 'gamma-labs' matches glob 'gam*'",)),
    ]


@pytest.mark.parametrize(
    ("pool_yaml", "rules_yaml", "message"),
    [
        ("", "  - {cost_center: Z, match: {team: x}}\n", "cost_center: 'Z' is not one of the cost_centers"),
        (
            'shared_pools:\n  - {name: p, amount: "1", split: fixed, percentages: {A: "60", B: "30"}}\n',
            "",
            "percentages: they total 90 %, not 100 %.",
        ),
        ("", "  - {cost_center: A, match: {team: {regex: '(unclosed'}}}\n", "regex '(unclosed' is not valid"),
        ("shared_pools:\n  - {name: p, split: even}\n", "", "give either `amount`"),
    ],
)
def test_config_mistakes_name_file_and_line(pool_yaml: str, rules_yaml: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / "finops.yaml"
    path.write_text(_config_text(pool_yaml, rules_yaml))

    with pytest.raises(ConfigError) as caught:
        load_config(path)

    assert caught.value.message.startswith(f"{path}:")
    assert message in caught.value.message


def test_cycles_and_duplicate_codes_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "finops.yaml"
    path.write_text("cost_centers:\n  - {code: A, parent: B}\n  - {code: B, parent: A}\n")
    with pytest.raises(ConfigError, match="form a cycle"):
        load_config(path)
    path.write_text("cost_centers:\n  - {code: A}\n  - {code: A}\n")
    with pytest.raises(ConfigError, match=r"finops.yaml:3: code: 'A' is used twice"):
        load_config(path)


def test_a_rule_an_earlier_rule_shadows_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "finops.yaml"
    path.write_text(_config_text(rules_yaml="  - {cost_center: B, match: {team: alpha, environment: prod}}\n"))

    config = load_config(path)

    assert config.warnings == (
        f"{path}:12: rule 5 (line 12) can never match: rule 1 (line 8) matches everything it matches and comes first.",
    )
