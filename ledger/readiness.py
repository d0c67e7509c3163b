"""Art. 40(2) readiness: is a dismissal for incompetence supported by the recorded facts, in the right order?

Labour Contract Law art. 40(2): an employer may end a contract when "the employee is incompetent and
remains incompetent after training or an adjustment of post", with 30 days' written notice or one
month's extra pay (art. 40), and never while an art. 42 protection applies. Pure: facts in, checklist out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"
NOTICE_DAYS = 30
LONG_SERVICE_YEARS = 15  # art. 42(5): 15+ years' service and within 5 years of statutory retirement
VALID_NOTICES = ("30_days", "pay_in_lieu")


@dataclass(frozen=True)
class Assessment:
    """A judgement of the rep's performance: a published scorecard, or an improvement plan's conclusion.

    `below` is None when it cannot be judged (no KPI scheme applied); `criteria` are the positions of
    the targets or goals the rep was told before the judged time ended."""

    position: int
    source: str  # "scorecard" or "plan"
    label: str  # period label or plan id
    judged_from: date  # the first day the assessment looks at (a remedy must not come later)
    recorded_on: date
    below: bool | None
    criteria: list[int] = field(default_factory=list)

    @property
    def finding(self) -> bool:
        """Documented incompetence: below the criteria, and the criteria were known in advance."""
        return bool(self.below) and bool(self.criteria)


@dataclass(frozen=True)
class Remedy:
    """Training completed or a change of post (art. 40(2): 培训或者调整工作岗位)."""

    position: int
    kind: str  # "training" or "post-change"
    on: date


@dataclass(frozen=True)
class Notice:
    """A contract termination as recorded: its ground, notice kind, the day it was given and the last day."""

    position: int
    ground: str
    notice: str
    given_on: date
    terminated_on: date


@dataclass(frozen=True)
class Protection:
    """An art. 42 protected status; `until` is the day it ended (or is expected to end), None if open."""

    position: int
    starts_on: date
    until: date | None
    ended_position: int | None = None

    def in_force(self, day: date) -> bool:
        return self.starts_on <= day and (self.until is None or day <= self.until)


@dataclass(frozen=True)
class Facts:
    """Everything the checklist looks at, each fact with the ledger position that proves it."""

    as_of: date
    hired_on: date | None = None
    assessments: list[Assessment] = field(default_factory=list)
    remedies: list[Remedy] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    protections: list[Protection] = field(default_factory=list)
    rankings: list[int] = field(default_factory=list)  # positions of bottom-ranking review flags
    communications: list[int] = field(default_factory=list)  # warnings issued, improvement plans started


LABELS = {
    "incompetence_documented": ("Incompetence documented against criteria told in advance", "不能胜任工作（依事先告知的标准考核）"),
    "remedy_after": ("Training or change of post afterwards", "其后经过培训或者调整工作岗位"),
    "incompetence_again": ("Still incompetent after the remedy", "培训或调岗后仍不能胜任工作"),
    "notice_or_pay_in_lieu": ("30 days' written notice or one month's pay in lieu", "提前三十日书面通知或者额外支付一个月工资"),
    "no_protected_status": ("No protected status (art. 42)", "不存在第四十二条规定的情形"),
}


def _item(key: str, status: str, positions: list[int], reason: str, supporting: list[int] | None = None) -> dict[str, Any]:
    label_en, label_zh = LABELS[key]
    return {"key": key, "label_en": label_en, "label_zh": label_zh, "status": status,
            "positions": sorted(set(positions)), "supporting": sorted(set(supporting or [])), "reason": reason}


def _first_finding(assessments: list[Assessment], after: int = 0, remedy_on: date | None = None) -> Assessment | None:
    for a in sorted(assessments, key=lambda a: a.position):
        if a.position > after and a.finding and (remedy_on is None or a.judged_from >= remedy_on):
            return a
    return None


def checklist(facts: Facts) -> dict[str, Any]:
    """The five art. 40(2) items in order, each met / not_met / unknown with its positions, and the ranking flag."""
    first = _first_finding(facts.assessments)
    items = [_documented(facts, first)]
    remedy = _remedy(facts, first, items)
    again = _again(facts, first, remedy, items)
    notice = _notice(facts, again, items)
    items.append(_protection(facts, notice))
    rankings = sorted(facts.rankings)
    ranking_only = bool(rankings) and first is None
    return {
        "items": items,
        "ranking_only": {"flag": ranking_only, "positions": rankings if ranking_only else [],
                         "reason": ("the only adverse evidence is a ranking (末位); a low rank is not incompetence "
                                    "under art. 40(2)") if ranking_only else ""},
        "ready": all(i["status"] == MET for i in items) and not ranking_only,
    }


def _documented(facts: Facts, first: Assessment | None) -> dict[str, Any]:
    if first is not None:
        told = [p for p in facts.communications if p > first.position]
        return _item("incompetence_documented", MET, [*first.criteria, first.position],
                     f"{first.source} {first.label} below the criteria told in advance", told)
    below = [a for a in facts.assessments if a.below]
    if below:
        return _item("incompetence_documented", NOT_MET, [], "below-target results exist, but no target was told "
                     "before the period ended", [a.position for a in below])
    if any(a.below is None for a in facts.assessments):
        return _item("incompetence_documented", UNKNOWN, [], "assessments exist that no KPI scheme scored",
                     [a.position for a in facts.assessments if a.below is None])
    return _item("incompetence_documented", NOT_MET, [], "no assessment below the criteria is recorded",
                 [a.position for a in facts.assessments])


def _remedy(facts: Facts, first: Assessment | None, items: list[dict[str, Any]]) -> Remedy | None:
    if first is None:
        items.append(_item("remedy_after", NOT_MET, [], "no documented incompetence for a remedy to follow",
                           [r.position for r in facts.remedies]))
        return None
    after = sorted((r for r in facts.remedies if r.position > first.position and r.on >= first.recorded_on),
                   key=lambda r: r.position)
    if not after:
        items.append(_item("remedy_after", NOT_MET, [], "no training or change of post after the incompetence was "
                           "documented", [r.position for r in facts.remedies]))
        return None
    items.append(_item("remedy_after", MET, [r.position for r in after], f"{after[0].kind} on {after[0].on}"))
    return after[0]


def _again(facts: Facts, first: Assessment | None, remedy: Remedy | None,
           items: list[dict[str, Any]]) -> Assessment | None:
    if first is None or remedy is None:
        items.append(_item("incompetence_again", NOT_MET, [], "no remedy for a later assessment to follow"))
        return None
    again = _first_finding(facts.assessments, remedy.position, remedy.on)
    if again is not None:
        items.append(_item("incompetence_again", MET, [*again.criteria, again.position],
                           f"{again.source} {again.label} still below the criteria"))
        return again
    later = [a for a in facts.assessments if a.position > remedy.position and a.judged_from >= remedy.on]
    if any(a.below is None for a in later):
        items.append(_item("incompetence_again", UNKNOWN, [], "a later assessment could not be scored",
                           [a.position for a in later]))
    elif later:
        items.append(_item("incompetence_again", NOT_MET, [], "assessments after the remedy do not show incompetence "
                           "against criteria told in advance", [a.position for a in later]))
    else:
        items.append(_item("incompetence_again", NOT_MET, [], "no assessment after the remedy yet"))
    return None


def _notice(facts: Facts, again: Assessment | None, items: list[dict[str, Any]]) -> Notice | None:
    key = "notice_or_pay_in_lieu"
    notices = sorted(facts.notices, key=lambda n: n.position)
    if not notices:
        items.append(_item(key, NOT_MET, [], "no termination notice recorded"))
        return None
    notice = notices[-1]
    if notice.ground != "art40_incompetence":
        items.append(_item(key, NOT_MET, [], f"the contract ended on ground {notice.ground}", [notice.position]))
    elif again is None or notice.position < again.position:
        items.append(_item(key, NOT_MET, [], "notice given before incompetence after the remedy was documented",
                           [notice.position]))
    elif notice.notice not in VALID_NOTICES:
        items.append(_item(key, NOT_MET, [], f"notice {notice.notice!r}: neither 30 days nor pay in lieu",
                           [notice.position]))
    elif notice.notice == "30_days" and notice.terminated_on < notice.given_on + timedelta(days=NOTICE_DAYS):
        items.append(_item(key, NOT_MET, [], f"only {(notice.terminated_on - notice.given_on).days} days between "
                           "notice and termination", [notice.position]))
    else:
        items.append(_item(key, MET, [notice.position], f"{notice.notice} given on {notice.given_on}, "
                           f"contract ends {notice.terminated_on}"))
    return notice


def _protection(facts: Facts, notice: Notice | None) -> dict[str, Any]:
    key = "no_protected_status"
    day = notice.given_on if notice is not None else facts.as_of
    in_force = [p for p in facts.protections if p.in_force(day) or (notice is not None and p.in_force(notice.terminated_on))]
    past = [p.position for p in facts.protections if p not in in_force]
    if in_force:
        return _item(key, NOT_MET, [p.position for p in in_force], f"a protected status is in force on {day}", past)
    if facts.hired_on is not None and _years(facts.hired_on, day) >= LONG_SERVICE_YEARS:
        return _item(key, UNKNOWN, [], f"{_years(facts.hired_on, day)} years' service: art. 42(5) protects those "
                     "within 5 years of retirement age, which the ledger does not record", past)
    return _item(key, MET, [], f"no protected status recorded in force on {day}", past)


def _years(start: date, end: date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))
