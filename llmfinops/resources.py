"""Find the data shipped with the package: price tables, sample data and report templates.

In a wheel they live under `llmfinops/_data/` (hatch force-include); in a source checkout they are the
top-level folders of the repository. Everything else asks this module, never a hard-coded path.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_INSTALLED = {"pricing": "pricing", "sample_data": "sample_data", "templates": "templates"}
_CHECKOUT = {"pricing": "pricing", "sample_data": "sample_data", "templates": "reports/templates"}


def _bundled(name: str) -> Path:
    installed = _PACKAGE_DIR / "_data" / _INSTALLED[name]
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / _CHECKOUT[name]


def pricing_dir() -> Path:
    """The bundled price tables (`pricing/*.yaml`)."""
    return _bundled("pricing")


def sample_data_dir() -> Path:
    """The bundled sample workspace inputs (`sample_data/`)."""
    return _bundled("sample_data")


def templates_dir() -> Path:
    """The bundled report templates (`reports/templates/`)."""
    return _bundled("templates")
