"""Handlers for watch commands; each fact exists once per subject and period, so repeats return it."""

from __future__ import annotations

from typing import Callable, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from ledger.base import Ctx, LedgerAggregate
from ledger.commands.watch import FlagForReview, PublishScorecard, RaiseEarlyWarning, RepublishScorecard
from ledger.early_warning import EarlyWarning, check_warning_period, warning_id
from ledger.errors import ConcurrentUpdate
from ledger.group import Group
from ledger.periods import check_period
from ledger.published_scorecard import PublishedScorecard, published_id
from ledger.rep import Rep
from ledger.review_flag import ReviewFlag, review_id
from ledger.services.base import ServiceBase
from ledger.team import Team

A = TypeVar("A", bound=LedgerAggregate)


class WatchService(ServiceBase):
    """Warnings, period close and review flags, recorded by the jobs (or an admin) once per subject and period."""

    def raise_early_warning(self, cmd: RaiseEarlyWarning, ctx: Ctx) -> EarlyWarning:
        if cmd.subject_kind == "group":
            self.load(Group, cmd.subject_id, field="subject_id")
        elif cmd.subject_kind == "rep":
            self.load(Rep, cmd.subject_id, field="subject_id")
        if cmd.team_id is not None:
            self.load(Team, cmd.team_id, field="team_id")
        stream = warning_id(cmd.rule, cmd.subject_id, check_warning_period(cmd.period))
        return self._record_once(EarlyWarning, stream, ctx, lambda: EarlyWarning.raise_warning(
            subject_kind=cmd.subject_kind, subject_id=cmd.subject_id, team_id=cmd.team_id, rule=cmd.rule,
            period=cmd.period, detail=cmd.detail, **ctx.stamp(cmd.occurred_at)))

    def publish_scorecard(self, cmd: PublishScorecard, ctx: Ctx) -> PublishedScorecard:
        """A second publication returns the first unchanged, even if the figures differ now."""
        self.load(Rep, cmd.rep_id, field="rep_id")
        stream = published_id(cmd.rep_id, check_period(cmd.period))
        return self._record_once(PublishedScorecard, stream, ctx, lambda: PublishedScorecard.publish(
            rep_id=cmd.rep_id, period=cmd.period, total=cmd.total, figures=cmd.figures,
            **ctx.stamp(cmd.occurred_at)))

    def republish_scorecard(self, cmd: RepublishScorecard, ctx: Ctx) -> PublishedScorecard:
        published = self.load(PublishedScorecard, published_id(cmd.rep_id, check_period(cmd.period)))
        published.republish(total=cmd.total, figures=cmd.figures, reason=cmd.reason, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, published)

    def flag_for_review(self, cmd: FlagForReview, ctx: Ctx) -> ReviewFlag:
        self.load(Rep, cmd.rep_id, field="rep_id")
        self.load(Team, cmd.team_id, field="team_id")
        stream = review_id(cmd.rep_id, check_period(cmd.period))
        return self._record_once(ReviewFlag, stream, ctx, lambda: ReviewFlag.flag(
            rep_id=cmd.rep_id, team_id=cmd.team_id, period=cmd.period, rank=cmd.rank, of=cmd.of,
            consecutive_periods=cmd.consecutive_periods, suggested_actions=cmd.suggested_actions,
            **ctx.stamp(cmd.occurred_at)))

    def _record_once(self, cls: type[A], stream: UUID, ctx: Ctx, create: Callable[[], A]) -> A:
        """The existing aggregate if the stream exists; else create it. A racing writer's result wins."""
        existing = self._watched(cls, stream)
        if existing is not None:
            return existing
        try:
            return self.commit(ctx, create())
        except ConcurrentUpdate:
            existing = self._watched(cls, stream)
            if existing is None:
                raise
            return existing

    def _watched(self, cls: type[A], stream: UUID) -> A | None:
        try:
            found: object = self.repository.get(stream)
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, cls) else None
