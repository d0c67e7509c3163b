"""The rate limiter's in-process counters, swept once a second instead of by a new thread every 10 ms."""

from __future__ import annotations

import threading

from limits.storage import MemoryStorage

SWEEP_S = 1.0
URI = "ledger-memory://"


class SweptMemoryStorage(MemoryStorage):
    """limits' MemoryStorage starts a fresh timer thread to sweep expired counters whenever its last one has
    finished, i.e. up to 100 thread starts a second under load, each contending for the GIL with requests.
    Expired counters are also dropped when read, so sweeping them a second late changes no limit."""

    STORAGE_SCHEME = ["ledger-memory"]

    def _MemoryStorage__schedule_expiry(self) -> None:  # overrides the parent's private scheduler
        if not self.timer.is_alive():
            self.timer = threading.Timer(SWEEP_S, self._MemoryStorage__expire_events)  # type: ignore[attr-defined]
            self.timer.daemon = True  # a pending sweep never holds the process open
            self.timer.start()
