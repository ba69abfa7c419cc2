"""Everything pricing depends on, in one value: the price tables, the workspace's model aliases and contracts."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from llmfinops.config import Config, ContractDiscount, ModelAlias
from llmfinops.prices.tables import PriceTables, load_price_tables
from llmfinops.resources import pricing_dir
from llmfinops.workspace import Workspace


@dataclass(frozen=True)
class PricingSetup:
    tables: PriceTables
    model_aliases: tuple[ModelAlias, ...]
    contracts: tuple[ContractDiscount, ...]

    @property
    def pricing_hash(self) -> str:
        """Changes whenever a price, an alias or a contract changes; stored with every priced row."""
        digest = hashlib.sha256(self.tables.tables_hash.encode())
        workspace_part = {
            "model_aliases": [asdict(alias) for alias in self.model_aliases],
            "contracts": [asdict(contract) for contract in self.contracts],
        }
        digest.update(json.dumps(workspace_part, sort_keys=True, default=str).encode())
        return digest.hexdigest()


def load_pricing_setup(workspace: Workspace, config: Config) -> PricingSetup:
    """Bundled tables, overridden by the workspace's pricing/ folder, plus finops.yaml's aliases and contracts."""
    return PricingSetup(
        tables=load_price_tables([pricing_dir(), workspace.pricing_dir]),
        model_aliases=config.model_aliases,
        contracts=config.contracts,
    )
