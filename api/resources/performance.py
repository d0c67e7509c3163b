"""Scores, trainings, complaints, warnings and improvement plans."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask.views import MethodView

from api.ext import ledger
from api.idempotency import idempotent
from api.parser import Blueprint
from api.resources.common import add_read_routes
from api.schemas.performance import (
    ComplaintOut,
    ComplaintRecord,
    ImprovementPlanConclude,
    ImprovementPlanOut,
    ImprovementPlanStart,
    ScoreCorrect,
    ScoreOut,
    ScoreRecord,
    TrainingOut,
    TrainingRecord,
    WarningAcknowledge,
    WarningIssue,
    WarningOut,
)
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
from ledger.improvement import ImprovementPlan
from ledger.score import Score
from ledger.training import Training
from ledger.warning_notice import WarningNotice

blp = Blueprint("performance", __name__, url_prefix="/api/v1",
                description="Scores, trainings, complaints, warnings and improvement plans")


@blp.route("/scores")
class Scores(MethodView):
    @blp.arguments(ScoreRecord)
    @blp.response(201, ScoreOut)
    @idempotent
    def post(self, cmd: RecordScore, ctx: Ctx) -> Any:
        """Record a rep's score on a capability indicator for a period."""
        return ledger().record_score(cmd, ctx)


@blp.route("/scores/<uuid:score_id>/correct", methods=["POST"])
@blp.arguments(ScoreCorrect)
@blp.response(200, ScoreOut)
@idempotent
def correct_score(data: dict[str, Any], score_id: UUID, ctx: Ctx) -> Any:
    """Correct a score with a reason; the original value stays on record."""
    return ledger().correct_score(CorrectScore(score_id=score_id, **data), ctx)


@blp.route("/trainings")
class Trainings(MethodView):
    @blp.arguments(TrainingRecord)
    @blp.response(201, TrainingOut)
    @idempotent
    def post(self, cmd: RecordTraining, ctx: Ctx) -> Any:
        """Record a training a rep completed."""
        return ledger().record_training(cmd, ctx)


@blp.route("/complaints")
class Complaints(MethodView):
    @blp.arguments(ComplaintRecord)
    @blp.response(201, ComplaintOut)
    @idempotent
    def post(self, cmd: RecordComplaint, ctx: Ctx) -> Any:
        """Record a complaint about a rep, optionally from a known customer."""
        return ledger().record_complaint(cmd, ctx)


@blp.route("/warnings")
class Warnings(MethodView):
    @blp.arguments(WarningIssue)
    @blp.response(201, WarningOut)
    @idempotent
    def post(self, cmd: IssueWarning, ctx: Ctx) -> Any:
        """Issue a verbal, written or final warning to a rep."""
        return ledger().issue_warning(cmd, ctx)


@blp.route("/warnings/<uuid:warning_id>/acknowledge", methods=["POST"])
@blp.arguments(WarningAcknowledge)
@blp.response(200, WarningOut)
@idempotent
def acknowledge_warning(data: dict[str, Any], warning_id: UUID, ctx: Ctx) -> Any:
    """Record that the rep acknowledged a warning (once)."""
    return ledger().acknowledge_warning(AcknowledgeWarning(warning_id=warning_id, **data), ctx)


@blp.route("/improvement-plans")
class ImprovementPlans(MethodView):
    @blp.arguments(ImprovementPlanStart)
    @blp.response(201, ImprovementPlanOut)
    @idempotent
    def post(self, cmd: StartImprovementPlan, ctx: Ctx) -> Any:
        """Start an improvement plan for a rep, with goals, dates and an optional coach."""
        return ledger().start_improvement_plan(cmd, ctx)


@blp.route("/improvement-plans/<uuid:plan_id>/conclude", methods=["POST"])
@blp.arguments(ImprovementPlanConclude)
@blp.response(200, ImprovementPlanOut)
@idempotent
def conclude_plan(data: dict[str, Any], plan_id: UUID, ctx: Ctx) -> Any:
    """Conclude an improvement plan as met, not met or cancelled (once)."""
    return ledger().conclude_improvement_plan(ConcludeImprovementPlan(plan_id=plan_id, **data), ctx)


add_read_routes(blp, "scores", Score, ScoreOut)
add_read_routes(blp, "trainings", Training, TrainingOut)
add_read_routes(blp, "complaints", Complaint, ComplaintOut)
add_read_routes(blp, "warnings", WarningNotice, WarningOut)
add_read_routes(blp, "improvement-plans", ImprovementPlan, ImprovementPlanOut)
