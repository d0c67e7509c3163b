"""Console pages decided by the API's own rules: each page names the API endpoint whose Rule governs it.

`permit` is api/policy.py's `authorize` for a named endpoint and explicit arguments (a page is not that
endpoint's URL): the same roles and scopes, 403 for a role the rule does not list, 404 for a subject outside
the scope (403 for listings). What it admits is noted in `g.rule`/`g.subjects`, so the app's
`audit_sensitive_read` records a sensitive page exactly as it records the API's sensitive reads.
"""

from __future__ import annotations

from typing import Any

from flask import g

from api.auth import Forbidden, Principal
from api.ext import ledger
from api.policy import ALL, Rule, Subjects, in_scope, rule_for
from ledger.errors import NotFound


def principal() -> Principal:
    found: Principal = g.principal
    return found


def role_may(endpoint: str) -> bool:
    """Whether the role may use the endpoint at all (for the menu); scopes are checked on the page."""
    rule = rule_for(endpoint, "GET")
    return rule is not None and principal().role in rule.scopes


def require_role(endpoint: str) -> None:
    """A page that lists its subjects itself (each row checked with `allows`) first needs the role admitted."""
    if not role_may(endpoint):
        raise Forbidden(f"the {principal().role} role may not open this page")


def permit(endpoint: str, **args: Any) -> Rule:
    """Decide a read of `endpoint` with path/query arguments `args`; raises Forbidden or NotFound."""
    who = principal()
    rule = rule_for(endpoint, "GET")
    if rule is None or who.role not in rule.scopes:
        raise Forbidden(f"the {who.role} role may not open this page")
    scope = rule.scopes[who.role]
    subjects = Subjects()
    if rule.subjects is not None and not (scope == ALL and not rule.sensitive):
        app = ledger()
        subjects = rule.subjects(app, args, {})
        if not in_scope(app, who, scope, subjects, False):
            if rule.collection:
                raise Forbidden(f"outside the {who.role} token's scope")
            raise NotFound("not found")
    _note(rule, subjects)
    return rule


def allows(endpoint: str, **args: Any) -> bool:
    """`permit` as a filter (for rows of a listing); notes what it admits like `permit`."""
    try:
        permit(endpoint, **args)
    except (Forbidden, NotFound):
        return False
    return True


def _note(rule: Rule, subjects: Subjects) -> None:
    """Remember the strictest rule a page used and every rep it showed, for the sensitive-read record."""
    earlier: Rule | None = g.get("rule")
    if earlier is None or (rule.sensitive and not earlier.sensitive):
        g.rule = rule
    seen: Subjects | None = g.get("subjects")
    g.subjects = Subjects(reps=(seen.reps if seen else frozenset()) | subjects.reps)
