"""The ledger application as a Flask extension, built on first use (after any fork), once."""

from __future__ import annotations

import threading

from flask import Flask, current_app

from ledger.application import LedgerApplication, build_application
from ledger.settings import Settings
from projections.registry import Queries


class LedgerExtension:
    """Holds settings at app creation and builds the event-sourced application lazily."""

    def __init__(self, settings: Settings, application: LedgerApplication | None = None) -> None:
        self.settings = settings
        self._application = application
        self._queries: Queries | None = None
        self._lock = threading.Lock()

    def init_app(self, app: Flask) -> None:
        app.extensions["ledger"] = self

    @property
    def application(self) -> LedgerApplication:
        if self._application is None:
            with self._lock:
                if self._application is None:
                    self._application = build_application(self.settings)
        return self._application

    @property
    def queries(self) -> Queries:
        """The read side, built beside the ledger on first use."""
        if self._queries is None:
            application = self.application
            with self._lock:
                if self._queries is None:
                    self._queries = Queries(application, self.settings)
        return self._queries


def ledger() -> LedgerApplication:
    """The application serving the current request."""
    ext: LedgerExtension = current_app.extensions["ledger"]
    return ext.application
