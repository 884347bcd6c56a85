"""The LsbError family: known failures that carry a Chinese message for the user."""

from __future__ import annotations


class LsbError(Exception):
    """A failure the user can understand and act on; `message` is shown as it is."""

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = list(details or [])

    def __str__(self) -> str:
        if not self.details:
            return self.message
        return self.message + "\n" + "\n".join(self.details)


class ValidationError(LsbError):
    """Input that breaks a rule: a missing name, a duplicate, a date out of order."""


class NotFoundError(LsbError):
    """Something the user referred to no longer exists."""


class StorageError(LsbError):
    """The data file or folder cannot be used: unreadable, newer than the program, damaged."""


class LockedError(StorageError):
    """Another copy of the program is using the same data folder."""


class TieUndecidedError(ValidationError):
    """A correction of a finalised round would leave a tie across a flag line undecided:
    `ties` are the BoundaryTie values to decide before the correction can be saved."""

    def __init__(self, message: str, details: list[str] | None = None, ties: tuple = ()) -> None:
        super().__init__(message, details)
        self.ties = tuple(ties)
