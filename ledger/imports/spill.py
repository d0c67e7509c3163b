"""The events between the two passes: encoded once, while validating, into the bytes the store will hold, and
given their recording time when the batch is written."""

from __future__ import annotations

import pickle
from datetime import date, datetime, timezone
from decimal import Decimal
from hashlib import sha1
from typing import IO, Any, Iterable
from uuid import UUID, SafeUUID

import orjson
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper
from eventsourcing.utils import get_topic

from ledger.personal import Personal
from ledger.transcoder import OrjsonTranscoder

# Stands in for the recording time until the batch is saved: the first key of every event's state (the mapper
# pops the two before it), so its bytes are a fixed prefix of the encoded state, swapped for the real time.
PLACEHOLDER = datetime(1, 1, 1, 0, 0, 0, 1, tzinfo=timezone.utc)

# stream, version, topic, and the state: encoded bytes (with PLACEHOLDER), or the state itself when it holds
# personal values (sealed under their subject's key only when saved: a rejected import creates no keys)
Spilled = tuple[UUID, int, str, "bytes | dict[str, Any]"]
# A batch on disk, column by column: stream ids as 16 bytes each (pickling UUID objects one by one cost more
# than everything else the spill does), versions, topics (one object per topic: pickled once), states.
Columns = tuple[list[bytes], list[int], list[str], list["bytes | dict[str, Any]"]]
# A row for the store: stream, version, topic, state (a StoredEvent's fields, without building one)
Stored = tuple[UUID, int, str, bytes]
Batch = tuple[int, int, list[dict[str, Any]], Columns]


_PLAIN = frozenset({str, int, bool, float, type(None), UUID, datetime, date, Decimal})
_UNKNOWN = SafeUUID.unknown  # an enum member: reading it from the class is slow on Python 3.11


def uuid_from_int(value: int) -> UUID:
    """`UUID(int=value)` without its argument parsing (a tenth of a spilled event's cost, and of a row's)."""
    made = object.__new__(UUID)
    object.__setattr__(made, "int", value)
    object.__setattr__(made, "is_safe", _UNKNOWN)
    return made


def uuid5_of(namespace: bytes, name: str) -> UUID:
    """`uuid.uuid5(UUID(bytes=namespace), name)`, the same id, built faster (tests/unit/test_import_lean.py)."""
    value = int.from_bytes(sha1(namespace + name.encode(), usedforsecurity=False).digest()[:16], "big")
    return uuid_from_int((value & ~(0xC000 << 48) & ~(0xF000 << 64)) | (0x8000 << 48) | (5 << 76))


def _personal(value: Any) -> bool:
    """Whether a state holds a personal value anywhere."""
    kind = type(value)
    if kind is dict:
        items: Iterable[Any] = value.values()
    elif kind is list or kind is tuple:
        items = value
    else:
        return isinstance(value, Personal)
    for item in items:
        if type(item) not in _PLAIN and _personal(item):
            return True
    return False


class Encoder:
    """The mapper's `to_stored_event`, split in two: the state encoded during validation, the recording time
    set at the save. The stored bytes are the mapper's own (tests/integration/test_import_fast.py)."""

    def __init__(self, mapper: Mapper[Any], *, early: bool = True) -> None:
        self.mapper = mapper
        # Compressed or encrypted bytes have no prefix to swap: then every state is encoded at the save.
        self.early = early and mapper.compressor is None and mapper.cipher is None
        self.placeholder = self._prefix(PLACEHOLDER) if self.early else b""
        # With the orjson transcoder itself, a lean handler may hand over its state already in the transcoder's
        # typed form (`{"_type_": ..., "_data_": ...}` per value), which orjson encodes into the same bytes.
        transcoder = mapper.transcoder
        self.direct = False
        if self.early and type(transcoder) is OrjsonTranscoder and {UUID, datetime} <= set(transcoder.types):
            self.direct = True
            self._uuid, self._time = transcoder.types[UUID], transcoder.types[datetime]
            self.typed_placeholder = self.typed_time(PLACEHOLDER)

    def typed_uuid(self, value: UUID) -> dict[str, Any]:
        return {"_type_": self._uuid.name, "_data_": self._uuid.encode(value)}

    def typed_time(self, value: datetime) -> dict[str, Any]:
        return {"_type_": self._time.name, "_data_": self._time.encode(value)}

    def direct_spill(self, stream: UUID, version: int, topic: str, typed_state: dict[str, Any]) -> Spilled:
        """A lean handler's event, from its state in typed form with `timestamp` first, set to `typed_placeholder`."""
        return stream, version, topic, orjson.dumps(typed_state)

    def _prefix(self, recorded_at: datetime) -> bytes:
        return bytes(self.mapper.transcoder.encode({"timestamp": recorded_at}))[:-1]  # without the closing brace

    def freeze(self, events: Iterable[DomainEventProtocol[UUID] | Spilled]) -> list[Spilled]:
        """The events as the store will hold them, but for the recording time."""
        spilled: list[Spilled] = []
        for event in events:
            if type(event) is tuple:  # spilled already (`direct_spill`)
                spilled.append(event)
                continue
            state = dict(vars(event))
            stream, version = state.pop("originator_id"), state.pop("originator_version")
            class_version = getattr(type(event), "class_version", 1)
            if class_version > 1:
                state["class_version"] = class_version
            topic = get_topic(type(event))
            if self.early and not _personal(state):
                state["timestamp"] = PLACEHOLDER
                encoded = bytes(self.mapper.transcoder.encode(state))
                if encoded.startswith(self.placeholder):
                    spilled.append((stream, version, topic, encoded))
                    continue
            spilled.append((stream, version, topic, state))
        return spilled

    def stored(self, columns: Columns, recorded_at: datetime) -> list[Stored]:
        """A spilled batch as the store's rows, recorded at `recorded_at`."""
        prefix, cut = self._prefix(recorded_at) if self.early else b"", len(self.placeholder)
        stored: list[Stored] = []
        for stream, version, topic, state in zip(*columns, strict=True):
            if type(state) is bytes:
                data = prefix + state[cut:]
            else:
                assert isinstance(state, dict)
                state["timestamp"] = recorded_at
                data = self._encoded(state)
            stored.append((uuid_from_int(int.from_bytes(stream, "big")), version, topic, data))
        return stored

    def _encoded(self, state: dict[str, Any]) -> bytes:
        """What `Mapper.to_stored_event` does with a state."""
        data = self.mapper.transcoder.encode(state)
        if self.mapper.compressor:
            data = self.mapper.compressor.compress(data)
        if self.mapper.cipher:
            data = self.mapper.cipher.encrypt(data)
        return bytes(data)


def dump(spill: IO[bytes], rows: int, line: int, skipped: list[dict[str, Any]], events: list[Spilled]) -> None:
    """One batch as a self-contained pickle: memory stays bounded by one batch, in both passes."""
    columns: Columns = ([event[0].bytes for event in events], [event[1] for event in events],
                        [event[2] for event in events], [event[3] for event in events])
    pickle.dump((rows, line, skipped, columns), spill, protocol=pickle.HIGHEST_PROTOCOL)


def load(spill: IO[bytes]) -> Batch:
    batch: Batch = pickle.load(spill)
    return batch
