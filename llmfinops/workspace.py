"""The workspace: a folder with finops.yaml, the DuckDB file, local price overrides, an inbox and reports."""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from llmfinops.errors import WorkspaceError

CONFIG_FILE = "finops.yaml"
DATABASE_FILE = "llmfinops.duckdb"
ENV_VAR = "LLMFINOPS_WORKSPACE"


@dataclass(frozen=True)
class Workspace:
    """Paths of one workspace."""

    root: Path

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def database_path(self) -> Path:
        return self.root / DATABASE_FILE

    @property
    def pricing_dir(self) -> Path:
        return self.root / "pricing"

    @property
    def inbox_dir(self) -> Path:
        return self.root / "inbox"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"


def locate_workspace(explicit: Path | None) -> Workspace:
    """The workspace from `-w`, then $LLMFINOPS_WORKSPACE, then the current folder; it must have been initialised."""
    if explicit is not None:
        root, how = explicit, "--workspace"
    elif os.environ.get(ENV_VAR):
        root, how = Path(os.environ[ENV_VAR]), f"${ENV_VAR}"
    else:
        root, how = Path.cwd(), "the current folder"
    workspace = Workspace(root.resolve())
    if not workspace.config_path.is_file():
        raise WorkspaceError(
            f"{workspace.root}: not an llmfinops workspace (no {CONFIG_FILE}; found from {how}).",
            f"Run `llmfinops init {root}` to create one, `llmfinops demo --out DIR` for a sample one, or pass -w DIR.",
        )
    return workspace


def config_template() -> str:
    """The commented finops.yaml that `init` writes."""
    return files("llmfinops").joinpath("finops.template.yaml").read_text(encoding="utf-8")


def create_workspace(root: Path, config_text: str | None = None) -> Workspace:
    """Make the folders and finops.yaml of a new workspace; an existing finops.yaml is never overwritten."""
    workspace = Workspace(root.resolve())
    if workspace.config_path.exists():
        raise WorkspaceError(
            f"{workspace.config_path}: already exists; this folder is a workspace already.",
            "Use it as it is, or choose another folder.",
        )
    for folder in (workspace.root, workspace.inbox_dir, workspace.reports_dir, workspace.pricing_dir):
        folder.mkdir(parents=True, exist_ok=True)
    workspace.config_path.write_text(config_text if config_text is not None else config_template(), encoding="utf-8")
    return workspace
