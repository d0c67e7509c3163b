"""Outbox: everything a person should hear about, one notification per event and recipient, and its fate.

Recipients are strings: "rep:<rep_id>", "manager:<team_id>" (the manager of that team) and "hr".
Events of other families are matched by topic string and read with getattr, so this module depends on
no aggregate module. Notifications name people by id and by the name in `Rep.Onboarded` only: no
personal data (contacts, pay, national ids) is ever copied into them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable
from uuid import NAMESPACE_URL, UUID, uuid5

from projections.base import Projection, State, View, text, topic_of
from projections.readside import ReadSide

NAME = "outbox"
REP, NOTE, WHERE = "rep", "notification", "recipient-of"
_NAMESPACE = uuid5(NAMESPACE_URL, "urn:sales-ledger:notification")

REP_ONBOARDED = "ledger.rep:Rep.Onboarded"
REP_TRANSFERRED = "ledger.rep:Rep.Transferred"
RECYCLE_WARNED = "ledger.customer:Customer.RecycleWarned"
RECYCLED = "ledger.customer:Customer.Recycled"
ASSIGNED = "ledger.customer:Customer.Assigned"
EARLY_WARNING = "ledger.early_warning:EarlyWarning.Raised"
REVIEW_FLAG = "ledger.review_flag:ReviewFlag.Flagged"
CONTRACT_REMINDER = "ledger.contract_reminder:ContractReminder.Sent"
WARNING_ISSUED = "ledger.warning_notice:WarningNotice.Issued"
ATTEMPT_FAILED = "ledger.notification:NotificationDelivery.AttemptFailed"
DELIVERED = "ledger.notification:NotificationDelivery.Delivered"
READ = "ledger.notification:Notification.Read"
DISTRIBUTION_RULES = ("random", "ranked")

Message = tuple[list[str], str, str, str, dict[str, Any]]  # recipients, kind, title, body, data


def notification_id(position: int, recipient: str) -> UUID:
    """Deterministic: the same event gives the same notification ids on every rebuild."""
    return uuid5(_NAMESPACE, f"{position}:{recipient}")


def parse_recipient(recipient: str) -> tuple[str, UUID | None]:
    """("rep", id), ("manager", team id), ("hr", None), or ("", None) if it is not a recipient."""
    kind, _, ident = recipient.partition(":")
    if kind == "hr" and not ident:
        return "hr", None
    try:
        return (kind, UUID(ident)) if kind in ("rep", "manager") else ("", None)
    except ValueError:
        return "", None


def _safe(value: Any) -> Any:
    """Plain JSON data for `data`: scalars, lists and dicts of them; anything else (e.g. personal values) dropped."""
    if isinstance(value, dict):
        return {str(k): v for k, v in ((k, _safe(v)) for k, v in value.items()) if v is not _DROP}
    if isinstance(value, list):
        return [v for v in (_safe(v) for v in value) if v is not _DROP]
    if value is None or isinstance(value, (str, int, bool, Decimal, UUID, date, datetime)):
        return text(value)
    return _DROP


_DROP = object()


class OutboxProjection(Projection):
    """Notifications by recipient (part) and id (key); reps' teams and names to address and name them."""

    name = NAME
    topics = (REP_ONBOARDED, REP_TRANSFERRED, RECYCLE_WARNED, RECYCLED, ASSIGNED, EARLY_WARNING, REVIEW_FLAG,
              CONTRACT_REMINDER, WARNING_ISSUED, ATTEMPT_FAILED, DELIVERED, READ)

    def fold(self, view: View, position: int, event: Any) -> None:
        topic = topic_of(type(event))
        if topic == REP_ONBOARDED:
            view.put(REP, "", str(event.originator_id), {"name": event.name, "team_id": text(event.team_id)})
        elif topic == REP_TRANSFERRED:
            rep = view.get(REP, "", str(event.originator_id)) or {"name": ""}
            view.put(REP, "", str(event.originator_id), {**rep, "team_id": text(event.team_id)})
        elif topic in (ATTEMPT_FAILED, DELIVERED, READ):
            self._fate(view, topic, event)
        elif topic in MESSAGES:
            message = MESSAGES[topic](view, event)
            if message is not None:
                self._notify(view, position, event, message)

    def _notify(self, view: View, position: int, event: Any, message: Message) -> None:
        recipients, kind, title, body, data = message
        for recipient in dict.fromkeys(recipients):  # each recipient once, in order
            nid = str(notification_id(position, recipient))
            view.put(NOTE, recipient, nid, {
                "id": nid, "recipient": recipient, "kind": kind, "title": title, "body": body,
                "created_at": text(event.timestamp), "occurred_at": text(event.occurred_at),
                "source": {"position": position, "type": type(event).__qualname__, "stream_id": str(event.originator_id)},
                "data": _safe(data), "read": False, "read_at": None, "deliveries": {}})
            view.put(WHERE, "", nid, {"recipient": recipient})

    def _fate(self, view: View, topic: str, event: Any) -> None:
        nid = str(event.notification_id)
        where = view.get(WHERE, "", nid)
        note = view.get(NOTE, where["recipient"], nid) if where else None
        if note is None:
            return
        if topic == READ:
            note["read"], note["read_at"] = True, text(event.occurred_at)
        else:
            before = note["deliveries"].get(event.webhook, {})
            failed = topic == ATTEMPT_FAILED
            note["deliveries"][event.webhook] = {
                "delivered": not failed, "attempts": event.attempt if failed else event.attempts,
                "last_status": event.status if failed else before.get("last_status"),
                "retry_at": text(event.retry_at) if failed else None,
                "delivered_at": None if failed else text(event.occurred_at)}
        view.put(NOTE, note["recipient"], nid, note)


# -- what each event says, and to whom ------------------------------------------------------------

def _rep(view: View, rep_id: Any) -> State:
    return view.get(REP, "", str(rep_id)) or {"name": "", "team_id": None}


def _who(view: View, rep_id: Any) -> str:
    name = _rep(view, rep_id)["name"]
    return f"{name} (rep {rep_id})" if name else f"rep {rep_id}"


def _manager(view: View, rep_id: Any, team_id: Any = None) -> list[str]:
    """The manager of the given team, else of the rep's team at the time of the event."""
    team = team_id or _rep(view, rep_id)["team_id"]
    return [f"manager:{team}"] if team else []


def _recycle_warned(view: View, e: Any) -> Message:
    return ([f"rep:{e.rep_id}", *_manager(view, e.rep_id)], "recycle-warning", "Customer about to be recycled",
            f"Customer {e.originator_id} held by {_who(view, e.rep_id)} has been idle for {e.days_idle} days "
            f"({e.rule}); it returns to the pool on {text(getattr(e, 'recycle_on', None))} unless it is worked first.",
            {"customer_id": e.originator_id, "rep_id": e.rep_id, "rule": e.rule, "days_idle": e.days_idle,
             "recycle_on": getattr(e, "recycle_on", None)})


def _recycled(view: View, e: Any) -> Message:
    return ([f"rep:{e.rep_id}", *_manager(view, e.rep_id)], "customer-recycled", "Customer recycled",
            f"Customer {e.originator_id} was taken back from {_who(view, e.rep_id)} into the pool after "
            f"{e.days_idle} idle days ({e.rule}).",
            {"customer_id": e.originator_id, "rep_id": e.rep_id, "rule": e.rule, "days_idle": e.days_idle})


def _assigned(view: View, e: Any) -> Message | None:
    if e.rule not in DISTRIBUTION_RULES:
        return None  # a manager's own assignment: the manager knows, the rep sees it in their holdings
    return ([f"rep:{e.rep_id}"], "customer-assigned", "Customer assigned to you",
            f"Customer {e.originator_id} was assigned to you by the {e.rule} distribution rule.",
            {"customer_id": e.originator_id, "rep_id": e.rep_id, "rule": e.rule, "seed": getattr(e, "seed", None)})


def _early_warning(view: View, e: Any) -> Message:
    about_rep = e.subject_kind == "rep"
    who = _who(view, e.subject_id) if about_rep else f"group {e.subject_id}"
    team = e.team_id or (_rep(view, e.subject_id)["team_id"] if about_rep else None)
    return ([*([f"manager:{team}"] if team else []), *(["hr"] if about_rep else [])], "early-warning",
            f"Early warning: {e.rule}", f"{who} triggered the early warning '{e.rule}' for {e.period}.",
            {"subject_kind": e.subject_kind, "subject_id": e.subject_id, "team_id": team, "rule": e.rule,
             "period": e.period, "detail": getattr(e, "detail", {})})


def _review_flag(view: View, e: Any) -> Message:
    actions = ", ".join(getattr(e, "suggested_actions", []) or [])
    return ([*_manager(view, e.rep_id, e.team_id), "hr"], "review-flag", "Performance review suggested",
            f"{_who(view, e.rep_id)} ranked {e.rank} of {e.of} in {e.period}, in the bottom group for "
            f"{e.consecutive_periods} consecutive periods. Suggested: {actions or 'coaching'}.",
            {"rep_id": e.rep_id, "team_id": e.team_id, "period": e.period, "rank": e.rank, "of": e.of,
             "consecutive_periods": e.consecutive_periods, "suggested_actions": getattr(e, "suggested_actions", [])})


def _contract_reminder(view: View, e: Any) -> Message:
    return (["hr", *_manager(view, e.rep_id)], "contract-expiry", "Labour contract ending",
            f"The labour contract {e.contract_id} of {_who(view, e.rep_id)} ends on {text(e.ends_on)}, "
            f"in {e.days_before} days.",
            {"contract_id": e.contract_id, "rep_id": e.rep_id, "ends_on": e.ends_on, "days_before": e.days_before})


def _warning_issued(view: View, e: Any) -> Message:
    return ([f"rep:{e.rep_id}"], "warning-issued", "Warning issued",
            f"A {e.level} warning was issued to you (warning {e.originator_id}).",
            {"warning_id": e.originator_id, "rep_id": e.rep_id, "level": e.level})


MESSAGES: dict[str, Callable[[View, Any], Message | None]] = {
    RECYCLE_WARNED: _recycle_warned, RECYCLED: _recycled, ASSIGNED: _assigned, EARLY_WARNING: _early_warning,
    REVIEW_FLAG: _review_flag, CONTRACT_REMINDER: _contract_reminder, WARNING_ISSUED: _warning_issued,
}


# -- queries ---------------------------------------------------------------------------------------

def find(read_side: ReadSide, notification_id: UUID) -> State | None:
    """The notification with that id as the outbox holds it now (caught up to the head), or None."""
    found = read_side.rows(NAME, NOTE, read_side.moment(), key=str(notification_id))
    return found[0][2] if found else None


def public(note: State) -> dict[str, Any]:
    """A notification as the API shows it: deliveries as a list, one entry per webhook."""
    deliveries = [{"webhook": webhook, **state} for webhook, state in sorted(note["deliveries"].items())]
    return {**note, "deliveries": deliveries}


def message(note: State) -> dict[str, Any]:
    """What a webhook receives: the notification without its read and delivery state."""
    return {k: v for k, v in note.items() if k not in ("read", "read_at", "deliveries")}


def listing(rows: list[tuple[str, str, State]], *, unread: bool | None, after: int, limit: int) -> dict[str, Any]:
    """Notifications after a source position, oldest first; a page never splits one event's notifications."""
    notes = sorted((state for _, _, state in rows if state["source"]["position"] > after
                    and (unread is None or state["read"] != unread)),
                   key=lambda n: (n["source"]["position"], n["recipient"]))
    page = notes[:limit]
    if len(notes) > limit and len({n["source"]["position"] for n in page}) > 1:
        last = page[-1]["source"]["position"]
        if notes[limit]["source"]["position"] == last:
            page = [n for n in page if n["source"]["position"] != last]
    elif len(notes) > limit:
        first = page[0]["source"]["position"]
        page = [n for n in notes if n["source"]["position"] == first]
    return {"notifications": [public(n) for n in page],
            "next_after": page[-1]["source"]["position"] if page else after}
