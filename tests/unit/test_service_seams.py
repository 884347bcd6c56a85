"""No service reaches into another service's private parts (issue 14, seam 1).

A service module may use another one only through its public names: no `from .x import _name`
or `from lsb_desktop.services.x import _name`, no `x._name` on an imported service module, and
no `…villages._name` / `…_villages._name` on a handle named after another service module (the way
services hold each other: `self._villages`, a `villages` parameter)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parents[2] / "lsb_desktop" / "services"
PACKAGE = "lsb_desktop.services"
MODULES = sorted(path.stem for path in SERVICES.glob("*.py") if path.stem != "__init__")


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _imported_module(node: ast.ImportFrom) -> str | None:
    """The services module an import reads from (None: not a services module)."""
    if node.level == 1:
        return node.module.split(".")[0] if node.module else ""
    if node.level == 0 and node.module and node.module.startswith(PACKAGE):
        rest = node.module[len(PACKAGE) :].lstrip(".")
        return rest.split(".")[0] if rest else ""
    return None


def _handle(node: ast.expr) -> str | None:
    """The identifier an attribute is read on: `villages` for `self._villages`, `villages`."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def crossings(source: str, own: str, modules: list[str]) -> list[str]:
    """Every place in `source` (the module `own`) that uses another service's private name."""
    tree = ast.parse(source)
    found: list[str] = []
    aliases: dict[str, str] = {}  # local name → the services module it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = _imported_module(node)
            if module is None:
                continue
            for alias in node.names:
                if module == "":  # from lsb_desktop.services import villages
                    if alias.name in modules:
                        aliases[alias.asname or alias.name] = alias.name
                    continue
                if module != own and _private(alias.name):
                    found.append(f"line {node.lineno}: from {module} import {alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(PACKAGE + "."):
                    module = alias.name[len(PACKAGE) + 1 :].split(".")[0]
                    if alias.asname:
                        aliases[alias.asname] = module
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and _private(node.attr)):
            continue
        handle = _handle(node.value)
        if handle is None:
            continue
        module = aliases.get(handle) if isinstance(node.value, ast.Name) else None
        if module is None:
            stripped = handle.lstrip("_")
            module = stripped if stripped in modules else None
        if module is not None and module != own:
            found.append(f"line {node.lineno}: {handle}.{node.attr} ({module}.py)")
    return found


@pytest.mark.parametrize("module", MODULES)
def test_no_service_uses_another_services_private_names(module: str) -> None:
    source = (SERVICES / f"{module}.py").read_text(encoding="utf-8")
    assert crossings(source, module, MODULES) == []


def test_the_register_has_a_public_read_model() -> None:
    assert "register" in MODULES


@pytest.mark.parametrize(
    "source, expected",
    [
        ("from .villages import VillageService, _State", ["from villages import _State"]),
        ("from lsb_desktop.services.villages import _load", ["from villages import _load"]),
        ("from lsb_desktop.services.villages import VillageService", []),
        ("from .stars import _entity", ["from stars import _entity"]),
        ("from lsb_desktop.services import villages\nvillages._load(s)", ["villages._load (villages.py)"]),
        ("import lsb_desktop.services.villages as v\nv._State", ["v._State (villages.py)"]),
        ("def f(self):\n    self._villages._load(self.session)", ["_villages._load (villages.py)"]),
        ("def f(self):\n    self.service._villages._district_names(s)", ["_villages._district_names (villages.py)"]),
        ("def f(villages):\n    villages._add(s)", ["villages._add (villages.py)"]),
        ("def f(self):\n    self._villages.list_units()", []),
        ("def f(self):\n    self._load(s); self._work()", []),
        ("def f(self):\n    self._commitments._work()", []),  # its own module's private parts
    ],
)
def test_the_check_finds_each_way_in(source: str, expected: list[str]) -> None:
    found = [line.split(": ", 1)[1] for line in crossings(source, "commitments", MODULES)]
    assert found == expected
