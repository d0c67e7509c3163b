"""What the importer needs from its caller: a row -> command builder (the API's schemas, injected by the adapters)."""

from __future__ import annotations

from typing import Any, Callable, Mapping
from uuid import UUID

from ledger.errors import Invalid

# kind, data, derived id -> (handler name, command, id the row names itself or None); raises RowInvalid
Builder = Callable[[str, Mapping[str, Any], UUID], tuple[str, Any, UUID | None]]


class RowInvalid(Invalid):
    """A row that is not a valid command body: `reasons` are `field: reason` lines, as the import report lists them."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("the row is not a valid command", errors={"row": reasons})
        self.reasons = reasons
