"""Mixed load over real HTTP for the soak and the fault tests: writes retry with their Idempotency-Key until answered."""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Callable
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen
from uuid import uuid4

PROBLEM_JSON = "application/problem+json"
RETRY = frozenset({0, 429, 502, 503, 504})  # 0: no answer (refused, reset, timed out)


@dataclass(frozen=True)
class Answer:
    """One HTTP exchange as the client saw it."""

    method: str
    path: str
    status: int
    content_type: str
    retry_after: str | None
    body: bytes
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def code(self) -> str:
        """The problem's `code` (e.g. idempotency-key-in-use), or ''."""
        if self.content_type != PROBLEM_JSON:
            return ""
        return str(self.json().get("code", ""))


@dataclass
class Tally:
    """Everything the clients saw, shared between their threads."""

    statuses: Counter[int] = field(default_factory=Counter)
    acknowledged: list[str] = field(default_factory=list)  # Idempotency-Keys of writes answered 2xx
    issued: list[str] = field(default_factory=list)
    refused: int = 0
    reads: int = 0
    retries: int = 0
    slowest: float = 0.0
    bad: list[str] = field(default_factory=list)  # contract breaches: 5xx other than 503, errors not problem+json
    lock: threading.Lock = field(default_factory=threading.Lock)

    def saw(self, answer: Answer) -> None:
        with self.lock:
            self.statuses[answer.status] += 1
            self.slowest = max(self.slowest, answer.seconds)
            if answer.status >= 500 and answer.status != 503:
                self.bad.append(f"{answer.status} on {answer.method} {answer.path}: {answer.body[:200]!r}")
            elif answer.status >= 400 and answer.content_type != PROBLEM_JSON and answer.path.startswith("/api/"):
                self.bad.append(f"{answer.status} without problem+json on {answer.method} {answer.path}")
            elif answer.status == 503 and not answer.retry_after:
                self.bad.append(f"503 without Retry-After on {answer.method} {answer.path}")


class Client:
    """A bearer-token client; `observe` sees every exchange, retried ones included."""

    def __init__(self, url: str, token: str, *, timeout: float = 30.0,
                 observe: Callable[[Answer], None] | None = None) -> None:
        self.url, self.token, self.timeout, self.observe = url.rstrip("/"), token, timeout, observe

    def once(self, method: str, path: str, body: Any = None, key: str | None = None, *, raw: bytes | None = None,
             content_type: str = "application/json") -> Answer:
        """One exchange: JSON `body` with an Idempotency-Key, or `raw` bytes (a file) as they are."""
        headers = {"Authorization": f"Bearer {self.token}"}
        data = None
        if raw is not None:
            headers["Content-Type"], data = content_type, raw
        elif method == "POST":
            headers.update({"Content-Type": "application/json", "Idempotency-Key": key or str(uuid4())})
            data = json.dumps(body if body is not None else {}).encode()
        started = time.monotonic()
        request = Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urlopen(request, timeout=self.timeout) as response:
                answer = Answer(method, path, response.status, response.headers.get_content_type(),
                                response.headers.get("Retry-After"), response.read(), time.monotonic() - started)
        except HTTPError as error:
            with error:
                answer = Answer(method, path, error.code, error.headers.get_content_type(),
                                error.headers.get("Retry-After"), error.read(), time.monotonic() - started)
        except (URLError, ConnectionError, TimeoutError, OSError) as error:
            answer = Answer(method, path, 0, "", None, str(error).encode(), time.monotonic() - started)
        if self.observe:
            self.observe(answer)
        return answer

    def until_answered(self, method: str, path: str, body: Any = None, key: str | None = None, *,
                       give_up_after: float = 300.0, on_retry: Callable[[], None] | None = None) -> Answer:
        """Repeat the same request (same key, same body) while the answer is "try again"."""
        deadline = time.monotonic() + give_up_after
        pause = 0.1
        while True:
            answer = self.once(method, path, body, key)
            again = answer.status in RETRY or answer.code == "idempotency-key-in-use"
            if not again or time.monotonic() > deadline:
                return answer
            if on_retry:
                on_retry()
            wait = float(answer.retry_after) if answer.retry_after and answer.retry_after.isdigit() else pause
            time.sleep(min(wait, 2.0))
            pause = min(pause * 2, 2.0)


@dataclass
class World:
    """The records one load run works on; lists grow as clients create customers and deals."""

    team_id: str
    rep_ids: list[str]
    customer_ids: list[str] = field(default_factory=list)
    deal_ids: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def pick(self, rng: random.Random, items: list[str]) -> str | None:
        with self.lock:
            return rng.choice(items) if items else None

    def add(self, items: list[str], item: str) -> None:
        with self.lock:
            items.append(item)


def setup_world(client: Client, tag: str, reps: int = 6) -> World:
    """A team and its reps, created through the API like any client would."""
    def made(path: str, body: dict[str, Any]) -> str:
        answer = client.until_answered("POST", path, body, f"{tag}-setup-{uuid4()}")
        if answer.status != 201:
            raise RuntimeError(f"setting up the load failed: {answer.status} {answer.body[:300]!r}")
        return str(answer.json()["id"])

    team = made("/api/v1/teams", {"name": f"load-{tag}", "region": "east"})
    rep_ids = [made("/api/v1/reps", {"name": f"Load Rep {n}", "team_id": team, "hired_on": "2025-01-06"})
               for n in range(reps)]
    world = World(team, rep_ids)
    for n in range(reps * 2):
        world.customer_ids.append(made("/api/v1/customers", {"name": f"load-{tag}-seed-{n}", "level": "B"}))
    return world


def next_write(rng: random.Random, world: World, tag: str) -> tuple[str, dict[str, Any], str] | None:
    """A random command of the mix as (path, body, what it creates: 'customer', 'deal' or '')."""
    rep = world.pick(rng, world.rep_ids)
    customer = world.pick(rng, world.customer_ids)
    day = (date(2026, 1, 5) + timedelta(days=rng.randrange(300))).isoformat()
    roll = rng.random()
    if roll < 0.18 or customer is None:
        return "/api/v1/customers", {"name": f"load-{tag}-{uuid4().hex[:10]}", "level": rng.choice("ABCD")}, "customer"
    if roll < 0.33:
        return f"/api/v1/customers/{customer}/claim", {"rep_id": rep}, ""
    if roll < 0.38:
        return f"/api/v1/customers/{customer}/release", {"reason": "load"}, ""
    if roll < 0.58:
        return "/api/v1/follow-ups", {"rep_id": rep, "customer_id": customer, "kind": rng.choice(["call", "visit"]),
                                      "stage": "lead"}, ""
    if roll < 0.76:
        amount = f"{rng.randrange(100, 90000)}.{rng.randrange(100):02d}"
        return "/api/v1/deals", {"rep_id": rep, "customer_id": customer, "amount": amount, "currency": "CNY",
                                 "product": "CRM", "customer_type": rng.choice(["new", "existing"]),
                                 "closed_on": day}, "deal"
    deal = world.pick(rng, world.deal_ids)
    if roll < 0.84 and deal is not None:
        return f"/api/v1/deals/{deal}/reverse", {"kind": "refund", "reason": "load", "amount": "1.00",
                                                  "currency": "CNY"}, ""
    return "/api/v1/scores", {"rep_id": rep, "indicator": "skill", "value": str(rng.randrange(40, 100)),
                              "period": "2026-Q3"}, ""


def next_read(rng: random.Random, world: World, head: int) -> str:
    """A random read: scorecards and leaderboards now or as of a past position, ownership, the feed."""
    rep = world.pick(rng, world.rep_ids)
    customer = world.pick(rng, world.customer_ids)
    as_of = f"&as_of={rng.randrange(1, head + 1)}" if head and rng.random() < 0.5 else ""
    choices = [f"/api/v1/reps/{rep}/scorecard?period=2026-Q3{as_of}",
               f"/api/v1/leaderboard?period=2026-Q3&team={world.team_id}{as_of}",
               f"/api/v1/customers/{customer}/ownership", f"/api/v1/reps/{rep}/holdings",
               f"/api/v1/events?after={max(0, head - 50)}&limit=50", f"/api/v1/customers/{customer}"]
    return rng.choice(choices)


def drive(client: Client, world: World, tally: Tally, tag: str, stop: threading.Event, *, seed: int,
          read_share: float = 0.3, pause: float = 0.0) -> None:
    """One client's loop until `stop`: the write in progress is always carried through to a definite answer."""
    rng = random.Random(seed)
    head = 0
    while not stop.is_set():
        if rng.random() < read_share:
            answer = client.until_answered("GET", next_read(rng, world, head), give_up_after=60)
            with tally.lock:
                tally.reads += 1
            if answer.status == 200 and answer.path.startswith("/api/v1/events"):
                head = int(answer.json()["head"])
        else:
            command = next_write(rng, world, tag)
            if command is None:
                continue
            path, body, creates = command
            key = f"{tag}-{uuid4()}"
            with tally.lock:
                tally.issued.append(key)
            answer = client.until_answered("POST", path, body, key, on_retry=lambda: _count_retry(tally))
            if 200 <= answer.status < 300:
                with tally.lock:
                    tally.acknowledged.append(key)
                if creates == "customer":
                    world.add(world.customer_ids, str(answer.json()["id"]))
                elif creates == "deal":
                    world.add(world.deal_ids, str(answer.json()["id"]))
            elif 400 <= answer.status < 500:
                with tally.lock:
                    tally.refused += 1
        if pause:
            time.sleep(pause)


def _count_retry(tally: Tally) -> None:
    with tally.lock:
        tally.retries += 1


def start_clients(url: str, token: str, world: World, tally: Tally, tag: str, stop: threading.Event, *,
                  clients: int = 4, seed: int = 7, timeout: float = 30.0, pause: float = 0.0) -> list[threading.Thread]:
    threads = [threading.Thread(target=drive, name=f"load-{n}", daemon=True,
                                args=(Client(url, token, timeout=timeout, observe=tally.saw), world, tally, tag, stop),
                                kwargs={"seed": seed * 1000 + n, "pause": pause})
               for n in range(clients)]
    for thread in threads:
        thread.start()
    return threads


def read_feed(client: Client, after: int = 0) -> list[dict[str, Any]]:
    """Every event after a position through the auditors' feed, page by page."""
    events: list[dict[str, Any]] = []
    while True:
        answer = client.until_answered("GET", f"/api/v1/events?after={after}&limit=1000", give_up_after=120)
        if answer.status != 200:
            raise RuntimeError(f"reading the feed failed: {answer.status} {answer.body[:300]!r}")
        page = answer.json()
        events += page["events"]
        if page["next_after"] >= page["head"]:  # caught up (each read of the feed adds an access record)
            return events
        after = page["next_after"]
