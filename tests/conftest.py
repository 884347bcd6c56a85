"""Shared fixtures: a real temporary data folder, an open Core, the demo township built once and
copied per test, offscreen Qt, the hypothesis profile and a folder for screenshots to look at."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# A loaded machine (two cores shared by several runs) must not fail a property test by timing:
# no deadline and no too-slow health check; the number of examples stays hypothesis's own.
settings.register_profile("lsb", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("lsb")  # pytest --hypothesis-profile=NAME still picks another

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
def demo_data(demo_template: Path, data_dir: Path) -> Path:
    """A fresh copy of the demo township's data folder (closed) for this test alone: what the
    `demo` command makes (it runs the same build_demo on a newly opened Core)."""
    shutil.copytree(demo_template, data_dir)
    return data_dir


@pytest.fixture
def demo_core(demo_data: Path):
    """A fresh copy of the demo township in this test's own data folder, opened."""
    opened = Core.open(demo_data)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    """Where tests save pictures to be looked at: screenshots/ in this run's pytest folder
    (pytest keeps the last three runs' folders), never a fixed system path."""
    return tmp_path_factory.mktemp("screenshots", numbered=False)
