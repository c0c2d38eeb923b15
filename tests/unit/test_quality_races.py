"""Two sampling runs at once over the same period (issue 10): real transactions on PostgreSQL, one
thread each. The advisory lock makes the second wait for the first and then see its samples, so
the period is sampled once (no duplicate, no second helping); without it both would read "nothing
sampled yet" and both would pick."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from accounts.models import Role, User
from chat.models import Conversation, Message
from quality import services
from quality.models import Check, Rubric, Sample, SamplingRun

DAY = date(2026, 10, 14)


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_sample_the_period_once():
    if connection.vendor != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's; SQLite serializes write transactions anyway")
    # Earlier transactional tests flush the database: the seeded rubric may be gone.
    Rubric.objects.get_or_create(version=1, defaults={"name": "test", "active": True})
    Check.objects.update(enabled=False)  # the rate alone decides here (no wrap-up would fail a check)
    User.objects.create(username="qa-race-supervisor", role=Role.SUPERVISOR)
    counselor = User.objects.create(username="qa-race-counselor", role=Role.COUNSELOR)
    start = timezone.make_aware(datetime.combine(DAY, datetime.min.time()) + timedelta(hours=9))
    for n in range(100):
        youth = User.objects.create(username=f"qa-race-youth-{n}", role=Role.YOUTH)
        conversation = Conversation.objects.create(
            youth=youth,
            counselor=counselor,
            topic="psych",
            status=Conversation.Status.ENDED,
            requested_at=start,
            queued_at=start,
            first_assigned_at=start,
            assigned_at=start,
            ended_at=start + timedelta(minutes=20),
        )
        Message.objects.create(
            conversation=conversation, seq=1, sender_role="counselor", client_id="a", text="你好", created_at=start
        )

    barrier = threading.Barrier(2)
    results: list[object] = []

    def run(seed: int) -> None:
        try:
            barrier.wait()
            results.append(services.do_sample(since=DAY, until=DAY, seed=seed, rate=0.1, min_per_counselor_month=0))
        except Exception as problem:  # noqa: BLE001 - kept for the assertion below, which shows it
            results.append(problem)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(seed,)) for seed in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert all(not isinstance(r, Exception) for r in results), results
    assert SamplingRun.objects.count() == 2
    assert sorted(r.counts["sampled"] for r in results) == [0, 10]  # type: ignore[attr-defined]
    assert Sample.objects.count() == 10
