"""What a user action touched, so each screen can decide whether to reload."""

import enum


class Changes(enum.Flag):
    NONE = 0
    UNITS = enum.auto()
    DISTRICTS = enum.auto()
    SETTINGS = enum.auto()
    ROUNDS = enum.auto()  # rounds, their scores, adjustments and results
    COMMITMENTS = enum.auto()  # commitments, their progress and evidence (承诺完成 feeds rounds)
    STARS = enum.auto()  # 五星支部 plans, steps, losses and targets
    ALL = UNITS | DISTRICTS | SETTINGS | ROUNDS | COMMITMENTS | STARS
