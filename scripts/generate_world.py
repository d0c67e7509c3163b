"""The generated organisation: its scale, its people and customers, and the rows that set it up."""

from __future__ import annotations

import heapq
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import IO, Any
from uuid import NAMESPACE_URL, UUID, uuid5

START, END = date(2024, 11, 1), date(2026, 10, 31)
REGIONS = [("华东 East", "east"), ("华北 North", "north"), ("华南 South", "south"), ("西部 West", "west"),
           ("华中 Central", "central")]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰飞鹏宇浩凯佳欣怡晨阳"
CITIES = ["苏州", "杭州", "宁波", "无锡", "南京", "合肥", "济南", "青岛", "天津", "石家庄", "广州", "深圳", "东莞",
          "佛山", "厦门", "成都", "重庆", "西安", "武汉", "长沙"]
TRADES = ["制造", "科技", "贸易", "物流", "医药", "食品", "建材", "电子", "纺织", "化工"]
SCORE_INDICATORS = ["product_knowledge", "communication", "teamwork", "discipline", "customer_focus", "planning"]


def generated_id(seed: int, name: str) -> UUID:
    """Ids of the generated records: the same seed names the same records."""
    return uuid5(NAMESPACE_URL, f"urn:sales-ledger:generated:{seed}:{name}")


def money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def plain(value: Any) -> Any:
    """JSON-ready: decimals as strings (exact), dates as ISO text, ids as text."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, (Decimal, UUID, date)):
        return str(value) if not isinstance(value, date) else value.isoformat()
    return value


@dataclass(frozen=True)
class Scale:
    """500 reps in 40 teams and 50,000 customers at a million events, in proportion below (at least 2 teams)."""

    teams: int
    reps: int
    customers: int

    @classmethod
    def for_events(cls, events: int) -> Scale:
        share = events / 1_000_000
        teams = max(2, round(40 * share))
        reps = max(2 * teams, round(500 * share))
        return cls(teams, reps, max(10 * reps, round(50_000 * share)))


class Sink:
    """Writes rows in order, stamps business time in order, and counts the events each row will record."""

    def __init__(self, out: IO[str], target: int) -> None:
        self.out, self.target = out, target
        self.rows, self.events, self.kinds = 0, 0, Counter[str]()
        self.day, self.second, self.step = START, 6 * 3600, 1  # the organisation is set up before work starts

    def morning(self, day: date, rows_expected: float) -> None:
        """A new business day: rows of the day are spread from 08:00 over the working hours."""
        if day != self.day:
            self.day, self.second = day, 8 * 3600
        self.step = max(1, min(60, int(12 * 3600 / max(1.0, rows_expected * 1.3))))

    def at(self) -> str:
        self.second = min(self.second + self.step, 24 * 3600 - 1)  # never past midnight: the order holds
        moment = datetime.combine(self.day, time(), tzinfo=timezone.utc) + timedelta(seconds=self.second)
        return moment.isoformat().replace("+00:00", "Z")

    def write(self, kind: str, data: dict[str, Any], events: int = 1) -> None:
        body = plain({**data, "occurred_at": self.at()})
        self.out.write(json.dumps({"type": kind, "data": body}, ensure_ascii=False, separators=(",", ":")) + "\n")
        self.rows, self.events = self.rows + 1, self.events + events
        self.kinds[kind] += 1


@dataclass
class World:
    """What the generator knows of the ledger it is writing, so that every row it writes is valid."""

    seed: int
    scale: Scale
    rng: random.Random
    sink: Sink
    teams: list[UUID] = field(default_factory=list)
    team_of: dict[UUID, UUID] = field(default_factory=dict)
    lead_of: dict[UUID, UUID] = field(default_factory=dict)  # team -> its manager (never leaves)
    hired: dict[UUID, date] = field(default_factory=dict)
    active: list[UUID] = field(default_factory=list)
    contract_of: dict[UUID, UUID] = field(default_factory=dict)
    contract_end: dict[UUID, date | None] = field(default_factory=dict)  # by rep: the current term's last day
    holdings: dict[UUID, list[UUID]] = field(default_factory=dict)  # reps whose Holdings stream is open
    owner: dict[UUID, UUID] = field(default_factory=dict)
    pool: list[UUID] = field(default_factory=list)
    pool_at: dict[UUID, int] = field(default_factory=dict)
    customers: int = 0
    bought: set[UUID] = field(default_factory=set)
    opened_pairs: set[str] = field(default_factory=set)
    plan: UUID | None = None
    cap: int = 0
    later: list[tuple[date, int, str, dict[str, Any], int]] = field(default_factory=list)
    counter: int = 0

    def id(self, name: str) -> UUID:
        return generated_id(self.seed, name)

    def schedule(self, day: date, kind: str, data: dict[str, Any], events: int = 1) -> None:
        """A row for a later day (a refund, the second signature); dropped if it falls after the window."""
        if day <= END:
            self.counter += 1
            heapq.heappush(self.later, (day, self.counter, kind, data, events))

    def write_due(self, day: date) -> None:
        """The rows scheduled for this day; a renewal moves the end of its contract's term."""
        while self.later and self.later[0][0] <= day:
            _, _, kind, data, events = heapq.heappop(self.later)
            self.sink.write(kind, data, events)
            if kind == "renewal":
                rep = next(r for r, c in self.contract_of.items() if c == data["contract_id"])
                self.contract_end[rep] = data["new_ends_on"]

    # -- the pool ---------------------------------------------------------------------------------

    def to_pool(self, customer: UUID) -> None:
        self.pool_at[customer] = len(self.pool)
        self.pool.append(customer)

    def from_pool(self, customer: UUID) -> None:
        index, last = self.pool_at.pop(customer), self.pool.pop()
        if last != customer:
            self.pool[index], self.pool_at[last] = last, index

    def give(self, customer: UUID, rep: UUID) -> int:
        """Record in the model that `rep` now holds `customer`; the events this adds besides the customer's
        own (Holdings.Taken, Holdings.Opened the first time, Holdings.Given by a previous owner)."""
        events = 1
        previous = self.owner.get(customer)
        if previous is not None:
            self.holdings[previous].remove(customer)
            events += 1
        else:
            self.from_pool(customer)
        if rep not in self.holdings:
            self.holdings[rep] = []
            events += 1
        self.holdings[rep].append(customer)
        self.owner[customer] = rep
        return events

    def take_back(self, customer: UUID) -> None:
        rep = self.owner.pop(customer)
        self.holdings[rep].remove(customer)
        self.to_pool(customer)

    def mates(self, rep: UUID) -> list[UUID]:
        return [r for r in self.active if r != rep and self.team_of[r] == self.team_of[rep]]


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
