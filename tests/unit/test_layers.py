"""Guards for the layering rule: ui → lsb_desktop → db, and no Qt below the ui."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QT = ("PySide6", "shiboken6", "pyqtgraph")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports anywhere (top level or inside functions), made absolute.

    `from a import b` counts as both `a` and `a.b`, since b may be a submodule."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return found


def python_files(*folders: str) -> list[Path]:
    files = sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))
    assert files, f"no Python files found under {folders}"
    return files


def _is_within(module: str, roots: tuple[str, ...]) -> bool:
    return any(module == root or module.startswith(root + ".") for root in roots)


def offenders(files: list[Path], forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    found = {}
    for path in files:
        bad = sorted(m for m in imported_modules(path) if _is_within(m, forbidden))
        if bad:
            found[str(path.relative_to(ROOT))] = bad
    return found


# ---------------------------------------------------------------------------- the helper itself


def test_the_import_scanner_sees_imports_inside_functions() -> None:
    # The guards below are only as good as this scanner; check it on a known file.
    found = imported_modules(ROOT / "lsb_desktop" / "domain" / "register.py")
    assert "lsb_desktop.domain.text" in found  # imported inside a method
    assert "lsb_desktop.errors" in found
    assert "enum" in found


# ---------------------------------------------------------------------------- static rules


def test_core_and_storage_never_import_qt() -> None:
    assert offenders(python_files("lsb_desktop", "db"), QT) == {}


def test_ui_never_imports_the_storage_layer_or_sqlalchemy() -> None:
    assert offenders(python_files("ui"), ("db", "sqlalchemy")) == {}


def test_core_never_imports_the_ui() -> None:
    assert offenders(python_files("lsb_desktop"), ("ui",)) == {}


def test_storage_never_imports_the_core_or_the_ui() -> None:
    assert offenders(python_files("db"), ("lsb_desktop", "ui")) == {}


def test_domain_imports_only_the_standard_library_and_itself() -> None:
    allowed = ("lsb_desktop.domain", "lsb_desktop.errors")
    found = {}
    for path in python_files("lsb_desktop/domain"):
        bad = sorted(
            module
            for module in imported_modules(path)
            if module.split(".")[0] not in sys.stdlib_module_names and not _is_within(module, allowed)
        )
        if bad:
            found[str(path.relative_to(ROOT))] = bad
    assert found == {}


# ---------------------------------------------------------------------------- what really loads


def _loaded_after(code_imports: str) -> list[str]:
    """Import modules in a fresh interpreter; return the heavy packages that got loaded."""
    heavy = QT + ("openpyxl", "reportlab")
    script = (
        f"import sys\n{code_imports}\n"
        f"heavy = {heavy!r}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in heavy}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(ROOT), "PATH": "", "PYTHONIOENCODING": "utf-8"},
    )
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.strip())


def test_the_command_line_module_loads_no_qt_openpyxl_or_reportlab() -> None:
    assert _loaded_after("import lsb_desktop.cli") == []


def test_the_services_and_demo_load_no_qt_openpyxl_or_reportlab() -> None:
    # openpyxl is loaded by the roster import and export when first used, not at start-up.
    assert _loaded_after("import lsb_desktop.core, lsb_desktop.demo, db.engine") == []


def test_the_roster_reader_loads_openpyxl_but_no_qt() -> None:
    assert _loaded_after("import lsb_desktop.io.roster") == ["openpyxl"]
