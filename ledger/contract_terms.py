"""Labour-contract terms as values: what may be amended, how changes are stored, what is in force on a day."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from ledger.errors import Invalid
from ledger.money import Money
from ledger.personal import Personal

KINDS = ("fixed_term", "open_ended")
PARTIES = ("employer", "employee")
PAY_PERIODS = ("month",)
GROUNDS = ("mutual", "resignation", "art39_misconduct", "art40_incompetence", "art41_redundancy", "expiry")
NOTICES = ("30_days", "pay_in_lieu", "none")
# Labour Contract Law: dismissal for misconduct (art. 39) owes no notice; incompetence (art. 40) and
# redundancy (art. 41) need 30 days' written notice or a month's pay in lieu; an employee resigns
# with 30 days' notice (art. 37) or at once where the employer is at fault (art. 38).
NOTICE_BY_GROUND = {
    "mutual": NOTICES, "expiry": NOTICES, "resignation": ("30_days", "none"), "art39_misconduct": ("none",),
    "art40_incompetence": ("30_days", "pay_in_lieu"), "art41_redundancy": ("30_days", "pay_in_lieu"),
}
NOTICE_DAYS = 30
AMENDABLE = ("post", "base_pay_amount", "ends_on", "commission_plan_id", "performance_clause")
MAX_PROBATION_MONTHS = 6
STATUSES = ("not_yet_started", "active", "renewed", "terminated", "expired")


def one_of(value: str, allowed: tuple[str, ...], field: str) -> str:
    if value not in allowed:
        raise Invalid(f"{field} must be one of {', '.join(allowed)}", errors={field: [f"not one of {allowed}"]})
    return value


def check_pay(amount: Decimal, currency: str, field: str) -> None:
    Money.of(amount, currency).check_exact(field)
    if amount <= 0:
        raise Invalid("pay must be positive", errors={field: ["must be greater than 0"]})


def encode_changes(changes: dict[str, Any], subject: UUID) -> dict[str, Any]:
    """JSON-safe form of amendment changes for the event: decimals and ids as strings, dates ISO;
    pay is personal data of the contract's rep (`subject`), stored encrypted."""
    unknown = sorted(set(changes) - set(AMENDABLE))
    if unknown or not changes:
        reason = f"only {', '.join(AMENDABLE)} can be amended" if unknown else "nothing to change"
        raise Invalid(reason, errors={"changes": [reason]})
    encoded: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "base_pay_amount" and isinstance(value, (str, Decimal)):
            encoded[key] = Personal(subject, str(value))
        elif isinstance(value, date):
            encoded[key] = value.isoformat()
        elif value is None and key == "commission_plan_id":
            encoded[key] = None
        elif isinstance(value, (str, Decimal, UUID)):
            encoded[key] = str(value)
        else:
            raise Invalid(f"bad value for {key}", errors={f"changes.{key}": ["wrong type"]})
    return encoded


def decode_changes(changes: dict[str, Any], subject: UUID) -> dict[str, Any]:
    """Typed terms from the stored (string) form of amendment changes. Pay comes back Personal
    (amendments recorded before pay was encrypted hold a plain string), "[erased]" once erased."""
    typed: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "base_pay_amount":
            pay = value if isinstance(value, Personal) else Personal(subject, value)
            typed[key] = pay if pay.erased else Personal(subject, Decimal(pay.value))
        elif key == "ends_on":
            typed[key] = date.fromisoformat(value)
        elif key == "commission_plan_id":
            typed[key] = None if value is None else UUID(value)
        else:
            typed[key] = value
    return typed


def terms_on(signed: dict[str, Any], changes: list[dict[str, Any]], day: date | None) -> dict[str, Any]:
    """The amendable terms in force on `day` (None: once every agreed change has taken effect).

    `changes` are agreed amendments (from their effective date) and renewals (from the day they were
    agreed), in the order recorded; a later date prevails over an earlier one whatever the order they
    were agreed in, and on the same date the later agreement prevails."""
    terms = dict(signed)
    for change in sorted(changes, key=lambda c: c["on"]):  # sorted() is stable: same day keeps recorded order
        if day is None or change["on"] <= day:
            terms.update(change["changes"])
    return terms


def status_on(day: date, *, starts_on: date, ends_on: date | None, terminated_on: date | None,
              renewed: bool) -> str:
    """not_yet_started, active, renewed (a renewal agreed by then), terminated or expired on `day`.
    `ends_on` (the end in force that day) and `terminated_on` are the last days the contract is in force."""
    if day < starts_on:
        return "not_yet_started"
    if terminated_on is not None and day > terminated_on:
        return "terminated"
    if ends_on is not None and day > ends_on:
        return "expired"
    return "renewed" if renewed else "active"
