"""Shared fixtures: a real temporary data folder, an open Core, offscreen Qt."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

# Every test runs headless; Qt reads this when the QApplication is made.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("LSB_DATA_DIR", None)

from lsb_desktop.domain.register import OrgType, UnitDraft, UnitKind  # noqa: E402
from lsb_desktop.services import Core  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def core(data_dir: Path):
    opened = Core.open(data_dir)
    yield opened
    opened.close()


def make_unit(core: Core, name: str, *, kind: UnitKind | None = None, org_type: OrgType = OrgType.BRANCH,
              district_id: int | None = None, secretary: str = "", since: date | None = None,
              effective: date | None = None):
    """Factory: register a unit; the kind follows the name unless given."""
    if kind is None:
        kind = UnitKind.COMMUNITY if name.endswith(("社区", "社区）")) else UnitKind.VILLAGE
    draft = UnitDraft(name, kind, org_type, district_id, secretary, since)
    return core.villages.add_unit(draft, effective or date(2022, 1, 1))


@pytest.fixture
def demo_core(core: Core) -> Core:
    from lsb_desktop.demo import build_demo

    build_demo(core)
    return core
