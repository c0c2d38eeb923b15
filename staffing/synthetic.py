"""Synthetic history for validating the planner and for its benchmark, written through the models.

A queue of its own, simpler than the simulation and independent of it (a heap of events, no
SimPy): Poisson arrivals with a day's profile, a crisis share, exponential patience, counselors
on duty per hour and topic holding up to `capacity` chats, least loaded first; a chat's duration
is drawn when it is assigned (lognormal: not the exponential the analytic model assumes) and
lengthened by `slowdown` for each other chat its counselor holds then. What it writes is what the
platform records: conversations (requested, first assigned, ended, cancelled) and assignments.
`demo.generator` (issue 13's brief) writes a province's history too; this module is the planner's
own, for tests of small size and for a history whose waits come from running a queue.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.db import transaction

from accounts.models import CounselorProfile, Role, User
from chat.models import Assignment, Conversation

# Requests per hour of the day, relative (youth lines peak in the evening; few at night).
DAY_PROFILE = (
    0.35, 0.22, 0.15, 0.10, 0.08, 0.10, 0.20, 0.40, 0.60, 0.75, 0.85, 0.90,
    0.85, 0.85, 0.90, 0.95, 1.00, 1.05, 1.15, 1.30, 1.45, 1.50, 1.20, 0.75,
)  # fmt: skip
TOPIC_SHARE = {"psych": 0.72, "legal": 0.18, "aid": 0.10}


@dataclass(frozen=True, slots=True)
class World:
    per_day: float = 600.0  # requests a day
    crisis_share: float = 0.03
    mean_handling_s: float = 1500.0
    sigma: float = 0.7  # of the log of a duration
    slowdown: float = 0.15
    capacity: int = 3
    patience_s: float = 240.0
    transfer_share: float = 0.0

    def rates(self) -> dict[str, list[float]]:
        """Requests per hour of the week, by topic."""
        scale = self.per_day / sum(DAY_PROFILE)
        return {t: [scale * share * DAY_PROFILE[h % 24] for h in range(168)] for t, share in TOPIC_SHARE.items()}


def roster_for(world: World, *, answered: float = 0.95) -> dict[str, list[int]]:
    """A plausible roster: the analytic model's need per hour (what a helpline that planned would have)."""
    from staffing.queueing import Handling, Targets, counselors_needed

    handling = Handling(mean_s=world.mean_handling_s, slowdown=world.slowdown, capacity=world.capacity)
    out: dict[str, list[int]] = {}
    for topic, rates in world.rates().items():
        out[topic] = [
            counselors_needed(
                arrival_rate=r / 3600,
                handling=handling,
                patience_s=world.patience_s,
                targets=Targets(answered=answered, within_share=0.0, crisis_share=0.0),
            ).counselors
            for r in rates
        ]
    return out


@dataclass(slots=True)
class _Chat:
    youth: int
    topic: str
    requested: float
    crisis: bool
    patience: float
    answered: float | None = None
    counselor: int | None = None
    ended: float | None = None
    cancelled: bool = False


def generate(
    *,
    start: datetime,
    days: int,
    world: World,
    roster: Mapping[str, Sequence[int]],
    seed: int = 12355,
    youths: int = 300,
) -> int:
    """Write `days` days of history from `start` (a Monday 00:00, aware). Returns the conversations written."""
    rng = np.random.default_rng(seed)
    rates = world.rates()
    hours = days * 24
    events: list[tuple[float, int, str, int]] = []  # (time, order, kind, index)
    order = 0
    chats: list[_Chat] = []
    for topic, per_hour in rates.items():
        t = 0.0
        while True:
            hour = int(t // 3600)
            if hour >= hours:
                break
            rate = per_hour[hour % 168]
            gap = rng.exponential(3600.0 / rate) if rate > 0 else 3600.0
            if int((t + gap) // 3600) != hour:  # the rate changes at the hour: start afresh there
                t = (hour + 1) * 3600.0
                continue
            t += gap
            chats.append(
                _Chat(
                    youth=int(rng.integers(youths)),
                    topic=topic,
                    requested=t,
                    crisis=bool(rng.random() < world.crisis_share),
                    patience=float(rng.exponential(world.patience_s)),
                )
            )
    chats.sort(key=lambda c: c.requested)
    for i, c in enumerate(chats):
        events.append((c.requested, order, "arrive", i))
        order += 1
        events.append((c.requested + c.patience, order, "leave", i))
        order += 1
    for h in range(hours + 1):
        events.append((h * 3600.0, -1, "shift", h))
    heapq.heapify(events)
    crew: dict[str, list[list[int]]] = {}  # topic -> counselors: [load, on duty, last assigned order]
    for topic in rates:
        crew[topic] = [[0, 0, 0] for _ in range(max(roster[topic]) if roster[topic] else 0)]
    waiting: dict[str, list[tuple[int, float, int]]] = {t: [] for t in rates}  # (-priority, requested, index)
    sigma = world.sigma
    mu = math.log(world.mean_handling_s) - sigma * sigma / 2
    assign_order = 0

    def dispatch(topic: str, now: float) -> None:
        nonlocal order, assign_order
        queue = waiting[topic]
        while queue:
            free = [(c[0], c[2], i) for i, c in enumerate(crew[topic]) if c[1] and c[0] < world.capacity]
            if not free:
                return
            _, _, who = min(free)
            _, _, index = heapq.heappop(queue)
            chat = chats[index]
            if chat.cancelled:
                continue
            counselor = crew[topic][who]
            counselor[0] += 1
            assign_order += 1
            counselor[2] = assign_order
            chat.answered, chat.counselor = now, who
            duration = float(rng.lognormal(mu, sigma)) * (1.0 + world.slowdown * (counselor[0] - 1))
            heapq.heappush(events, (now + duration, order, "end", index))
            order += 1

    while events:
        now, _, kind, index = heapq.heappop(events)
        if kind == "shift":
            if index >= hours:
                continue
            for topic in rates:
                for i, member in enumerate(crew[topic]):
                    member[1] = 1 if i < roster[topic][index % 168] else 0
                dispatch(topic, now)
        elif kind == "arrive":
            chat = chats[index]
            heapq.heappush(waiting[chat.topic], (-3 if chat.crisis else 0, chat.requested, index))
            dispatch(chat.topic, now)
        elif kind == "leave":
            chat = chats[index]
            if chat.answered is None:
                chat.cancelled, chat.ended = True, now
        else:  # end
            chat = chats[index]
            chat.ended = now
            assert chat.counselor is not None  # noqa: S101 - only assigned chats end
            crew[chat.topic][chat.counselor][0] -= 1
            dispatch(chat.topic, now)
    return _write(start=start, chats=chats, crew_sizes={t: len(c) for t, c in crew.items()}, world=world)


def _write(*, start: datetime, chats: list[_Chat], crew_sizes: dict[str, int], world: World) -> int:
    at = lambda s: start + timedelta(seconds=s)  # noqa: E731 - a one-line local helper
    with transaction.atomic():
        stamp = int(start.timestamp())
        youth_users = User.objects.bulk_create(
            [User(username=f"syn-youth-{stamp}-{i}", role=Role.YOUTH) for i in range(300)]
        )
        counselors: dict[str, list[User]] = {}
        for topic, size in crew_sizes.items():
            counselors[topic] = User.objects.bulk_create(
                [User(username=f"syn-{topic}-{stamp}-{i}", role=Role.COUNSELOR) for i in range(size)]
            )
            CounselorProfile.objects.bulk_create(
                [CounselorProfile(user=u, topics=[topic], max_concurrent=world.capacity) for u in counselors[topic]]
            )
        rows = []
        for c in chats:
            answered = c.answered is not None and (c.ended or 0) > 0
            rows.append(
                Conversation(
                    youth=youth_users[c.youth % len(youth_users)],
                    counselor=counselors[c.topic][c.counselor] if c.counselor is not None else None,
                    topic=c.topic,
                    status=Conversation.Status.ENDED if answered else Conversation.Status.CANCELLED,
                    priority=3 if c.crisis else 0,
                    risk_level=3 if c.crisis else 0,
                    requested_at=at(c.requested),
                    queued_at=at(c.requested),
                    first_assigned_at=at(c.answered) if c.answered is not None else None,
                    assigned_at=at(c.answered) if c.answered is not None else None,
                    ended_at=at(c.ended) if c.ended is not None else at(c.requested),
                    ended_by="youth",
                    end_reason=Conversation.EndReason.BY_YOUTH if answered else Conversation.EndReason.CANCELLED,
                )
            )
        written = Conversation.objects.bulk_create(rows, batch_size=2000)
        Assignment.objects.bulk_create(
            [
                Assignment(
                    conversation=conv,
                    counselor=conv.counselor,
                    assigned_at=conv.first_assigned_at,
                    released_at=conv.ended_at,
                    release_reason="ended",
                )
                for conv in written
                if conv.counselor is not None and conv.first_assigned_at is not None
            ],
            batch_size=2000,
        )
    return len(written)
