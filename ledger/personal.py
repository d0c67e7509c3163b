"""Personal data: a value that belongs to one data subject and is stored encrypted under that subject's key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

ERASED = "[erased]"


@dataclass(frozen=True)
class Personal:
    """A personal field and whose it is; once the subject's key is destroyed the value reads as ERASED."""

    subject_id: UUID
    value: Any

    @property
    def erased(self) -> bool:
        return isinstance(self.value, str) and self.value == ERASED

    def shown(self) -> Any:
        """The value as anyone may see it: the value itself, or "[erased]"."""
        return ERASED if self.erased else self.value

    def __repr__(self) -> str:  # never put personal data into logs or tracebacks by accident
        return f"Personal(subject_id={self.subject_id!r}, value={'<erased>' if self.erased else '<hidden>'})"


def personal(subject_id: UUID, value: Any) -> Personal | None:
    """Wrap a value for its subject; None stays None (nothing recorded, nothing to protect)."""
    return None if value is None else Personal(subject_id, value)


def shown(value: Any) -> Any:
    """A Personal value as shown to readers, anything else unchanged."""
    return value.shown() if isinstance(value, Personal) else value


def plain_value(value: Any) -> Any:
    """The inner value of a Personal (ERASED once erased), anything else unchanged."""
    return value.value if isinstance(value, Personal) else value
