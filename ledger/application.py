"""LedgerApplication: the write side, composed of one handler mixin per event family."""

from __future__ import annotations

from ledger.services.org import OrgService
from ledger.services.pool import PoolService
from ledger.settings import Settings


class LedgerApplication(OrgService, PoolService):
    """Command methods check invariants and save events; `load`/`history` read streams back."""


def build_application(settings: Settings) -> LedgerApplication:
    """The composition root shared by the web server, the CLI, the scheduler and the tests."""
    return LedgerApplication(env=settings.eventsourcing_env())
