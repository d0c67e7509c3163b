"""LedgerApplication: the write side, composed of one handler mixin per event family."""

from __future__ import annotations

from ledger.keystore import open_keystore
from ledger.services.access import AccessService
from ledger.services.contracts import ContractService
from ledger.services.evidence import EvidenceService
from ledger.services.integrity import IntegrityService
from ledger.services.notifications import NotificationService
from ledger.services.org import OrgService
from ledger.services.payouts import PayoutService
from ledger.services.performance import PerformanceService
from ledger.services.pool import PoolService
from ledger.services.privacy import PrivacyService
from ledger.services.reminders import ReminderService
from ledger.services.request_path import RequestPathService
from ledger.services.rules import RulesService
from ledger.services.sales import SalesService
from ledger.services.targets import TargetService
from ledger.services.token_cache import TokenCacheService
from ledger.services.watch import WatchService
from ledger.settings import Settings


class LedgerApplication(
    TokenCacheService, RequestPathService,  # request-path speed: docs/performance.md, API appends
    OrgService, PoolService, SalesService, PerformanceService, ContractService, RulesService, PayoutService,
    AccessService, PrivacyService, TargetService, WatchService, ReminderService, NotificationService,
    EvidenceService, IntegrityService,
):
    """Command methods check invariants and save events; `load`/`history` read streams back."""


def build_application(settings: Settings) -> LedgerApplication:
    """The composition root shared by the web server, the CLI, the scheduler and the tests."""
    keystore = open_keystore(settings)
    try:
        return LedgerApplication(env=settings.eventsourcing_env(), keystore=keystore)
    except BaseException:
        keystore.close()
        raise
