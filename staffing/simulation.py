"""A discrete-event simulation (SimPy) of the platform's queue, replaying its routing rules.

The rules are chat/services/queue.py's `do_dispatch`, one for one:
- waiting youths in order of priority (higher first), then of `queued_at` (first come); a youth at
  crisis level (priority >= 3 here: risk level 3 or more) is served before everyone else;
- a youth goes to a counselor on duty who serves the topic and holds fewer chats than their
  capacity (`max_concurrent`), the least loaded first, ties to the one assigned longest ago;
- after a transfer, the conversation goes back to the front of its queue (`queued_at` = its
  request) and to someone other than the counselor who handed it over, if anyone can take it;
- dispatch runs after every event that can make a pair: a request, an end, a transfer, a
  counselor coming on duty.

What the platform does not decide is drawn: arrivals (Poisson, rate per hour and topic), each
youth's patience (exponential; who leaves the queue leaves), each chat's work (seconds it would
last if held alone; exponential, or drawn from the platform's measured durations), whether it is
transferred. The slowdown of chats held together acts in one of two ways: `slowdown_at="always"`,
the analytic model's assumption (staffing/queueing.py: a counselor holding j chats works on each at
1 / (1 + slowdown * (j - 1)) of the pace of one held alone, as j changes), or `"assignment"`, what
the inputs measure (staffing/inputs.py: a chat lasts its work times 1 + slowdown * (j - 1), j the
chats its counselor held once it began), used to replay the history. Off duty at the end of their
hour, a counselor finishes what they hold and takes nothing new. Deterministic from `seed`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import simpy

from staffing.queueing import Handling

HOUR_S = 3600.0
CRISIS_PRIORITY = 3


@dataclass(slots=True)
class Youth:
    id: int
    topic: str
    requested_at: float
    priority: int
    patience_s: float
    work_s: float
    transfer: bool
    queued_at: float = 0.0
    transferred_from: int | None = None
    answered_at: float | None = None
    left_at: float | None = None
    served: simpy.Event | None = None


@dataclass(slots=True)
class Counselor:
    id: int
    topics: frozenset[str]
    capacity: int
    on_duty: bool = False
    last_assigned_at: float = -math.inf
    chats: dict[int, float] = field(default_factory=dict)  # youth id -> work left (alone-seconds)
    changed: simpy.Event | None = None


@dataclass(slots=True)
class HourFigures:
    """What happened to the youths who asked in one hour (by topic), and the slots held."""

    requested: int = 0
    answered: int = 0
    abandoned: int = 0
    answered_within: int = 0
    wait_within: int = 0
    crisis: int = 0
    crisis_answered_within: int = 0
    wait_sum_s: float = 0.0
    held_s: float = 0.0  # chat-seconds held by counselors of the topic during the hour
    slot_s: float = 0.0  # slot-seconds on duty

    def add(self, other: HourFigures) -> None:
        for name in self.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(slots=True)
class SimResult:
    figures: dict[tuple[str, int], HourFigures]  # (topic, hour index) -> figures

    def total(self, topics: Sequence[str] | None = None, hours: Sequence[int] | None = None) -> HourFigures:
        out = HourFigures()
        for (topic, hour), f in self.figures.items():
            if (topics is None or topic in topics) and (hours is None or hour in hours):
                out.add(f)
        return out


WorkDraw = Callable[[np.random.Generator, str, int], float]


def exponential_work(handling: Mapping[str, Handling]) -> WorkDraw:
    return lambda rng, topic, _n: float(rng.exponential(handling[topic].mean_s))


def empirical_work(samples: Mapping[str, np.ndarray]) -> WorkDraw:
    """Resample the platform's own durations (normalised to one chat held alone)."""
    return lambda rng, topic, _n: float(samples[topic][rng.integers(len(samples[topic]))])


def simulate(
    *,
    rates: Mapping[str, Sequence[float]],
    roster: Mapping[str, Sequence[int]],
    handling: Mapping[str, Handling],
    patience_s: Mapping[str, float],
    crisis_share: Mapping[str, float],
    transfer_share: float = 0.0,
    within_s: float = 60.0,
    crisis_within_s: float = 30.0,
    warmup_hours: int = 6,
    seed: int = 12355,
    work: WorkDraw | None = None,
    slowdown_at: str = "always",
    arrivals: Sequence[tuple[float, str, bool]] | None = None,
) -> SimResult:
    """Run `len(rates[t])` hours (arrivals per hour, counselors on duty per hour, by topic), after
    `warmup_hours` of the same pattern's last hours (so hour 0 does not start empty). Figures are
    of youths who asked in the counted hours; each topic's counselors serve that topic only (the
    roster is per topic). `arrivals` (seconds from hour 0, topic, at risk), when given, replays
    those requests instead of drawing them (a history's own): `rates` then only sets the length."""
    rng = np.random.default_rng(seed)
    topics = list(rates)
    hours = len(next(iter(rates.values())))
    draw = work or exponential_work(handling)
    env = simpy.Environment()
    counselors: list[Counselor] = []
    by_topic: dict[str, list[Counselor]] = {}
    for topic in topics:
        crew = [
            Counselor(id=len(counselors) + i, topics=frozenset([topic]), capacity=handling[topic].capacity)
            for i in range(max(roster[topic], default=0))
        ]
        counselors += crew
        by_topic[topic] = crew
    waiting: list[Youth] = []
    figures: dict[tuple[str, int], HourFigures] = {(t, h): HourFigures() for t in topics for h in range(hours)}
    start = warmup_hours * HOUR_S

    def hour_of(moment: float) -> int | None:
        if moment < start:
            return None
        return min(hours - 1, int((moment - start) // HOUR_S))

    def figures_of(youth: Youth) -> HourFigures | None:
        hour = hour_of(youth.requested_at)
        return None if hour is None else figures[(youth.topic, hour)]

    def dispatch() -> None:
        waiting.sort(key=lambda y: (-y.priority, y.queued_at, y.id))
        loads = {c.id: len(c.chats) for c in counselors}
        for youth in list(waiting):
            candidates = [
                c for c in by_topic[youth.topic] if c.on_duty and youth.topic in c.topics and loads[c.id] < c.capacity
            ]
            candidates = [c for c in candidates if c.id != youth.transferred_from] or candidates
            if not candidates:
                continue
            chosen = min(candidates, key=lambda c: (loads[c.id], c.last_assigned_at, c.id))
            waiting.remove(youth)
            loads[chosen.id] += 1
            assign(youth, chosen)

    def assign(youth: Youth, counselor: Counselor) -> None:
        counselor.last_assigned_at = env.now
        first = youth.answered_at is None
        if first:
            youth.answered_at = env.now
            f = figures_of(youth)
            if f is not None:
                wait = env.now - youth.requested_at
                f.answered += 1
                f.wait_sum_s += wait
                f.answered_within += wait <= within_s
                f.wait_within += wait <= within_s
                if youth.priority >= CRISIS_PRIORITY:
                    f.crisis_answered_within += wait <= crisis_within_s
        if youth.served is not None and not youth.served.triggered:
            youth.served.succeed()
        # A transferred chat: half its work with the first counselor, then back to the queue.
        work = youth.work_s / 2 if (youth.transfer and youth.transferred_from is None) else youth.work_s
        if slowdown_at == "assignment":
            work *= 1.0 + handling[youth.topic].slowdown * len(counselor.chats)
        counselor.chats[youth.id] = work
        youths[youth.id] = youth
        poke(counselor)

    def poke(counselor: Counselor) -> None:
        if counselor.changed is not None and not counselor.changed.triggered:
            counselor.changed.succeed()

    youths: dict[int, Youth] = {}
    numbers = itertools.count(1)

    def counselor_process(counselor: Counselor) -> simpy.events.ProcessGenerator:
        while True:
            counselor.changed = env.event()
            if not counselor.chats:
                yield counselor.changed
                continue
            held = len(counselor.chats)
            # Work done per second on each chat: D1 / D(j).
            slowdown = handling[next(iter(counselor.topics))].slowdown if slowdown_at == "always" else 0.0
            pace = 1.0 / (1.0 + slowdown * (held - 1))
            soonest = min(counselor.chats.values())
            began, held_ids = env.now, list(counselor.chats)
            yield env.timeout(soonest / pace) | counselor.changed
            done = (env.now - began) * pace
            account(counselor, held, env.now - began, began)
            finished = []
            for youth_id in held_ids:  # a chat assigned meanwhile has had none of this work
                counselor.chats[youth_id] -= done
                if counselor.chats[youth_id] <= 1e-9:
                    finished.append(youth_id)
            for youth_id in finished:
                del counselor.chats[youth_id]
                youth = youths.pop(youth_id)
                if youth.transfer and youth.transferred_from is None:
                    youth.transferred_from = counselor.id
                    youth.queued_at = youth.requested_at  # the front of the queue, as do_return_to_queue
                    youth.work_s = youth.work_s / 2
                    waiting.append(youth)
            if finished:
                dispatch()

    def account(counselor: Counselor, held: int, seconds: float, began: float) -> None:
        # Chat-seconds held, split over the hours they fall in (hours are long, chats short: the
        # hour they began in is close enough).
        hour = hour_of(began)
        if hour is not None and seconds > 0:
            figures[(next(iter(counselor.topics)), hour)].held_s += held * seconds

    def youth_process(youth: Youth) -> simpy.events.ProcessGenerator:
        youth.served = env.event()
        waiting.append(youth)
        f = figures_of(youth)
        if f is not None:
            f.requested += 1
            f.crisis += youth.priority >= CRISIS_PRIORITY
        dispatch()
        if youth.answered_at is not None:
            return
        yield env.timeout(youth.patience_s) | youth.served
        if youth.answered_at is None:
            waiting.remove(youth)
            youth.left_at = env.now
            if f is not None:
                f.abandoned += 1
                f.wait_sum_s += youth.patience_s
                f.wait_within += youth.patience_s <= within_s

    def poisson(topic: str) -> simpy.events.ProcessGenerator:
        pattern = list(rates[topic])
        schedule = pattern[len(pattern) - warmup_hours :] + pattern if warmup_hours else pattern
        mean_patience = patience_s[topic]
        for index, per_hour in enumerate(schedule):
            hour_start = index * HOUR_S
            if env.now < hour_start:
                yield env.timeout(hour_start - env.now)
            if per_hour <= 0:
                continue
            moment = hour_start + rng.exponential(HOUR_S / per_hour)
            while moment < hour_start + HOUR_S:
                yield env.timeout(moment - env.now)
                number = next(numbers)
                youth = Youth(
                    id=number,
                    topic=topic,
                    requested_at=env.now,
                    queued_at=env.now,
                    priority=CRISIS_PRIORITY if rng.random() < crisis_share.get(topic, 0.0) else 0,
                    patience_s=float(rng.exponential(mean_patience)) if math.isfinite(mean_patience) else math.inf,
                    work_s=draw(rng, topic, number),
                    transfer=bool(rng.random() < transfer_share),
                )
                env.process(youth_process(youth))
                moment += rng.exponential(HOUR_S / per_hour)

    def replayed(requests: Sequence[tuple[float, str, bool]]) -> simpy.events.ProcessGenerator:
        for moment, topic, at_risk in sorted(requests):
            if start + moment > env.now:
                yield env.timeout(start + moment - env.now)
            number = next(numbers)
            mean_patience = patience_s[topic]
            youth = Youth(
                id=number,
                topic=topic,
                requested_at=env.now,
                queued_at=env.now,
                priority=CRISIS_PRIORITY if at_risk else 0,
                patience_s=float(rng.exponential(mean_patience)) if math.isfinite(mean_patience) else math.inf,
                work_s=draw(rng, topic, number),
                transfer=bool(rng.random() < transfer_share),
            )
            env.process(youth_process(youth))

    def shifts(topic: str) -> simpy.events.ProcessGenerator:
        pattern = list(roster[topic])
        schedule = pattern[len(pattern) - warmup_hours :] + pattern if warmup_hours else pattern
        crew = by_topic[topic]
        for index, on in enumerate(schedule):
            if env.now < index * HOUR_S:
                yield env.timeout(index * HOUR_S - env.now)
            for i, counselor in enumerate(crew):
                counselor.on_duty = i < on
            hour = hour_of(env.now + 1e-6)
            if hour is not None:
                figures[(topic, hour)].slot_s += on * crew[0].capacity * HOUR_S if crew else 0.0
            dispatch()

    for counselor in counselors:
        env.process(counselor_process(counselor))
    for topic in topics:
        if arrivals is None:
            env.process(poisson(topic))
        env.process(shifts(topic))
    if arrivals is not None:
        env.process(replayed(arrivals))
    env.run(until=start + hours * HOUR_S + 4 * HOUR_S)  # the last hour's youths are seen out
    return SimResult(figures=figures)
