"""Art. 40(2) checklist: each item met, not met or unknown, with the positions that prove it; order matters."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from ledger.readiness import Assessment, Facts, Notice, Protection, Remedy, checklist


def scorecard(position: int, period_start: date, below: bool | None, criteria: list[int], recorded: date) -> Assessment:
    return Assessment(position=position, source="scorecard", label=period_start.isoformat()[:7],
                      judged_from=period_start, recorded_on=recorded, below=below, criteria=criteria)


TARGET_MARCH, MARCH = 10, scorecard(20, date(2026, 3, 1), True, [10], date(2026, 4, 1))
WARNING, TRAINING = 25, Remedy(30, "training", date(2026, 4, 20))
TARGET_MAY, MAY = 40, scorecard(50, date(2026, 5, 1), True, [40], date(2026, 6, 1))
NOTICE = Notice(60, "art40_incompetence", "30_days", date(2026, 6, 5), date(2026, 7, 10))
COMPLETE = Facts(as_of=date(2026, 7, 1), hired_on=date(2024, 1, 15), assessments=[MARCH, MAY], remedies=[TRAINING],
                 notices=[NOTICE], communications=[WARNING])


def items(facts: Facts) -> dict[str, dict[str, object]]:
    return {item["key"]: item for item in checklist(facts)["items"]}


def statuses(facts: Facts) -> dict[str, object]:
    return {key: item["status"] for key, item in items(facts).items()}


def test_a_complete_record_in_order_meets_every_item_with_its_positions() -> None:
    result = checklist(COMPLETE)
    found = {i["key"]: i for i in result["items"]}
    assert [i["key"] for i in result["items"]] == ["incompetence_documented", "remedy_after", "incompetence_again",
                                                   "notice_or_pay_in_lieu", "no_protected_status"]
    assert found["incompetence_documented"]["positions"] == [10, 20]
    assert found["incompetence_documented"]["supporting"] == [25]
    assert found["remedy_after"]["positions"] == [30]
    assert found["incompetence_again"]["positions"] == [40, 50]
    assert found["notice_or_pay_in_lieu"]["positions"] == [60]
    assert found["no_protected_status"] == {**found["no_protected_status"], "status": "met", "positions": []}
    assert result["ready"] is True and result["ranking_only"]["flag"] is False


def test_a_below_target_result_without_a_target_told_in_advance_documents_nothing() -> None:
    facts = replace(COMPLETE, assessments=[replace(MARCH, criteria=[]), replace(MAY, criteria=[])])
    found = items(facts)["incompetence_documented"]
    assert found["status"] == "not_met" and found["supporting"] == [20, 50]
    assert statuses(facts)["remedy_after"] == "not_met"
    assert checklist(facts)["ready"] is False


def test_an_unscored_assessment_leaves_incompetence_unknown() -> None:
    facts = Facts(as_of=date(2026, 7, 1), assessments=[replace(MARCH, below=None)])
    assert items(facts)["incompetence_documented"]["status"] == "unknown"


def test_training_before_the_finding_is_no_remedy() -> None:
    early = Remedy(15, "training", date(2026, 3, 20))
    found = items(replace(COMPLETE, remedies=[early]))
    assert found["remedy_after"]["status"] == "not_met" and found["remedy_after"]["supporting"] == [15]
    assert found["incompetence_again"]["status"] == "not_met"


def test_a_change_of_post_counts_as_the_remedy() -> None:
    post = Remedy(30, "post-change", date(2026, 4, 15))
    found = items(replace(COMPLETE, remedies=[post]))
    assert found["remedy_after"]["status"] == "met" and found["remedy_after"]["positions"] == [30]


def test_a_period_that_began_before_the_training_does_not_show_incompetence_again() -> None:
    april = scorecard(35, date(2026, 4, 1), True, [33], date(2026, 5, 1))
    found = items(replace(COMPLETE, assessments=[MARCH, april]))
    assert found["incompetence_again"]["status"] == "not_met"
    assert found["incompetence_again"]["reason"] == "no assessment after the remedy yet"


def test_meeting_the_target_after_training_means_not_incompetent_again() -> None:
    facts = replace(COMPLETE, assessments=[MARCH, replace(MAY, below=False)])
    found = items(facts)["incompetence_again"]
    assert found["status"] == "not_met" and found["supporting"] == [50]
    assert items(replace(COMPLETE, assessments=[MARCH, replace(MAY, below=None)]))["incompetence_again"]["status"] \
        == "unknown"


def test_an_improvement_plan_concluded_not_met_after_training_is_incompetence_again() -> None:
    plan = Assessment(position=45, source="plan", label="plan", judged_from=date(2026, 5, 31),
                      recorded_on=date(2026, 5, 31), below=True, criteria=[22])
    found = items(replace(COMPLETE, assessments=[MARCH, plan]))
    assert found["incompetence_again"]["status"] == "met" and found["incompetence_again"]["positions"] == [22, 45]


def test_notice_must_follow_the_second_finding_and_give_thirty_days_or_pay() -> None:
    assert items(replace(COMPLETE, notices=[]))["notice_or_pay_in_lieu"]["status"] == "not_met"
    short = replace(NOTICE, terminated_on=date(2026, 6, 20))
    assert "15 days" in items(replace(COMPLETE, notices=[short]))["notice_or_pay_in_lieu"]["reason"]
    assert items(replace(COMPLETE, notices=[replace(NOTICE, notice="none")]))["notice_or_pay_in_lieu"]["status"] == "not_met"
    assert items(replace(COMPLETE, notices=[replace(NOTICE, ground="mutual")]))["notice_or_pay_in_lieu"]["status"] == "not_met"
    early = replace(NOTICE, position=45)
    assert items(replace(COMPLETE, notices=[early]))["notice_or_pay_in_lieu"]["status"] == "not_met"
    in_lieu = replace(NOTICE, notice="pay_in_lieu", terminated_on=NOTICE.given_on)
    assert items(replace(COMPLETE, notices=[in_lieu]))["notice_or_pay_in_lieu"]["status"] == "met"


def test_a_protected_status_in_force_at_notice_bars_dismissal() -> None:
    pregnancy = Protection(55, date(2026, 5, 20), None)
    found = items(replace(COMPLETE, protections=[pregnancy]))["no_protected_status"]
    assert found["status"] == "not_met" and found["positions"] == [55]
    ended = Protection(55, date(2026, 1, 5), date(2026, 3, 1), ended_position=58)
    found = items(replace(COMPLETE, protections=[ended]))["no_protected_status"]
    assert found["status"] == "met" and found["supporting"] == [55]
    during_notice = Protection(62, date(2026, 7, 1), date(2026, 12, 31))
    assert items(replace(COMPLETE, protections=[during_notice]))["no_protected_status"]["status"] == "not_met"


def test_fifteen_years_of_service_leaves_protection_unknown() -> None:
    found = items(replace(COMPLETE, hired_on=date(2011, 6, 1)))["no_protected_status"]
    assert found["status"] == "unknown" and "15 years" in found["reason"]
    assert checklist(replace(COMPLETE, hired_on=date(2011, 6, 1)))["ready"] is False


def test_a_ranking_without_any_finding_is_flagged_as_ranking_only() -> None:
    facts = Facts(as_of=date(2026, 7, 1), hired_on=date(2024, 1, 15),
                  assessments=[scorecard(20, date(2026, 3, 1), False, [10], date(2026, 4, 1))], rankings=[70, 71])
    result = checklist(facts)
    assert result["ranking_only"]["flag"] is True and result["ranking_only"]["positions"] == [70, 71]
    assert [i["status"] for i in result["items"]] == ["not_met", "not_met", "not_met", "not_met", "met"]
    assert result["ready"] is False
    assert checklist(replace(COMPLETE, rankings=[70]))["ranking_only"]["flag"] is False  # a finding exists
