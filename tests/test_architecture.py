"""The layer contract and the module-size rule, checked on the code itself.

`lint-imports` (import-linter, configured in pyproject.toml) runs in `make test`; these tests
show that the contract has teeth: removing a layer from it, or adding an import from a lower
domain app to a higher one, makes it fail. They also keep imports out of function bodies,
where they would hide a cycle from the contract, and keep every module small enough to read.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "openisms"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
MAX_MODULE_LINES = 600

# Imports of our own modules that must stay inside a function, each with its reason.
LAZY_IMPORTS: dict[tuple[str, str], str] = {
    ("cli.py", "openisms.work.tasks"): "runs after django.setup(); the CLI starts without Django",
    ("web/apps.py", "openisms.web.panels"): "AppConfig.ready: models load after the registry",
    ("web/apps.py", "openisms.core"): "AppConfig.ready: registers the panel provider",
    ("work/apps.py", "openisms.orgs"): "AppConfig.ready: registers the reminder source",
    ("work/apps.py", "openisms.work.reminders"): "AppConfig.ready: models load after the registry",
    ("evidence/apps.py", "openisms.orgs"): "AppConfig.ready: registers the reminder source",
    ("evidence/apps.py", "openisms.evidence.reminders"): "AppConfig.ready: as above",
    ("documents/apps.py", "openisms.orgs"): "AppConfig.ready: registers reminders and pack part",
    ("documents/apps.py", "openisms.documents.reminders"): "AppConfig.ready: as above",
    ("documents/apps.py", "openisms.documents.exports"): "AppConfig.ready: as above",
    ("soa/apps.py", "openisms.soa"): "AppConfig.ready: the signal receivers read models",
    ("soa/apps.py", "openisms.orgs"): "AppConfig.ready: registers the organisation starter",
    ("risks/apps.py", "openisms.orgs"): "AppConfig.ready: registers the organisation starter",
    ("risks/apps.py", "openisms.risks.services"): "AppConfig.ready: as above",
    ("risks/apps.py", "openisms.risks.review_input"): "AppConfig.ready: registers the review input",
    ("nonconformities/apps.py", "openisms.orgs"): "AppConfig.ready: registers reminders, review "
    "input and audit-pack part",
    ("nonconformities/apps.py", "openisms.nonconformities.exports"): "AppConfig.ready: as above",
    ("nonconformities/apps.py", "openisms.nonconformities.reminders"): "AppConfig.ready: as above",
    (
        "nonconformities/apps.py",
        "openisms.nonconformities.review_input",
    ): "AppConfig.ready: as above",
    ("reviews/apps.py", "openisms.orgs"): "AppConfig.ready: registers reminders, review input and "
    "audit-pack part",
    ("reviews/apps.py", "openisms.reviews.exports"): "AppConfig.ready: as above",
    ("reviews/apps.py", "openisms.reviews.reminders"): "AppConfig.ready: as above",
    ("reviews/apps.py", "openisms.reviews.review_input"): "AppConfig.ready: as above",
    ("audits/apps.py", "openisms.orgs"): "AppConfig.ready: registers review inputs, pack part",
    ("audits/apps.py", "openisms.audits"): "AppConfig.ready: the sources read models",
    ("context/apps.py", "openisms.context"): "AppConfig.ready: registers starter, inputs, pack",
    ("context/apps.py", "openisms.orgs"): "AppConfig.ready: as above",
    ("objectives/apps.py", "openisms.objectives"): "AppConfig.ready: reminders, inputs, pack",
    ("objectives/apps.py", "openisms.orgs"): "AppConfig.ready: as above",
    ("risks/simulation.py", "openisms.risks.quant"): "NumPy loads only when a simulation runs",
    ("accounts/apps.py", "openisms.accounts"): "AppConfig.ready: connects the session receivers",
    ("catalog/apps.py", "openisms.catalog.loader"): "AppConfig.ready: rebuild after restore",
    ("catalog/apps.py", "openisms.core.backup"): "AppConfig.ready: as above",
}


def _python_files() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts)


def _nested_imports(path: Path) -> list[tuple[int, str]]:
    """Imports of ``openisms`` modules anywhere but at the top level of the module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = set(map(id, tree.body))
    found = []
    for node in ast.walk(tree):
        if id(node) in top:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("openisms"):
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, a.name) for a in node.names if a.name.startswith("openisms"))
    return found


def test_no_imports_inside_functions_except_the_allowlisted_lazy_ones() -> None:
    unexpected = []
    used = set()
    for path in _python_files():
        rel = path.relative_to(SRC).as_posix()
        for lineno, module in _nested_imports(path):
            key = (rel, module)
            if key in LAZY_IMPORTS:
                used.add(key)
            else:
                unexpected.append(f"{rel}:{lineno} imports {module} inside a block")
    assert unexpected == [], "move these imports to the top of the module:\n" + "\n".join(
        unexpected
    )
    assert set(LAZY_IMPORTS) == used, f"stale allowlist entries: {set(LAZY_IMPORTS) - used}"


def test_no_module_is_over_the_size_limit() -> None:
    too_long = {
        path.relative_to(SRC).as_posix(): n
        for path in _python_files()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}, f"split these modules (over {MAX_MODULE_LINES} lines): {too_long}"


def test_nested_import_finder_sees_function_and_type_checking_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from typing import TYPE_CHECKING\n"
        "import openisms.core\n"
        "if TYPE_CHECKING:\n"
        "    from openisms.orgs import models\n"
        "def f():\n"
        "    import openisms.work\n"
    )
    assert _nested_imports(sample) == [(4, "openisms.orgs"), (6, "openisms.work")]


# --- the contract ---------------------------------------------------------------------------


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def tree_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package and its contract that the tests below may break."""
    if not LINT_IMPORTS.exists():
        pytest.fail(f"lint-imports is missing beside {sys.executable} (pip install -e .[dev])")
    tree = tmp_path_factory.mktemp("layers")
    shutil.copytree(
        SRC, tree / "src" / "openisms", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_the_contract_holds_on_the_code(tree_copy: Path) -> None:
    result = _lint_imports(tree_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 1 kept, 0 broken." in result.stdout


def test_removing_a_layer_from_the_contract_breaks_it(tree_copy: Path) -> None:
    pyproject = tree_copy / "pyproject.toml"
    original = pyproject.read_text()
    try:
        pyproject.write_text(re.sub(r'\n    "evidence[^"\n]*",', "", original, count=1))
        assert pyproject.read_text() != original
        result = _lint_imports(tree_copy)
        assert result.returncode != 0
        assert "openisms.evidence" in result.stdout
    finally:
        pyproject.write_text(original)


@pytest.mark.parametrize(
    ("where", "imports"),
    [
        ("catalog", "openisms.work.models"),  # a lower domain reaching up
        ("assets", "openisms.catalog.models"),  # two independent domains on one layer
        ("core", "openisms.orgs.models"),  # the bottom layer reaching up
    ],
)
def test_a_forbidden_import_breaks_the_contract(tree_copy: Path, where: str, imports: str) -> None:
    probe = tree_copy / "src" / "openisms" / where / "_layer_probe.py"
    probe.write_text(f"import {imports}  # noqa: F401\n")
    try:
        result = _lint_imports(tree_copy)
        assert result.returncode != 0
        assert f"openisms.{where}._layer_probe -> {imports}" in result.stdout
    finally:
        probe.unlink()
