"""The read models this service keeps, built over one ledger and one database."""

from __future__ import annotations

from typing import Any

from eventsourcing.application import Application

from ledger.settings import Settings
from projections.base import Projection
from projections.commission_queries import Commissions
from projections.commissions import CommissionFactsProjection
from projections.contracts import ContractIndexProjection
from projections.db import Database
from projections.evidence.builder import Evidence
from projections.integrity import Integrity
from projections.outbox import OutboxProjection
from projections.pool import PoolProjection
from projections.pool_activity import PoolActivityProjection
from projections.readside import ReadSide
from projections.scorecard_queries import Scorecards
from projections.scorecards import ScorecardProjection
from projections.weekly import WeeklyFollowUpProjection


def all_projections(base_currency: str = "CNY") -> list[Projection]:
    return [ScorecardProjection(base_currency), PoolProjection(), WeeklyFollowUpProjection(), PoolActivityProjection(), OutboxProjection(),
            CommissionFactsProjection(), ContractIndexProjection()]


class Queries:
    """The read side and the query objects the API and the CLI use."""

    def __init__(self, app: Application[Any], settings: Settings) -> None:
        self.db = Database(settings)
        self.read_side = ReadSide(app, self.db, all_projections(settings.base_currency), create=settings.create_tables,
                                  batch=settings.projection_batch)
        self.scorecards = Scorecards(self.read_side, settings.base_currency)
        self.commissions = Commissions(self.read_side)
        self.integrity = Integrity(app, self.db, settings, create=settings.create_tables)
        self.evidence = Evidence(app, self.read_side, self.integrity, create=settings.create_tables)

    def close(self) -> None:
        self.db.close()
