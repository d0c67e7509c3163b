"""An orjson-backed transcoder that reads and writes exactly the library's JSON format, faster.

Stored state keeps the `{"_type_": name, "_data_": ...}` shape of eventsourcing's JSONTranscoder, so
rows written by either transcoder decode with the other; only the speed differs (orjson parses and
serialises in C; the typed values are converted in one pass over the decoded structure).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, SafeUUID

import orjson
from eventsourcing.persistence import JSONTranscoder, TranscodingNotRegisteredError

_PLAIN = (str, int, bool, type(None), float)
_new_object = object.__new__
_set_attribute = object.__setattr__
_UNKNOWN = SafeUUID.unknown  # an enum member's lookup costs more than the whole int parse


def _uuid_from_hex(data: str) -> UUID:
    """UUID(hex) without its parsing of other spellings: the stored form is always 32 hex digits, and
    building one is most of decoding an event (several ids per event, millions per rebuild)."""
    value = _new_object(UUID)
    _set_attribute(value, "int", int(data, 16))
    _set_attribute(value, "is_safe", _UNKNOWN)
    return value


class OrjsonTranscoder(JSONTranscoder):
    """JSONTranscoder's format, orjson's speed."""

    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(self._typed(obj))

    def decode(self, data: bytes) -> Any:
        return self._untyped(orjson.loads(data))

    def _typed(self, obj: Any) -> Any:
        kind = type(obj)
        if kind in _PLAIN:
            return obj
        if kind is dict:
            return {key: self._typed(value) for key, value in obj.items()}
        if kind is list or kind is tuple:
            return [self._typed(value) for value in obj]
        transcoding = self.types.get(kind)
        if transcoding is None:
            raise TranscodingNotRegisteredError(
                f"Object of type {kind} is not serializable. Please define and register a custom transcoding "
                "for this type.")
        return {"_type_": transcoding.name, "_data_": self._typed(transcoding.encode(obj))}

    def _untyped(self, obj: Any) -> Any:
        kind = type(obj)
        if kind is dict:
            if len(obj) == 2 and "_type_" in obj and "_data_" in obj:
                return self._typed_value(obj["_type_"], obj["_data_"])
            for key, value in obj.items():
                if type(value) is dict or type(value) is list:
                    obj[key] = self._untyped(value)
            return obj
        if kind is list:
            for index, value in enumerate(obj):
                if type(value) is dict or type(value) is list:
                    obj[index] = self._untyped(value)
        return obj

    def _typed_value(self, name: str, data: Any) -> Any:
        if name == "uuid_hex" and type(data) is str and len(data) == 32:
            return _uuid_from_hex(data)
        transcoding = self.names.get(name)
        if transcoding is None:
            raise TranscodingNotRegisteredError(
                f"Data serialized with name '{name}' is not deserializable. Please register a custom "
                "transcoding for this type.")
        if type(data) is dict or type(data) is list:
            data = self._untyped(data)
        return transcoding.decode(data)
