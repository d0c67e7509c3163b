"""Contract-expiry reminders: once per contract term, `LEDGER_CONTRACT_REMINDER_DAYS` before it ends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from jobs.base import Job, JobContext
from ledger.commands.reminders import SendContractReminder
from ledger.contract import Contract
from ledger.errors import Invalid, LedgerError

NAME = "contract-reminders"
PAGE = 1000
TOPICS = [f"ledger.contract:Contract.{name}" for name in ("Signed", "Renewed", "AmendmentSigned", "Terminated")]


@dataclass
class Term:
    """What the log says about one contract: its kind, current end, whether it ended or was amended."""

    fixed_term: bool
    ends_on: date | None
    terminated: bool = False
    amended: bool = False  # a signed amendment may have moved the end: ask the aggregate


def contract_terms(app: Any) -> dict[UUID, Term]:
    """Every contract's term, folded from its events in the log (read in pages, contract events only)."""
    terms: dict[UUID, Term] = {}
    start = 1
    while True:
        page = app.recorder.select_notifications(start=start, limit=PAGE, topics=TOPICS)
        for notification in page:
            event = app.mapper.to_domain_event(notification)
            if isinstance(event, Contract.Signed):
                terms[event.originator_id] = Term(event.kind == "fixed_term", event.ends_on)
            elif (term := terms.get(event.originator_id)) is not None:
                if isinstance(event, Contract.Renewed):
                    term.ends_on = event.new_ends_on
                elif isinstance(event, Contract.AmendmentSigned):
                    term.amended = True
                elif isinstance(event, Contract.Terminated):
                    term.terminated = True
        if len(page) < PAGE:
            return terms
        start = page[-1].id + 1


def due(terms: dict[UUID, Term], on: date, days: int) -> list[UUID]:
    """Contracts that may end within `days` of `on` (amended ones are checked against their aggregate)."""
    horizon = on + timedelta(days=days)
    return sorted(contract_id for contract_id, term in terms.items() if term.fixed_term and not term.terminated and (
        term.amended or (term.ends_on is not None and on <= term.ends_on <= horizon)))


def remind_expiring_contracts(context: JobContext) -> None:
    """Record ContractReminder.Sent for each active fixed-term contract ending within the window, once per term."""
    days = context.settings.contract_reminder_days
    if days < 0:
        raise Invalid("LEDGER_CONTRACT_REMINDER_DAYS must not be negative", errors={"contract_reminder_days": [">= 0"]})
    on = context.at.date()  # the UTC date of the instant the job runs for
    for contract_id in due(contract_terms(context.app), on, days):
        contract = context.app.load(Contract, contract_id)
        ends_on = contract.ends_on
        if contract.status != "active" or ends_on is None or not on <= ends_on <= on + timedelta(days=days):
            continue
        command = SendContractReminder(contract_id=contract_id, ends_on=ends_on, on=on, occurred_at=context.at)
        try:
            context.record(context.app.send_contract_reminder, command, context.ctx(NAME, contract_id, ends_on))
        except LedgerError as error:  # e.g. terminated meanwhile: the next run sees it
            context.notes.append(f"contract {contract_id}: {error.detail}")
    if context.recorded:
        context.notes.append(f"{context.recorded} contract reminders sent")


JOBS = [Job(NAME, "remind HR and the manager of contracts ending within LEDGER_CONTRACT_REMINDER_DAYS, once per term",
            "0 * * * *", remind_expiring_contracts)]
