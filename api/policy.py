"""Who may do what: the one place where every request's role and scope are decided.

Each endpoint has a Rule: the roles it admits, each with a scope (ALL, TEAM or SELF), and a resolver
naming the reps the request concerns. TEAM admits a write when every concerned rep is in one of the
token's teams (a read when any is); SELF when the concerned rep is the token's own rep. A role the rule
does not list gets 403; a read outside the scope gets 404, so that existence does not leak; a write
outside it gets 403. Endpoints without a rule are refused: deny by default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping
from uuid import UUID

from flask import current_app, g, request

from api.auth import Forbidden, Principal
from api.ext import ledger
from ledger.application import LedgerApplication
from ledger.customer import Customer
from ledger.errors import NotFound
from ledger.rep import Rep
from projections import outbox

ALL, TEAM, SELF = "all", "team", "self"


@dataclass(frozen=True)
class Subjects:
    """The reps a request concerns; `pool` marks a customer nobody owns (visible to every seller)."""

    reps: frozenset[UUID] = frozenset()
    pool: bool = False
    teams: frozenset[UUID] = frozenset()  # whole teams a request concerns (team scorecards, leaderboards)


Resolver = Callable[[LedgerApplication, Mapping[str, Any], Mapping[str, Any]], Subjects]


@dataclass(frozen=True)
class Rule:
    scopes: Mapping[str, str]
    subjects: Resolver | None = None
    sensitive: bool = False  # reads recorded as SensitiveDataRead
    employee_only_for_rep: bool = False  # a rep may sign contract amendments as the employee only
    writes: bool = field(default=False)
    collection: bool = False  # a listing: outside the scope it is 403 (nothing to hide), not 404


# -- resolvers -----------------------------------------------------------------------------------

def _uuid(value: Any) -> UUID | None:
    try:
        return UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def _reps(*values: Any) -> Subjects:
    return Subjects(frozenset(v for v in (_uuid(x) for x in values) if v is not None))


def body(*names: str) -> Resolver:
    """Reps named in the JSON body (single ids or lists of ids, or split entries)."""

    def resolve(app: LedgerApplication, args: Mapping[str, Any], data: Mapping[str, Any]) -> Subjects:
        found: list[Any] = []
        for name in names:
            value = data.get(name)
            items = value if isinstance(value, list) else [value]
            found += [item.get("rep_id") if isinstance(item, dict) else item for item in items]
        return _reps(*found)

    return resolve


def stream(arg: str, *attributes: str) -> Resolver:
    """Reps recorded on the aggregate named by a path argument (404 if it does not exist)."""

    def resolve(app: LedgerApplication, args: Mapping[str, Any], data: Mapping[str, Any]) -> Subjects:
        try:
            aggregate: object = app.repository.get(args[arg])
        except Exception:
            raise NotFound(f"no resource with id {args[arg]}") from None
        found: list[Any] = []
        for attribute in attributes:
            value = getattr(aggregate, attribute, None)
            items = value if isinstance(value, list) else [value]
            found += [item.get("rep_id") if isinstance(item, dict) else item for item in items]
        return _reps(*found)

    return resolve


def the_rep(arg: str) -> Resolver:
    return lambda app, args, data: _reps(app.load(Rep, args[arg]).id)


def customer_owner(arg: str) -> Resolver:
    def resolve(app: LedgerApplication, args: Mapping[str, Any], data: Mapping[str, Any]) -> Subjects:
        owner = app.load(Customer, args[arg]).owner_id
        return Subjects(frozenset({owner}) if owner else frozenset(), pool=owner is None)

    return resolve


def both(*resolvers: Resolver) -> Resolver:
    def resolve(app: LedgerApplication, args: Mapping[str, Any], data: Mapping[str, Any]) -> Subjects:
        parts = [r(app, args, data) for r in resolvers]
        return Subjects(frozenset().union(*(p.reps for p in parts)), pool=all(p.pool for p in parts),
                        teams=frozenset().union(*(p.teams for p in parts)))

    return resolve


def team_in(arg: str) -> Resolver:
    """A whole team named by a path argument or query parameter."""

    def resolve(app: LedgerApplication, args: Mapping[str, Any], data: Mapping[str, Any]) -> Subjects:
        team = _uuid(args.get(arg) or request.args.get(arg))
        return Subjects(teams=frozenset({team}) if team else frozenset())

    return resolve


def group_in_query(arg: str) -> Resolver:
    """The members of a group named by a query parameter (none if absent)."""

    def resolve(app: LedgerApplication, args: Mapping[str, Any], data: Mapping[str, Any]) -> Subjects:
        group = _uuid(request.args.get(arg))
        return stream("_group", "member_ids")(app, {"_group": group}, data) if group else Subjects()

    return resolve


def target_scope(app: LedgerApplication, args: Mapping[str, Any], data: Mapping[str, Any]) -> Subjects:
    """A target concerns its rep, or its whole team (from the body, or from the stored target)."""
    if "id" in args:
        try:
            stored: object = app.repository.get(args["id"])
        except Exception:
            raise NotFound(f"no resource with id {args['id']}") from None
        scope, scope_id = getattr(stored, "scope", None), getattr(stored, "scope_id", None)
    else:
        scope, scope_id = data.get("scope"), _uuid(data.get("scope_id"))
    if scope_id is None:
        return Subjects()
    return Subjects(reps=frozenset({scope_id})) if scope == "rep" else Subjects(teams=frozenset({scope_id}))


def _recipient(recipient: str | None) -> Subjects:
    """The rep or team a notification recipient names. Resolved for scoped tokens only: "hr" (or no
    recipient) is outside every scoped token, and a rep token never reads its manager's notifications."""
    kind, subject = outbox.parse_recipient(recipient or "")
    if kind == "rep" and subject is not None:
        return Subjects(reps=frozenset({subject}))
    if kind == "manager" and subject is not None and g.principal.role != "rep":
        return Subjects(teams=frozenset({subject}))
    raise Forbidden("name a recipient within the token's scope (rep:<id> or manager:<team id>)")


def recipient_in_query(app: LedgerApplication, args: Mapping[str, Any], data: Mapping[str, Any]) -> Subjects:
    return _recipient(request.args.get("recipient"))


def notification_recipient(arg: str) -> Resolver:
    """The recipient of the outbox notification named by a path argument (404 if there is none)."""

    def resolve(app: LedgerApplication, args: Mapping[str, Any], data: Mapping[str, Any]) -> Subjects:
        note = outbox.find(current_app.extensions["ledger"].queries.read_side, args[arg])
        if note is None:
            raise NotFound(f"no notification with id {args[arg]}")
        return _recipient(note["recipient"])

    return resolve


# -- the rules -----------------------------------------------------------------------------------

STAFF_READ = {"admin": ALL, "hr": ALL, "legal": ALL, "auditor": ALL}
SELLER_READ = {**STAFF_READ, "manager": TEAM, "rep": SELF}  # personal records of reps
OPEN_READ = {**STAFF_READ, "manager": ALL, "rep": ALL}  # teams and rules: transparent to everyone
ADMIN = {"admin": ALL}
PEOPLE = {"admin": ALL, "hr": ALL}
COACHING = {"admin": ALL, "hr": ALL, "manager": TEAM}
LEGAL = {"admin": ALL, "hr": ALL, "legal": ALL}


def read(scopes: Mapping[str, str], subjects: Resolver | None = None, sensitive: bool = False) -> Rule:
    return Rule(scopes, subjects, sensitive)


def write(scopes: Mapping[str, str], subjects: Resolver | None = None, **extra: Any) -> Rule:
    return Rule(scopes, subjects, writes=True, **extra)


def _stream_reads(rules: dict[str, Rule], prefix: str, rule: Rule) -> None:
    rules[f"{prefix}_get GET"] = rule
    rules[f"{prefix}_history GET"] = rule


RULES: dict[str, Rule] = {
    "org.Teams POST": write(PEOPLE),
    "org.Groups POST": write({"admin": ALL, "manager": TEAM}, body("member_ids")),
    "org.change_members POST": write({"admin": ALL, "manager": TEAM},
                                     both(stream("group_id", "member_ids"), body("added", "removed"))),
    "org.Reps POST": write(PEOPLE),
    "org.transfer POST": write(PEOPLE, the_rep("rep_id")),
    "org.leave POST": write(PEOPLE, the_rep("rep_id")),
    "org.personal_details POST": write(PEOPLE, the_rep("rep_id")),
    "customers.Customers POST": write({"admin": ALL, "manager": ALL, "integration": ALL}),
    "customers.contacts POST": write({"admin": ALL, "manager": ALL, "integration": ALL}),
    "customers.claim POST": write({"admin": ALL, "manager": TEAM, "rep": SELF}, body("rep_id")),
    "customers.assign POST": write({"admin": ALL, "manager": TEAM}, both(body("rep_id"), customer_owner("customer_id"))),
    "customers.release POST": write({"admin": ALL, "manager": TEAM, "rep": SELF}, customer_owner("customer_id")),
    "sales.FollowUps POST": write({"admin": ALL, "manager": TEAM, "rep": SELF, "integration": TEAM}, body("rep_id")),
    "sales.Deals POST": write({"admin": ALL, "manager": TEAM, "integration": TEAM}, body("rep_id", "splits")),
    "sales.reverse POST": write({"admin": ALL, "manager": TEAM, "integration": TEAM}, stream("deal_id", "rep_id", "splits")),
    "performance.Scores POST": write(COACHING, body("rep_id")),
    "performance.correct_score POST": write(COACHING, stream("score_id", "rep_id")),
    "performance.Trainings POST": write(COACHING, body("rep_id")),
    "performance.Complaints POST": write(COACHING, body("rep_id")),
    "performance.Warnings POST": write(COACHING, body("rep_id")),
    "performance.acknowledge_warning POST": write({**COACHING, "rep": SELF}, stream("warning_id", "rep_id")),
    "performance.ImprovementPlans POST": write(COACHING, body("rep_id")),
    "performance.conclude_plan POST": write(COACHING, stream("plan_id", "rep_id")),
    "contracts.Contracts POST": write(PEOPLE, body("rep_id")),
    "contracts.propose_amendment POST": write(PEOPLE, stream("contract_id", "rep_id")),
    "contracts.sign_amendment POST": write({**PEOPLE, "rep": SELF}, stream("contract_id", "rep_id"),
                                           employee_only_for_rep=True),
    "contracts.renew POST": write(PEOPLE, stream("contract_id", "rep_id")),
    "contracts.terminate POST": write(PEOPLE, stream("contract_id", "rep_id")),
    "contracts.rep_contract_on GET": read(SELLER_READ, the_rep("rep_id"), sensitive=True),
    "rules.KpiSchemes POST": write(ADMIN),
    "rules.revise_kpi_scheme POST": write(ADMIN),
    "rules.CommissionPlans POST": write(ADMIN),
    "rules.revise_commission_plan POST": write(ADMIN),
    "rules.PoolPolicies POST": write(ADMIN),
    "rules.FxRates POST": write(ADMIN),
    "rules.PoolPolicies GET": read(OPEN_READ),
    "payouts.PayoutRuns POST": write(PEOPLE),
    "payouts.recalculate POST": write(PEOPLE),
    "payouts.assign_plan POST": write(ADMIN),
    "payouts.statement GET": read({**STAFF_READ, "manager": TEAM, "rep": SELF}, the_rep("rep_id"), sensitive=True),
    "payouts.payroll_export GET": read({"admin": ALL, "hr": ALL, "auditor": ALL, "integration": TEAM},
                                       stream("run_id", "lines"), sensitive=True),
    "payouts.simulate POST": read(PEOPLE, sensitive=True),
    "payouts.Disputes POST": write({"admin": ALL, "hr": ALL, "manager": TEAM, "rep": SELF}, body("rep_id")),
    "payouts.resolve_dispute POST": write(PEOPLE, stream("dispute_id", "rep_id")),
    "payouts.approve POST": write({**PEOPLE, "manager": TEAM}, stream("run_id", "lines")),
    "payouts.pay POST": write(PEOPLE),
    "payouts.adjust POST": write(PEOPLE, body("rep_id")),
    "events.feed GET": read({"admin": ALL, "legal": ALL, "auditor": ALL}, sensitive=True),
    "access.access_log GET": read({"admin": ALL, "auditor": ALL}),
    "integrity.verify GET": read(STAFF_READ),
    "integrity.Checkpoints GET": read(STAFF_READ),
    "integrity.Checkpoints POST": write({"admin": ALL, "auditor": ALL}),
    "privacy.place_hold POST": write(LEGAL),
    "privacy.release_hold POST": write(LEGAL),
    "privacy.erase POST": write(PEOPLE),
    "protection.ProtectedStatuses POST": write(PEOPLE, body("rep_id")),
    "protection.end_status POST": write(PEOPLE, stream("status_id", "rep_id")),
    "evidence.evidence GET": read(LEGAL, the_rep("rep_id"), sensitive=True),
    "reads.rep_scorecard GET": read(SELLER_READ, the_rep("rep_id")),
    "reads.holdings GET": read(SELLER_READ, the_rep("rep_id")),
    "reads.team_scorecard GET": read(SELLER_READ, team_in("team_id")),
    "reads.group_scorecard GET": read(SELLER_READ, stream("group_id", "member_ids")),
    "reads.leaderboard GET": Rule(SELLER_READ, both(team_in("team"), group_in_query("group")), collection=True),
    "reads.pool_customers GET": read(OPEN_READ),
    "reads.ownership GET": read(SELLER_READ, customer_owner("customer_id")),
    "reads.Targets POST": write(COACHING, target_scope),
    "reads.projection_status GET": read({"admin": ALL, "auditor": ALL}),
    "reads.rebuild POST": write(ADMIN),
    "analytics.indicators GET": Rule({"admin": ALL, "hr": ALL, "auditor": ALL, "manager": TEAM}, team_in("team"),
                                     collection=True),  # managers name one of their teams; reps may not
    "imports.Imports POST": write(ADMIN),
    "notifications.notifications GET": Rule({"admin": ALL, "hr": ALL, "auditor": ALL, "manager": TEAM, "rep": SELF},
                                            recipient_in_query, collection=True),
    "notifications.mark_read POST": write({"admin": ALL, "hr": ALL, "manager": TEAM, "rep": SELF},
                                          notification_recipient("notification_id")),
}
_stream_reads(RULES, "org.team", read(OPEN_READ))
_stream_reads(RULES, "org.group", read(SELLER_READ, stream("id", "member_ids")))
_stream_reads(RULES, "org.rep", read(SELLER_READ, the_rep("id"), sensitive=True))  # holds personal details
_stream_reads(RULES, "reads.target", read(SELLER_READ, target_scope))
_stream_reads(RULES, "customers.customer", read(SELLER_READ, customer_owner("id")))
_stream_reads(RULES, "sales.follow-up", read(SELLER_READ, stream("id", "rep_id")))
_stream_reads(RULES, "sales.deal", read(SELLER_READ, stream("id", "rep_id", "splits")))
for _kind in ("score", "training", "complaint", "warning", "improvement-plan"):
    _stream_reads(RULES, f"performance.{_kind}", read(SELLER_READ, stream("id", "rep_id")))
_stream_reads(RULES, "contracts.contract", read(SELLER_READ, stream("id", "rep_id"), sensitive=True))
for _kind in ("kpi-scheme", "commission-plan", "pool-policy", "fx-rate"):
    _stream_reads(RULES, f"rules.{_kind}", read(OPEN_READ))
_stream_reads(RULES, "privacy.data-subject", read(STAFF_READ))
_stream_reads(RULES, "protection.protected-status", read(LEGAL, stream("id", "rep_id"), sensitive=True))  # health data
_stream_reads(RULES, "payouts.dispute", read(SELLER_READ, stream("id", "rep_id")))
_stream_reads(RULES, "payouts.payout-run", read({**STAFF_READ, "manager": TEAM}, stream("id", "lines"), sensitive=True))


def rule_for(endpoint: str | None, method: str) -> Rule | None:
    return RULES.get(f"{endpoint} {method}")


def _teams_of(app: LedgerApplication, reps: frozenset[UUID]) -> set[UUID | None]:
    teams: set[UUID | None] = set()
    for rep_id in reps:
        try:
            teams.add(app.load(Rep, rep_id).team_id)
        except NotFound:
            teams.add(None)  # an unknown rep is in nobody's team; the command itself reports it
    return teams


def in_scope(app: LedgerApplication, principal: Principal, scope: str, subjects: Subjects, writes: bool) -> bool:
    """Whether the subjects a request names lie within the principal's scope (ALL, TEAM or SELF) for a read or a
    write; the console's pages are decided by the same function."""
    if scope == ALL:
        return True
    if not subjects.reps and not subjects.teams:
        return subjects.pool or writes  # pool customers are visible to sellers; a write names its reps itself
    if scope == SELF and writes:  # decided without loading anything
        return subjects.reps == {principal.rep_id} and not subjects.teams
    own_team = _teams_of(app, frozenset({principal.rep_id})) if principal.rep_id else set()
    if scope == SELF:
        return principal.rep_id in subjects.reps or subjects.pool or bool(own_team & set(subjects.teams))
    per_rep = [team in principal.team_ids for team in _teams_of(app, subjects.reps)]
    per_rep += [team in principal.team_ids for team in subjects.teams]
    return all(per_rep) if writes else any(per_rep) or subjects.pool


def authorize(principal: Principal) -> Rule:
    """Decide the current request; raises Forbidden (403) or NotFound (404), else returns the rule."""
    rule = rule_for(request.endpoint, request.method)
    if rule is None or principal.role not in rule.scopes:
        raise Forbidden(f"the {principal.role} role may not {request.method} {request.path}")
    scope = rule.scopes[principal.role]
    if rule.subjects is None or (scope == ALL and not rule.sensitive):
        return rule
    data = request.get_json(silent=True) if rule.writes else None
    data = data if isinstance(data, dict) else {}
    app = ledger()
    subjects = rule.subjects(app, request.view_args or {}, data)
    g.subjects = subjects  # also names whose data a sensitive read concerns
    if rule.employee_only_for_rep and principal.role == "rep" and data.get("party") != "employee":
        raise Forbidden("a rep signs amendments as the employee only")
    if not in_scope(app, principal, scope, subjects, rule.writes):
        if rule.writes or rule.collection:
            raise Forbidden(f"outside the {principal.role} token's scope")
        raise NotFound("not found")
    return rule
