"""The command line's layout: every module in lsb_desktop/cli/ but the shared base is a command
group that build_parser adds, and every command it adds carries its group's handler."""

from __future__ import annotations

import argparse
import inspect
from pathlib import Path

import lsb_desktop.cli as cli
from lsb_desktop.cli import build_parser

CLI = Path(cli.__file__).parent


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    [sub] = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    return dict(sub.choices)


def test_every_command_module_is_a_group_the_parser_adds() -> None:
    modules = {path.stem for path in CLI.glob("*.py")} - {"__init__", "base"}
    assert {group.__name__.rsplit(".", 1)[1] for group in cli._GROUPS} == modules
    for group in cli._GROUPS:
        assert callable(group.add_parser), group.__name__


def test_every_command_runs_its_own_groups_handler() -> None:
    commands = _commands(build_parser())
    assert list(commands) == [
        "demo",
        "villages",
        "round",
        "commitments",
        "stars",
        "export",
        "backup",
        "restore",
        "check",
    ]
    for name, parser in commands.items():
        run = parser.get_default("run") or parser.get_default("run_on_folder")
        assert callable(run), name
        assert inspect.getmodule(run) in cli._GROUPS, name
    # Restore alone works on the data folder without opening it (a damaged file is its case).
    assert [name for name, parser in commands.items() if parser.get_default("run_on_folder")] == ["restore"]
