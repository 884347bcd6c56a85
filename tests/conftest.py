"""Shared fixtures: a real temporary data folder, an open Core, offscreen Qt."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Every test runs headless; Qt reads this when the QApplication is made.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("LSB_DATA_DIR", None)

from factories import make_unit  # noqa: E402,F401 - re-exported for older imports
from lsb_desktop.core import Core  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def core(data_dir: Path):
    opened = Core.open(data_dir)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The demo township built once per test run (it takes seconds); tests get copies."""
    from lsb_desktop.demo import build_demo

    folder = tmp_path_factory.mktemp("demo") / "data"
    with Core.open(folder) as built:
        build_demo(built)
    return folder


@pytest.fixture
def demo_core(demo_template: Path, data_dir: Path):
    """A fresh copy of the demo township in this test's own data folder."""
    shutil.copytree(demo_template, data_dir)
    opened = Core.open(data_dir)
    yield opened
    opened.close()
