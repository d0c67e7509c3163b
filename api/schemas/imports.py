"""Bulk import: each row kind is the body of an API POST (same schema), plus the path ids of an action."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any, Callable, Mapping
from uuid import UUID

from marshmallow import Schema, ValidationError, fields, validate

from api.schemas import contracts as c
from api.schemas import customers as cu
from api.schemas import org as o
from api.schemas import performance as pf
from api.schemas import reads as rd
from api.schemas import rules as r
from api.schemas import sales as s
from api.schemas.common import CLOCK_SKEW, EARLIEST, _now
from api.schemas.import_lean import Doubt, LeanLoader, uuid_of
from api.schemas.payouts import AssignmentIn
from ledger.commands import contracts as cc
from ledger.commands import org as oc
from ledger.commands import performance as pc
from ledger.commands import pool as pl
from ledger.commands import rules as rc
from ledger.commands import sales as sc
from ledger.followup import KINDS as FOLLOW_UP_KINDS
from ledger.followup import STAGES as FOLLOW_UP_STAGES
from ledger.imports.builder import RowInvalid


@dataclass(frozen=True)
class Kind:
    """How one row kind becomes a command: the POST body's schema; for an action on an existing record the
    command class and the path ids the row carries in `data`; `creates`: the field naming the record the row
    creates (derived from the file and line when the row leaves it out)."""

    schema: Schema
    handler: str
    command: Callable[..., Any] | None = None
    path: tuple[str, ...] = ()
    creates: str = ""


def _new(schema: Schema, handler: str) -> Kind:
    return Kind(schema, handler, creates="id")


def _act(schema: Schema, handler: str, command: Callable[..., Any], *path: str, creates: str = "") -> Kind:
    return Kind(schema, handler, command, path, creates)


KINDS: dict[str, Kind] = {
    "team": _new(o.TeamCreate(), "create_team"),
    "group": _new(o.GroupCreate(), "form_group"),
    "group_members": _act(o.GroupMembersChange(), "change_group_members", oc.ChangeGroupMembers, "group_id"),
    "rep": _new(o.RepOnboard(), "onboard_rep"),
    "rep_transfer": _act(o.RepTransfer(), "transfer_rep", oc.TransferRep, "rep_id"),
    "rep_leave": _act(o.RepLeave(), "record_rep_left", oc.RecordRepLeft, "rep_id"),
    "personal_details": _act(o.RepPersonalDetails(), "record_personal_details", oc.RecordPersonalDetails, "rep_id"),
    "customer": _new(cu.CustomerRegister(), "register_customer"),
    "contact": _act(cu.ContactRecord(), "record_contact", pl.RecordContact, "customer_id"),
    "claim": _act(cu.CustomerClaim(), "claim_customer", pl.ClaimCustomer, "customer_id"),
    "assign": _act(cu.CustomerAssign(), "assign_customer", pl.AssignCustomer, "customer_id"),
    "release": _act(cu.CustomerRelease(), "release_customer", pl.ReleaseCustomer, "customer_id"),
    "follow_up": _new(s.FollowUpLog(), "log_follow_up"),
    "deal": _new(s.DealClose(), "close_deal"),
    "deal_reversal": _act(s.DealReverse(), "reverse_deal", sc.ReverseDeal, "deal_id"),
    "score": _new(pf.ScoreRecord(), "record_score"),
    "score_correction": _act(pf.ScoreCorrect(), "correct_score", pc.CorrectScore, "score_id"),
    "training": _new(pf.TrainingRecord(), "record_training"),
    "complaint": _new(pf.ComplaintRecord(), "record_complaint"),
    "warning": _new(pf.WarningIssue(), "issue_warning"),
    "warning_acknowledgement": _act(pf.WarningAcknowledge(), "acknowledge_warning", pc.AcknowledgeWarning,
                                    "warning_id"),
    "improvement_plan": _new(pf.ImprovementPlanStart(), "start_improvement_plan"),
    "improvement_plan_conclusion": _act(pf.ImprovementPlanConclude(), "conclude_improvement_plan",
                                        pc.ConcludeImprovementPlan, "plan_id"),
    "contract": _new(c.ContractSign(), "sign_contract"),
    "amendment": _act(c.AmendmentPropose(), "propose_amendment", cc.ProposeAmendment, "contract_id",
                      creates="amendment_id"),
    "amendment_signature": _act(c.AmendmentSign(), "sign_amendment", cc.SignAmendment, "contract_id", "amendment_id"),
    "renewal": _act(c.ContractRenew(), "renew_contract", cc.RenewContract, "contract_id"),
    "termination": _act(c.ContractTerminate(), "terminate_contract", cc.TerminateContract, "contract_id"),
    "kpi_scheme": _new(r.KpiSchemeDefine(), "define_kpi_scheme"),
    "kpi_scheme_revision": _act(r.KpiSchemeRevise(), "revise_kpi_scheme", rc.ReviseKpiScheme, "scheme_id"),
    "commission_plan": _new(r.CommissionPlanDefine(), "define_commission_plan"),
    "commission_plan_revision": _act(r.CommissionPlanRevise(), "revise_commission_plan", rc.ReviseCommissionPlan,
                                     "plan_id"),
    "plan_assignment": _act(AssignmentIn(), "assign_commission_plan", rc.AssignCommissionPlan, "plan_id"),
    "pool_policy": Kind(r.PoolPolicySet(), "set_pool_policy"),
    "fx_rate": Kind(r.FxRateRecord(), "record_fx_rate"),
    "target": Kind(rd.TargetSetIn(), "set_target"),
}


def build_command(kind_name: str, data: Mapping[str, Any], derived_id: UUID) -> tuple[str, Any, UUID | None]:
    """The handler name and command of one row, and the id the row names for the record it creates (None
    when it names none and `derived_id` is used). Raises RowInvalid with `field: reason` lines."""
    if kind_name == "follow_up":  # two rows in three of a CRM's history
        lean = lean_follow_up(data, derived_id)
        if lean is not None:
            return "log_follow_up", lean, None
    try:
        return _built(kind_name, data, derived_id, lean=True)
    except ValidationError as error:
        raise RowInvalid(_messages(error.normalized_messages())) from None


def build_with_schemas(kind_name: str, data: Mapping[str, Any], derived_id: UUID) -> tuple[str, Any, UUID | None]:
    """`build_command` through the schemas alone: the definition the lean paths are held to."""
    try:
        return _built(kind_name, data, derived_id, lean=False)
    except ValidationError as error:
        raise RowInvalid(_messages(error.normalized_messages())) from None


@cache
def _lean_loader(kind_name: str) -> LeanLoader | None:
    return LeanLoader.of(KINDS[kind_name].schema)


def _built(kind_name: str, data: Mapping[str, Any], derived_id: UUID, *, lean: bool) -> tuple[str, Any, UUID | None]:
    kind = KINDS.get(kind_name)
    if kind is None:
        raise ValidationError({"type": [f"unknown type {kind_name!r}; one of {', '.join(sorted(KINDS))}"]})
    body, ids, errors = dict(data), {}, {}
    for name in kind.path:
        try:
            ids[name] = UUID(str(body.pop(name)))
        except KeyError:
            errors[name] = ["Missing data for required field."]
        except ValueError:
            errors[name] = ["Not a valid UUID."]
    named = kind.creates and body.get(kind.creates) is not None
    loaded: Any = Doubt
    loader = _lean_loader(kind_name) if lean and not errors else None
    if loader is not None:
        try:
            loaded = loader.load(body)
        except Doubt:
            pass
    if loaded is Doubt:
        try:
            loaded = kind.schema.load(body)
        except ValidationError as error:
            errors.update(error.normalized_messages())
    if errors:
        raise ValidationError(errors)
    command = kind.command(**ids, **loaded) if kind.command is not None else loaded
    if not kind.creates:
        return kind.handler, command, None
    if named:
        return kind.handler, command, getattr(command, kind.creates)
    return kind.handler, replace(command, **{kind.creates: derived_id}), None


_FOLLOW_UP_FIELDS = frozenset({"rep_id", "customer_id", "kind", "stage", "notes", "duration_minutes", "occurred_at"})


def lean_follow_up(data: Mapping[str, Any], derived_id: UUID) -> sc.LogFollowUp | None:
    """`FollowUpLog().load(data)`'s command for a plainly valid body that names no id, without marshmallow's
    per-field machinery (~10x faster); None for anything else, which then goes through the schema itself (so
    every error message, default and unusual-but-valid value stays the schema's). Each check below is the
    field's own: `uuid.UUID(str)`, `OneOf`, `Length(0, 5000)`, an `int` in `Range(0, 1440)`, and
    `datetime.fromisoformat` with an offset, from 1990 up to five minutes from now."""
    if not data.keys() <= _FOLLOW_UP_FIELDS:
        return None
    rep, customer, kind, stage = data.get("rep_id"), data.get("customer_id"), data.get("kind"), data.get("stage")
    notes, minutes, at = data.get("notes", ""), data.get("duration_minutes", 0), data.get("occurred_at")
    if (type(rep) is not str or type(customer) is not str or type(at) is not str or type(notes) is not str
            or kind not in FOLLOW_UP_KINDS or stage not in FOLLOW_UP_STAGES or len(notes) > 5000
            or type(minutes) is not int or not 0 <= minutes <= 24 * 60):
        return None
    try:
        rep_id, customer_id, occurred_at = uuid_of(rep), uuid_of(customer), datetime.fromisoformat(at)
    except ValueError:
        return None
    offset = occurred_at.utcoffset()
    if offset is None or occurred_at < EARLIEST or occurred_at > _now() + CLOCK_SKEW:
        return None
    return sc.LogFollowUp(rep_id=rep_id, customer_id=customer_id, kind=kind, stage=stage, occurred_at=occurred_at,
                          notes=notes, duration_minutes=minutes, id=derived_id)


def _messages(messages: Any, prefix: str = "") -> list[str]:
    """marshmallow's nested messages as flat `field.path: reason` lines."""
    if isinstance(messages, dict):
        out: list[str] = []
        for key, value in messages.items():
            name = prefix if key == "_schema" else f"{prefix}.{key}" if prefix else str(key)
            out += _messages(value, name)
        return out
    if isinstance(messages, list):
        return [line for item in messages for line in _messages(item, prefix)]
    return [f"{prefix}: {messages}" if prefix else str(messages)]


class ImportQuery(Schema):
    skip_invalid = fields.Boolean(load_default=False, metadata={
        "description": "import the valid rows and list the invalid ones, instead of importing nothing"})
    batch = fields.Integer(load_default=2000, validate=validate.Range(min=1, max=50_000),
                           metadata={"description": "rows saved per transaction"})
    name = fields.String(load_default="upload", validate=validate.Length(min=1, max=200),
                         metadata={"description": "a name for the file, kept with the import (for raw bodies)"})


class SkippedRow(Schema):
    line = fields.Integer()
    reasons = fields.List(fields.String())


class ImportReportOut(Schema):
    id = fields.UUID(metadata={"description": "the import's stream id, derived from the file's SHA-256"})
    status = fields.String(metadata={"description": "imported, resumed or already imported"})
    sha256 = fields.String()
    name = fields.String()
    format = fields.String()
    rows = fields.Integer(metadata={"description": "rows in the file"})
    imported_rows = fields.Integer(metadata={"description": "rows recorded by this request"})
    events = fields.Integer(metadata={"description": "events recorded by this request (besides the import's own)"})
    resumed_after = fields.Integer(metadata={"description": "last line already imported by an interrupted run"})
    skipped = fields.List(fields.Nested(SkippedRow))
    seconds = fields.Float()
    events_per_s = fields.Float()
