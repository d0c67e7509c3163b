"""Handlers for performance commands: scores, trainings, complaints, warnings, improvement plans."""

from __future__ import annotations

from ledger.base import Ctx
from ledger.commands.performance import (
    AcknowledgeWarning,
    ConcludeImprovementPlan,
    CorrectScore,
    IssueWarning,
    RecordComplaint,
    RecordScore,
    RecordTraining,
    StartImprovementPlan,
)
from ledger.complaint import Complaint
from ledger.customer import Customer
from ledger.errors import RuleViolation
from ledger.improvement import ImprovementPlan
from ledger.rep import Rep
from ledger.score import Score
from ledger.services.base import ServiceBase
from ledger.training import Training
from ledger.warning_notice import WarningNotice


class PerformanceService(ServiceBase):
    """Facts about a rep's capability and conduct; new ones need an active rep, follow-ups act on old ones."""

    def record_score(self, cmd: RecordScore, ctx: Ctx) -> Score:
        self.load(Rep, cmd.rep_id, field="rep_id").check_active()
        score = Score.record(id=cmd.id, rep_id=cmd.rep_id, indicator=cmd.indicator, value=cmd.value,
                             scale=cmd.scale, period=cmd.period, scorer=cmd.scorer or ctx.actor,
                             comment=cmd.comment, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, score)

    def correct_score(self, cmd: CorrectScore, ctx: Ctx) -> Score:
        score = self.load(Score, cmd.score_id)
        score.correct(value=cmd.value, reason=cmd.reason, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, score)

    def record_training(self, cmd: RecordTraining, ctx: Ctx) -> Training:
        self.load(Rep, cmd.rep_id, field="rep_id").check_active()
        training = Training.complete(id=cmd.id, rep_id=cmd.rep_id, course=cmd.course, hours=cmd.hours,
                                     completed_on=cmd.completed_on, provider=cmd.provider, kind=cmd.kind,
                                     **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, training)

    def record_complaint(self, cmd: RecordComplaint, ctx: Ctx) -> Complaint:
        self.load(Rep, cmd.rep_id, field="rep_id").check_active()
        if cmd.customer_id is not None:
            self.load(Customer, cmd.customer_id, field="customer_id")
        complaint = Complaint.record(id=cmd.id, rep_id=cmd.rep_id, customer_id=cmd.customer_id,
                                     description=cmd.description, severity=cmd.severity,
                                     **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, complaint)

    def issue_warning(self, cmd: IssueWarning, ctx: Ctx) -> WarningNotice:
        self.load(Rep, cmd.rep_id, field="rep_id").check_active()
        warning = WarningNotice.issue(id=cmd.id, rep_id=cmd.rep_id, level=cmd.level, reason=cmd.reason,
                                      issued_by=cmd.issued_by or ctx.actor, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, warning)

    def acknowledge_warning(self, cmd: AcknowledgeWarning, ctx: Ctx) -> WarningNotice:
        warning = self.load(WarningNotice, cmd.warning_id)
        warning.acknowledge(acknowledged_on=cmd.acknowledged_on, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, warning)

    def start_improvement_plan(self, cmd: StartImprovementPlan, ctx: Ctx) -> ImprovementPlan:
        self.load(Rep, cmd.rep_id, field="rep_id").check_active()
        if cmd.coach_id is not None and cmd.coach_id != cmd.rep_id:
            if not self.load(Rep, cmd.coach_id, field="coach_id").active:
                raise RuleViolation(f"coach {cmd.coach_id} has left", code="rep-departed",
                                    errors={"coach_id": ["the coach has left"]})
        plan = ImprovementPlan.start(id=cmd.id, rep_id=cmd.rep_id, goals=cmd.goals, starts_on=cmd.starts_on,
                                     ends_on=cmd.ends_on, coach_id=cmd.coach_id, **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, plan)

    def conclude_improvement_plan(self, cmd: ConcludeImprovementPlan, ctx: Ctx) -> ImprovementPlan:
        plan = self.load(ImprovementPlan, cmd.plan_id)
        plan.conclude(outcome=cmd.outcome, concluded_on=cmd.concluded_on, summary=cmd.summary,
                      **ctx.stamp(cmd.occurred_at))
        return self.commit(ctx, plan)
