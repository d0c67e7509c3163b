"""The generated history, step by step: organisation and rules, people joining and leaving, each day's work."""

from __future__ import annotations

import heapq
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from scripts.demo_steps import PLAN_RULES
from scripts.generate_world import CITIES, END, REGIONS, SCORE_INDICATORS, START, TRADES, World, money, person

PRODUCTS = [("CRM Standard", Decimal("12000")), ("CRM Pro", Decimal("36000")), ("Analytics add-on", Decimal("8000")),
            ("Implementation", Decimal("20000")), ("Support renewal", Decimal("6000"))]
FOLLOW_UP_KINDS = ["call"] * 5 + ["wechat"] * 3 + ["email"] * 2 + ["visit"] * 2 + ["meeting", "proposal", "demo"]
STAGES = ["lead"] * 4 + ["qualified"] * 3 + ["proposal"] * 2 + ["negotiation", "won", "lost"]
COURSES = ["谈判技巧 Negotiation", "产品培训 Product", "CRM hygiene", "Consultative selling", "合规 Compliance"]
INDICATORS = [{"key": "revenue", "dimension": "result", "weight": "40"},
              {"key": "repurchase_rate", "dimension": "result", "weight": "10"},
              {"key": "follow_ups", "dimension": "process", "weight": "25"},
              {"key": "product_knowledge", "dimension": "capability", "weight": "25"}]
NEW_HIRES = {"name": "new hires", "max_tenure_months": 6,
             "weights": {"revenue": "20", "repurchase_rate": "5", "follow_ups": "45", "product_knowledge": "30"}}


def organisation(w: World) -> None:
    """Teams, their reps (most hired before the window), rules, contracts and the customers already known."""
    for i in range(w.scale.teams):
        region = REGIONS[i % len(REGIONS)]
        team = w.id(f"team-{i}")
        w.sink.write("team", {"id": team, "name": f"{region[0]} {i // len(REGIONS) + 1}", "region": region[1]})
        w.teams.append(team)
    initial = w.scale.reps - w.scale.reps // 10  # a tenth join during the two years
    for i in range(initial):
        hired = START - timedelta(days=w.rng.randint(30, 8 * 365))
        onboard(w, i, w.teams[i % len(w.teams)], hired)
    rules(w)
    for _ in range(round(w.scale.customers * 0.6)):
        register(w)


def onboard(w: World, i: int, team: UUID, hired: date) -> None:
    rep, lead = w.id(f"rep-{i}"), w.lead_of.get(team)
    w.sink.write("rep", {"id": rep, "name": person(w.rng), "team_id": team, "hired_on": hired,
                         "post": "sales" if lead else "sales manager", **({"manager_id": lead} if lead else {})})
    w.lead_of.setdefault(team, rep)
    w.team_of[rep], w.hired[rep] = team, hired
    w.active.append(rep)
    if w.plan is not None:
        contract(w, rep)


def contract(w: World, rep: UUID) -> None:
    """The contract in force: open-ended after long service, else a 3-year term (renewed when it runs out)."""
    hired = w.hired[rep]
    starts = max(hired, hired + timedelta(days=3 * 365 * ((START - hired).days // (3 * 365))))
    open_ended = (START - hired).days > 6 * 365
    ends = None if open_ended else starts + timedelta(days=3 * 365 - 1)
    cid = w.id(f"contract-{rep}")
    w.sink.write("contract", {"id": cid, "rep_id": rep, "kind": "open_ended" if open_ended else "fixed_term",
                              "starts_on": starts, "ends_on": ends, "probation_months": 0 if starts > hired else 3,
                              "post": "sales", "base_pay_amount": money(Decimal(6000 + 500 * w.rng.randint(0, 12))),
                              "currency": "CNY", "commission_plan_id": w.plan,
                              "performance_clause": "KPI scorecard per quarter under the scheme in force"})
    w.contract_of[rep], w.contract_end[rep] = cid, ends
    if ends is not None and ends - timedelta(days=45) <= END:
        renewed_on = max(starts, ends - timedelta(days=45))
        w.schedule(max(renewed_on, START), "renewal", {"contract_id": cid, "new_ends_on": ends + timedelta(days=3 * 365),
                                                       "renewed_on": renewed_on})


def rules(w: World) -> None:
    scheme, plan = w.id("kpi"), w.id("plan")
    # Rules name the generated teams rather than the whole company, so that a generated organisation can be
    # imported beside others (a shared test ledger) without changing their rules.
    w.sink.write("kpi_scheme", {"id": scheme, "name": "Sales scorecard", "effective_from": START,
                                "indicators": INDICATORS, "cohorts": [NEW_HIRES], "team_ids": w.teams})
    revised = [{**i, "weight": {"revenue": "30", "repurchase_rate": "20"}.get(i["key"], i["weight"])} for i in INDICATORS]
    w.schedule(START + timedelta(days=365), "kpi_scheme_revision", {
        "scheme_id": scheme, "effective_from": START + timedelta(days=365), "indicators": revised,
        "cohorts": [NEW_HIRES], "reason": "repurchase rate drives annual sales"})
    w.sink.write("commission_plan", {"id": plan, "name": "Standard plan", "currency": "CNY", "effective_from": START,
                                     "rules": PLAN_RULES})
    w.plan = plan
    for team in w.teams:
        w.sink.write("plan_assignment", {"plan_id": plan, "scope": "team", "scope_id": team, "starts_on": START})
    w.cap = max(20, round(1.5 * w.scale.customers / w.scale.reps))
    for team in w.teams:
        w.sink.write("pool_policy", {"team_id": team, "effective_from": START, "max_customers": w.cap,
                                     "idle_days": 60, "no_deal_days": 180, "distribution": "open"}, events=2)
    for rep in list(w.active):
        contract(w, rep)


def register(w: World) -> None:
    i = w.customers
    w.customers += 1
    customer = w.id(f"customer-{i}")
    level = w.rng.choices("ABCD", weights=(10, 25, 40, 25))[0]
    w.sink.write("customer", {"id": customer, "name": f"{w.rng.choice(CITIES)}{w.rng.choice(TRADES)}有限公司 {i + 1:05d}",
                              "segment": w.rng.choice(["smb", "smb", "mid-market", "enterprise"]), "level": level,
                              "source": w.rng.choice(["trade show", "web", "referral", "cold call", "partner"]),
                              "region": REGIONS[i % len(REGIONS)][1]})
    w.to_pool(customer)


def month_start(w: World, day: date, scores_per_rep: int, training_chance: float) -> None:
    """Last month's manager scores, this month's trainings and exchange rates, quarterly targets."""
    last = day - timedelta(days=1)
    for rep in w.active:
        if w.hired[rep] > last.replace(day=1):
            continue
        for indicator in SCORE_INDICATORS[:scores_per_rep]:
            w.sink.write("score", {"rep_id": rep, "indicator": indicator, "value": str(w.rng.randint(55, 98)),
                                   "period": f"{last.year}-{last.month:02d}", "scorer": "manager"})
        chance = training_chance
        while chance > 0 and w.rng.random() < chance:  # more than one a month when the chance exceeds 1
            chance -= 1
            on = day + timedelta(days=w.rng.randint(3, 25))
            w.schedule(on, "training", {"rep_id": rep, "course": w.rng.choice(COURSES), "completed_on": on,
                                        "hours": str(w.rng.choice([2, 4, 8])), "provider": "Sales Academy"})
    for base, rate in (("USD", Decimal("7.10")), ("EUR", Decimal("7.75"))):
        moved = rate + Decimal(w.rng.randint(-150, 150)) / 1000
        w.sink.write("fx_rate", {"base": base, "quote": "CNY", "rate": str(moved), "on": day, "source": "PBOC"},
                     events=1 if base in w.opened_pairs else 2)
        w.opened_pairs.add(base)
    if day.month % 3 == 1:
        quarter = f"{day.year}-Q{(day.month - 1) // 3 + 1}"
        for rep in w.active:
            w.sink.write("target", {"scope": "rep", "scope_id": rep, "period": quarter, "indicator": "revenue",
                                    "value": money(Decimal(w.rng.randint(12, 30) * 10_000))})


def people(w: World, day: date, hires_left: int, days_left: int) -> int:
    """Now and then a rep joins, leaves (customers handed over, contract ended) or is promoted."""
    if hires_left and w.rng.random() < hires_left / max(1, days_left):
        onboard(w, w.scale.reps - hires_left, w.rng.choice(w.teams), day)
        hires_left -= 1
    if w.rng.random() < 0.05 * w.scale.reps / 730 and day < END - timedelta(days=30):
        leaving = [r for r in w.active if r not in w.lead_of.values() and w.hired[r] < day and len(w.mates(r)) >= 2]
        if leaving:
            depart(w, w.rng.choice(leaving), day)
    if w.rng.random() < 0.1 * w.scale.reps / 730:
        promote(w, w.rng.choice(w.active), day)
    return hires_left


def depart(w: World, rep: UUID, day: date) -> None:
    for customer in list(w.holdings.get(rep, [])):
        mate = w.rng.choice(w.mates(rep))
        if len(w.holdings.get(mate, [])) < w.cap:
            events = w.give(customer, mate)
            w.sink.write("assign", {"customer_id": customer, "rep_id": mate, "rule": "handover",
                                    "reason": "handover: the owner is leaving"}, events=1 + events)
        else:
            w.take_back(customer)
            w.sink.write("release", {"customer_id": customer, "reason": "owner left"}, events=2)
    end = w.contract_end[rep]
    if end is None or day <= end:
        w.sink.write("termination", {"contract_id": w.contract_of[rep], "terminated_on": day, "ground": "resignation",
                                     "notice": "none", "reason": "resigned"})
    w.sink.write("rep_leave", {"rep_id": rep, "left_on": day, "reason": "resigned"})
    w.active.remove(rep)
    w.later = [item for item in w.later if item[3].get("rep_id") != rep and
               item[3].get("contract_id") != w.contract_of[rep]]
    heapq.heapify(w.later)


def promote(w: World, rep: UUID, day: date) -> None:
    contract_id, end = w.contract_of[rep], w.contract_end[rep]
    effective = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    if (end is not None and effective > end) or any(item[3].get("contract_id") == contract_id for item in w.later):
        return
    amendment = w.id(f"amendment-{rep}-{day}")
    w.sink.write("amendment", {"contract_id": contract_id, "amendment_id": amendment, "effective_on": effective,
                               "changes": {"post": "senior sales", "base_pay_amount": money(Decimal(9000 + 500 * w.rng.randint(0, 8)))},
                               "proposed_by": "employer", "reason": "promotion"})
    w.sink.write("amendment_signature", {"contract_id": contract_id, "amendment_id": amendment, "party": "employer",
                                         "signer": "HR"})
    w.schedule(day + timedelta(days=w.rng.randint(1, 4)), "amendment_signature", {
        "contract_id": contract_id, "amendment_id": amendment, "party": "employee", "signer": "the rep"})


def work(w: World, day: date, budget: float) -> None:
    """One day of selling: mostly follow-ups, then claims, assignments and releases, deals and refunds. The
    budget (events) is rounded at random, so that days worth a fraction of an event still add up right."""
    budget = int(budget) + (w.rng.random() < budget - int(budget))
    spent, tries = 0, 0
    while spent < budget and w.active and tries < 20 * budget + 20:
        tries += 1
        roll, rep = w.rng.random(), w.rng.choice(w.active)
        mine = w.holdings.get(rep, [])
        if roll < 0.05 and w.pool and len(mine) < w.cap:
            customer = w.rng.choice(w.pool)
            events = 1 + w.give(customer, rep)
            w.sink.write("claim", {"customer_id": customer, "rep_id": rep}, events=events)
        elif roll < 0.07 and w.pool and len(mine) < w.cap:
            customer = w.rng.choice(w.pool)
            events = 1 + w.give(customer, rep)
            w.sink.write("assign", {"customer_id": customer, "rep_id": rep, "reason": "territory fit"}, events=events)
        elif roll < 0.085 and len(mine) > 5:
            customer = w.rng.choice(mine)
            w.take_back(customer)
            w.sink.write("release", {"customer_id": customer, "reason": "no budget this year"}, events=2)
            events = 2
        elif roll < 0.16 and mine:
            events = deal(w, rep, w.rng.choice(mine), day)
        elif mine:
            w.sink.write("follow_up", {"rep_id": rep, "customer_id": w.rng.choice(mine), "kind": w.rng.choice(FOLLOW_UP_KINDS),
                                       "stage": w.rng.choice(STAGES), "duration_minutes": w.rng.choice([5, 10, 15, 30, 60])})
            events = 1
        else:
            continue
        spent += events
    if w.rng.random() < 0.002 * budget:
        rep = w.rng.choice(w.active)
        warning = w.id(f"warning-{day}-{rep}")
        w.sink.write("warning", {"id": warning, "rep_id": rep, "level": w.rng.choice(["verbal", "written"]),
                                 "reason": "follow-ups below the team's standard", "issued_by": "manager"})
        w.schedule(day + timedelta(days=2), "warning_acknowledgement", {"warning_id": warning, "acknowledged_on": day + timedelta(days=2)})


def deal(w: World, rep: UUID, customer: UUID, day: date) -> int:
    product, price = w.rng.choice(PRODUCTS)
    amount, currency = price * Decimal(w.rng.choice([80, 90, 100, 110, 125])) / 100, "CNY"
    if w.rng.random() < 0.05:
        amount, currency = amount / Decimal(7), "USD"
    deal_id = w.id(f"deal-{w.sink.rows}")
    data: dict[str, Any] = {"id": deal_id, "rep_id": rep, "customer_id": customer, "amount": money(amount),
                            "currency": currency, "product": product, "closed_on": day,
                            "customer_type": "existing" if customer in w.bought else "new"}
    mates = w.mates(rep) if w.rng.random() < 0.1 else []
    if mates:
        data["splits"] = [{"rep_id": rep, "share": "60"}, {"rep_id": w.rng.choice(mates), "share": "40"}]
    w.sink.write("deal", data)
    w.bought.add(customer)
    if w.rng.random() < 0.05:
        full = w.rng.random() < 0.4
        w.schedule(day + timedelta(days=w.rng.randint(7, 60)), "deal_reversal", {
            "deal_id": deal_id, "kind": "cancellation" if full else "refund", "currency": currency,
            "amount": money(Decimal(data["amount"]) if full else Decimal(data["amount"]) / 2),
            "reason": "contract cancelled" if full else "customer downsized"})
    return 1
