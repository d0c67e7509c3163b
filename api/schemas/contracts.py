"""Schemas for labour contracts and their amendments."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from api.schemas.common import (
    ResourceSchema,
    Shown,
    amount,
    business_date,
    check_minor_units,
    currency,
    occurred_at,
    text,
)
from api.schemas.reads import AsOfQuery
from ledger.commands.contracts import SignContract
from ledger.contract import GROUNDS, KINDS, MAX_PROBATION_MONTHS, NOTICES, PARTIES, PAY_PERIODS
from ledger.contract_terms import STATUSES


class ContractSign(Schema):
    id = fields.UUID(metadata={"description": "optional client-chosen id"})
    rep_id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    starts_on = business_date()
    ends_on = business_date(required=False, allow_none=True, load_default=None,
                            metadata={"description": "required for fixed_term, empty for open_ended"})
    probation_months = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_PROBATION_MONTHS))
    post = text()
    base_pay_amount = amount(required=True)
    currency = currency(required=True)
    pay_period = fields.String(load_default="month", validate=validate.OneOf(PAY_PERIODS))
    commission_plan_id = fields.UUID(allow_none=True, load_default=None)
    performance_clause = text(required=False, max_length=5000, load_default="")
    occurred_at = occurred_at()

    @validates_schema
    def _terms(self, data: dict[str, Any], **_: Any) -> None:
        check_minor_units(data, "base_pay_amount")
        kind, starts_on, ends_on = data.get("kind"), data.get("starts_on"), data.get("ends_on")
        if kind == "fixed_term" and ends_on is None:
            raise ValidationError("required for a fixed-term contract", "ends_on")
        if kind == "fixed_term" and starts_on is not None and ends_on is not None and ends_on <= starts_on:
            raise ValidationError("must be after starts_on", "ends_on")
        if kind == "open_ended" and ends_on is not None:
            raise ValidationError("an open-ended contract has no end date", "ends_on")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> SignContract:
        return SignContract(**data)


class ContractChanges(Schema):
    """The terms an amendment may change; any other key is refused."""

    post = text(required=False)
    base_pay_amount = amount(required=False)
    ends_on = business_date(required=False)
    commission_plan_id = fields.UUID(allow_none=True)
    performance_clause = text(required=False, max_length=5000)


class AmendmentPropose(Schema):
    amendment_id = fields.UUID(metadata={"description": "optional client-chosen amendment id"})
    changes = fields.Nested(ContractChanges, required=True)
    effective_on = business_date()
    proposed_by = fields.String(required=True, validate=validate.OneOf(PARTIES))
    reason = text(required=False, max_length=2000, load_default="")
    occurred_at = occurred_at()

    @validates_schema
    def _some_change(self, data: dict[str, Any], **_: Any) -> None:
        if "changes" in data and not data["changes"]:
            raise ValidationError("at least one term must change", "changes")


class AmendmentSign(Schema):
    party = fields.String(required=True, validate=validate.OneOf(PARTIES))
    signer = text()
    occurred_at = occurred_at()


class ContractRenew(Schema):
    new_ends_on = business_date()
    renewed_on = business_date()
    occurred_at = occurred_at()


class ContractTerminate(Schema):
    terminated_on = business_date()
    ground = fields.String(required=True, validate=validate.OneOf(GROUNDS))
    notice = fields.String(required=True, validate=validate.OneOf(NOTICES))
    notice_given_on = business_date(required=False, allow_none=True, load_default=None,
                                    metadata={"description": "the day written notice was served; required with 30_days"})
    reason = text(required=False, max_length=2000, load_default="")
    occurred_at = occurred_at()

    @validates_schema
    def _notice_date(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("notice") == "30_days" and data.get("notice_given_on") is None:
            raise ValidationError("required with 30 days' notice", "notice_given_on")


class AmendmentOut(Schema):
    id = fields.UUID()
    changes = fields.Dict(keys=fields.String(), values=Shown(allow_none=True),
                          metadata={"description": 'changed terms as strings; pay reads "[erased]" once the rep is erased'})
    effective_on = fields.Date()
    proposed_by = fields.String()
    reason = fields.String()
    signatures = fields.Dict(keys=fields.String(), values=fields.String(),
                             metadata={"description": "party -> signer"})
    effective = fields.Boolean(metadata={"description": "true once both parties have signed"})


class ContractOut(ResourceSchema):
    rep_id = fields.UUID()
    status = fields.String(metadata={"description": "active or terminated"})
    kind = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    probation_months = fields.Integer()
    post = fields.String()
    base_pay_amount = Shown(fields.Decimal(as_string=True), metadata={"format": "decimal"})
    currency = fields.String()
    pay_period = fields.String()
    commission_plan_id = fields.UUID(allow_none=True)
    performance_clause = fields.String()
    renewed_on = fields.Date(allow_none=True)
    terminated_on = fields.Date(allow_none=True)
    termination_ground = fields.String(allow_none=True)
    termination_notice = fields.String(allow_none=True)
    termination_notice_given_on = fields.Date(allow_none=True)
    termination_reason = fields.String(allow_none=True)
    amendments = fields.List(fields.Nested(AmendmentOut))


def _today() -> Any:
    return datetime.now(timezone.utc).date()


class ContractOnQuery(AsOfQuery):
    on = business_date(required=False, load_default=_today,
                       metadata={"description": "the day the contract is shown for (default today, UTC)"})


class ClausesOut(Schema):
    post = fields.String()
    base_pay_amount = Shown(fields.Decimal(as_string=True), metadata={"format": "decimal"})
    ends_on = fields.Date(allow_none=True, metadata={"description": "last day of the term in force that day"})
    commission_plan_id = fields.UUID(allow_none=True)
    performance_clause = fields.String()


class AmendmentInForceOut(AmendmentOut):
    signed = fields.Boolean(metadata={"description": "both parties had signed by the moment asked"})
    in_force = fields.Boolean(metadata={"description": "signed and effective on or before the day"})
    positions = fields.Dict(keys=fields.String(), values=fields.Integer(allow_none=True),
                            metadata={"description": "proposed / employer / employee -> ledger position"})


class RenewalOut(Schema):
    renewed_on = fields.Date()
    new_ends_on = fields.Date()
    in_force = fields.Boolean(metadata={"description": "agreed on or before the day"})
    position = fields.Integer(allow_none=True)


class TerminationOut(Schema):
    terminated_on = fields.Date(metadata={"description": "last day in force"})
    ground = fields.String()
    notice = fields.String()
    notice_given_on = fields.Date(allow_none=True)
    reason = fields.String()
    position = fields.Integer(allow_none=True)


class EventRefOut(Schema):
    position = fields.Integer()
    version = fields.Integer()
    type = fields.String()


class ContractInForceOut(Schema):
    rep_id = fields.UUID()
    on = fields.Date()
    position = fields.Integer(metadata={"description": "the ledger position the answer reflects"})
    as_of = fields.AwareDateTime()
    contract_id = fields.UUID()
    status = fields.String(metadata={"enum": list(STATUSES)})
    kind = fields.String()
    starts_on = fields.Date()
    probation_months = fields.Integer()
    currency = fields.String()
    pay_period = fields.String()
    clauses = fields.Nested(ClausesOut, metadata={"description": "terms after the amendments effective by `on`"})
    amendments = fields.List(fields.Nested(AmendmentInForceOut))
    renewals = fields.List(fields.Nested(RenewalOut))
    termination = fields.Nested(TerminationOut, allow_none=True)
    events = fields.List(fields.Nested(EventRefOut), metadata={"description": "the contract's events it rests on"})
    other_contract_ids = fields.List(fields.UUID(), metadata={"description": "the rep's other contracts"})
