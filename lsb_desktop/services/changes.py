"""What a user action touched, so each screen can decide whether to reload."""

import enum


class Changes(enum.Flag):
    NONE = 0
    UNITS = enum.auto()
    DISTRICTS = enum.auto()
    SETTINGS = enum.auto()
    ROUNDS = enum.auto()  # rounds, their scores, adjustments and results
    ALL = UNITS | DISTRICTS | SETTINGS | ROUNDS
