"""Verified bearer tokens remembered for a few seconds, so a request does not read its token's stream each time."""

from __future__ import annotations

import hmac
import threading
import time
from datetime import datetime, timezone
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Recording

from ledger.services.access import AccessService
from ledger.token import ApiToken, token_hash, token_id

TTL_S = 5.0  # a revocation recorded by another process (the CLI, another server) takes effect within this
MAX_ENTRIES = 10_000


class TokenCacheService(AccessService):
    """`authenticate` answers from tokens verified in the last `TTL_S` seconds. A revocation saved by this
    application takes effect at once (the entry is dropped when the event is saved); expiry is checked on
    every use. Unknown or unusable secrets are never remembered, so guessing fills nothing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._verified: dict[Any, tuple[float, ApiToken]] = {}
        self._verified_lock = threading.Lock()
        self._token_changes = 0  # bumped by every token event saved here: a read older than that is not kept
        super().__init__(*args, **kwargs)

    def authenticate(self, secret: str) -> ApiToken | None:
        hashed = token_hash(secret)
        key = token_id(hashed)
        with self._verified_lock:
            hit, changes = self._verified.get(key), self._token_changes
        if hit is not None and hit[0] > time.monotonic() and hmac.compare_digest(hit[1].hashed, hashed):
            if hit[1].is_usable(datetime.now(timezone.utc)):
                return hit[1]
        token = super().authenticate(secret)
        with self._verified_lock:
            if token is None or changes != self._token_changes:
                self._verified.pop(key, None)
            else:
                if len(self._verified) >= MAX_ENTRIES:
                    self._verified.pop(next(iter(self._verified)))  # the oldest entry
                self._verified[key] = (time.monotonic() + TTL_S, token)
        return token

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        super()._notify(recordings)
        changed = [r.domain_event.originator_id for r in recordings if _is_token_event(r.domain_event)]
        if changed:
            with self._verified_lock:
                self._token_changes += 1
                for key in changed:
                    self._verified.pop(key, None)


def _is_token_event(event: object) -> bool:
    return getattr(ApiToken, type(event).__name__, None) is type(event)
