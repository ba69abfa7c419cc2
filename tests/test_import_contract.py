"""The core never imports the UI libraries (STYLE.md habit 1; acceptance criterion 14)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.conftest import REPO_ROOT

UI_MODULES = ("typer", "rich", "jinja2", "openpyxl")


def test_core_modules_do_not_import_typer_rich_jinja2_or_openpyxl() -> None:
    script = textwrap.dedent(
        f"""
        import importlib, pathlib, sys
        import llmfinops
        excluded = ("llmfinops.cli", "llmfinops.render", "llmfinops.console", "llmfinops.__main__")
        package_dir = pathlib.Path(llmfinops.__file__).parent
        # Found from the files, not pkgutil.walk_packages, which imports every package (cli included) to walk it.
        names = sorted(
            ".".join(("llmfinops", *path.relative_to(package_dir).with_suffix("").parts)).removesuffix(".__init__")
            for path in package_dir.rglob("*.py")
        )
        names = [n for n in names if not any(n == e or n.startswith(e + ".") for e in excluded)]
        for name in names:
            importlib.import_module(name)
        assert len(names) >= 20, names
        loaded = sorted(m for m in {UI_MODULES!r} if m in sys.modules)
        assert not loaded, f"core imported {{loaded}}"
        print(len(names))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 20
