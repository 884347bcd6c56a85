"""What a user action touched, so each screen can decide whether to reload.

Every mutating service call returns `Changed[T]`: the value it used to return (`.value`) and
the `Changes` it caused (`.changes`), as Anki's backend returns `OpChanges`. The service knows
what it wrote; the window broadcasts exactly that (`MainWindow.broadcast`) and each tab reloads
only what the flags name, so no tab guesses and none re-asks the core what changed.
A call that changed nothing says `Changes.NONE`."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


class Changes(enum.Flag):
    NONE = 0
    UNITS = enum.auto()
    DISTRICTS = enum.auto()
    SETTINGS = enum.auto()
    # A round's set-up and state: created, its title, date, rules, scheme, judges, participants,
    # its status (草稿 → 评分中 with the first score); and the scheme template for new rounds.
    ROUND_SETUP = enum.auto()
    # What a round's results are computed from: a score or an adjustment (加分, 扣分, 一票否决).
    SCORES = enum.auto()
    # A round's results and flags as decided and kept: finalising, a correction of a finalised
    # round, tie decisions. The flag history, the villages tab's 历次评比 and the trends read these.
    RESULTS = enum.auto()
    ROUNDS = ROUND_SETUP | SCORES | RESULTS  # anything about rounds
    COMMITMENTS = enum.auto()  # commitments, their progress and evidence (承诺完成 feeds rounds)
    STARS = enum.auto()  # 五星支部 plans, steps, losses and targets
    ALL = UNITS | DISTRICTS | SETTINGS | ROUNDS | COMMITMENTS | STARS


@dataclass(frozen=True)
class Changed(Generic[T]):
    """What a mutating service call returns: its result and what it changed."""

    value: T
    changes: Changes
