"""The demo data generator (demo/generator.py, docs/demo-data.md): small runs against PostgreSQL,
checked for their counts and their consistency (what the indicators, the cases' state machine and
quality's rules read), determinism for a seed, and the refusals."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Max, Min
from django.utils import timezone

from accounts.models import Role, User
from cases import states
from cases.models import Case, CaseEvent, CentreMembership, Region
from chat.models import Conversation, LeftMessage, Message, Survey, WrapUp
from crisis.models import Alert
from demo import texts
from demo.generator import MAX_DAYS, MAX_PER_DAY, generate
from protocol.errors import Refused
from quality.detectors import asks_about_safety, boundary_problems
from quality.models import PreScreen, Review, ReviewScore, RubricItem
from quality.reviews import ItemSpec, graded

pytestmark = pytest.mark.django_db

END = date(2025, 3, 16)  # a Sunday; any day before today


class _Rollback(Exception):
    pass


@pytest.fixture
def generated():
    User.objects.create(username="centre1", role=Role.CENTRE)
    return generate(days=5, per_day=60, seed=11, end=END)


def test_counts_match_the_summary(generated):
    s = generated
    assert (s.since, s.until, s.days) == (END - timedelta(days=4), END, 5)
    assert Conversation.objects.count() == s.requested
    assert Conversation.objects.filter(status=Conversation.Status.ENDED).count() == s.answered
    assert 40 * 5 < s.answered < 90 * 5
    assert Message.objects.count() == s.messages
    assert WrapUp.objects.count() == s.wrapups
    assert Survey.objects.count() == s.surveys
    assert Alert.objects.count() == s.alerts
    assert Case.objects.count() == s.cases
    assert CaseEvent.objects.count() == s.case_events
    assert LeftMessage.objects.count() == s.left_messages
    # Every answered conversation is pre-screened, as quality's sweep would have done.
    assert PreScreen.objects.count() == s.answered == s.prescreens
    assert s.rows > s.messages and s.seconds > 0


def test_conversations_are_consistent(generated):
    answered = Conversation.objects.filter(status=Conversation.Status.ENDED)
    assert not answered.filter(counselor__isnull=True).exists()
    for conv in answered.only("requested_at", "first_assigned_at", "assigned_at", "ended_at", "region"):
        assert conv.first_assigned_at is not None and conv.ended_at is not None and conv.assigned_at is not None
        assert conv.requested_at <= conv.first_assigned_at == conv.assigned_at < conv.ended_at
    unanswered = Conversation.objects.exclude(status=Conversation.Status.ENDED)
    assert not unanswered.filter(counselor__isnull=False).exists()
    assert not unanswered.filter(first_assigned_at__isnull=False).exists()
    assert not Conversation.objects.filter(status__in=Conversation.OPEN_STATUSES).exists()
    # Regions are the codes of cases.Region (leaves: counties, or cities without counties).
    codes = set(Region.objects.values_list("code", flat=True))
    assert set(Conversation.objects.values_list("region", flat=True)) <= codes
    # Seqs are gapless 1..last_seq; messages fall within the conversation.
    seqs = Message.objects.values("conversation_id").annotate(n=Count("id"), low=Min("seq"), high=Max("seq"))
    last = dict(answered.values_list("pk", "last_seq"))
    assert {row["conversation_id"] for row in seqs} == set(last)
    for row in seqs:
        assert row["low"] == 1 and row["high"] == row["n"] == last[row["conversation_id"]]
    times = {c.pk: c for c in answered.only("requested_at", "first_assigned_at", "ended_at")}
    for conversation_id, role, at in Message.objects.values_list("conversation_id", "sender_role", "created_at"):
        conv = times[conversation_id]
        assert conv.ended_at is not None and conv.first_assigned_at is not None
        assert conv.requested_at <= at <= conv.ended_at
        if role == "counselor":
            assert at > conv.first_assigned_at
    # Wrap-ups by the counselor who held it; surveys only after an answered chat.
    assert not WrapUp.objects.exclude(counselor_id=F("conversation__counselor_id")).exists()
    assert not Survey.objects.exclude(conversation__status=Conversation.Status.ENDED).exists()


def test_no_counselor_holds_more_chats_than_allowed(generated):
    spans: dict[int, list[tuple[Any, int]]] = defaultdict(list)
    for counselor, start, end in Conversation.objects.filter(status=Conversation.Status.ENDED).values_list(
        "counselor_id", "first_assigned_at", "ended_at"
    ):
        spans[counselor] += [(start, 1), (end, -1)]
    for events in spans.values():
        held = peak = 0
        for _at, step in sorted(events, key=lambda e: (e[0], e[1])):
            held += step
            peak = max(peak, held)
        assert peak <= settings.COUNSELOR_DEFAULT_MAX_CHATS


def test_alerts_are_acknowledged_and_overdue_when_late(generated):
    alerts = list(Alert.objects.all())
    assert alerts, "a few days of chats raise some alerts"
    for alert in alerts:
        assert alert.acknowledged_at is not None and alert.acknowledged_by_id is not None
        delay = (alert.acknowledged_at - alert.created_at).total_seconds()
        assert delay >= 0
        assert alert.overdue == (delay > settings.CRISIS_ACK_TIMEOUT_S)
        assert alert.level >= settings.CRISIS_ALERT_LEVEL
        if alert.source == Alert.Source.DETECTOR:
            line = Message.objects.get(conversation_id=alert.conversation_id, seq=alert.message_seq)
            assert line.sender_role == "youth" and line.text == alert.excerpt
            assert Conversation.objects.get(pk=alert.conversation_id).risk_level >= alert.level


def test_cases_follow_the_state_machine(generated):
    cases = list(Case.objects.all())
    assert cases
    for case in cases:
        assert states.invariant_problems(case) == [], case.reference
        events = list(case.events.order_by("at", "pk"))
        assert events[0].kind == CaseEvent.Kind.OPEN
        status = ""
        for event in events:
            rows = [t for t in states.transitions_of(event.kind) if status in t.sources]
            assert rows, f"{case.reference}: {event.kind} from {status or 'new'}"
            if rows[0].target is not None:
                assert (event.from_status or "", event.to_status) == (status, rows[0].target)
                status = rows[0].target
        assert status == case.status
        region = Region.objects.get(code=case.region_id)
        assert region.path.startswith(Region.objects.get(code=case.holder_region_id).path)
        if case.centre is not None:
            assert region.path.startswith(case.centre.region.path)
    # The demo account works in a city's centre.
    membership = CentreMembership.objects.select_related("centre__region").get(user__username="centre1")
    assert membership.centre.region.level == Region.Level.CITY


def test_reviews_are_valid(generated):
    submitted = Review.objects.filter(status=Review.Status.SUBMITTED).select_related("sample__conversation")
    assert submitted.exists()
    for review in submitted:
        conv = review.sample.conversation
        assert review.reviewer_id != conv.counselor_id
        assert review.reviewer.role == Role.SUPERVISOR
        items = [
            i for i in RubricItem.objects.filter(rubric_id=review.rubric_id) if i.min_risk_level <= conv.risk_level
        ]
        scores = dict(ReviewScore.objects.filter(review=review).values_list("item__key", "score"))
        assert set(scores) == {i.key for i in items}
        specs = [ItemSpec(key=i.key, weight=i.weight, critical=i.critical) for i in items]
        assert graded(specs, scores) == (review.score, review.grade, review.passed, review.critical_failed)
        assert review.submitted_at is not None and conv.ended_at is not None
        assert review.submitted_at > conv.ended_at


def fingerprint() -> list[Any]:
    rows: list[Any] = []
    for conv in Conversation.objects.order_by("requested_at", "pk").select_related("counselor"):
        lines = list(Message.objects.filter(conversation=conv).order_by("seq").values_list("sender_role", "text"))
        rows.append(
            (
                conv.requested_at,
                conv.topic,
                conv.status,
                conv.channel,
                conv.region,
                conv.risk_level,
                conv.counselor.username if conv.counselor else None,
                conv.ended_at,
                lines,
            )
        )
    rows.append(sorted(Case.objects.values_list("opened_at", "status", "category", "priority")))
    rows.append(sorted(Review.objects.values_list("grade", "score", "submitted_at")))
    rows.append(sorted(Alert.objects.values_list("created_at", "acknowledged_at", "category", "level")))
    return rows


def _run(seed: int) -> list[Any]:
    try:
        with transaction.atomic():
            generate(days=2, per_day=30, seed=seed, end=END)
            found = fingerprint()
            raise _Rollback
    except _Rollback:
        return found


def test_the_same_seed_writes_the_same_history():
    first, second, other = _run(5), _run(5), _run(6)
    assert first == second
    assert first != other


def test_refuses_a_database_with_real_conversations(make_youth):
    youth = make_youth(online=False)
    now = timezone.now()
    Conversation.objects.create(youth=youth, topic="psych", status="cancelled", requested_at=now, queued_at=now)
    with pytest.raises(Refused, match="real conversations"):
        generate(days=1, per_day=5, seed=1, end=END)
    assert Conversation.objects.count() == 1 and not User.objects.filter(username__startswith="demo-").exists()
    with pytest.raises(CommandError, match="--force"):
        call_command("generate_demo_data", "--days", "1", "--per-day", "5", "--end", END.isoformat())
    summary = generate(days=1, per_day=5, seed=1, end=END, force=True)
    assert Conversation.objects.count() == 1 + summary.requested


def test_refuses_days_already_covered():
    generate(days=1, per_day=5, seed=1, end=END)
    with pytest.raises(Refused, match="already covers"):
        generate(days=3, per_day=5, seed=2, end=END + timedelta(days=1))


@pytest.mark.parametrize(
    ("days", "per_day", "end"),
    [(0, 10, END), (MAX_DAYS + 1, 10, END), (1, 0, END), (1, MAX_PER_DAY + 1, END), (1, 10, None)],
)
def test_refuses_sizes_out_of_bounds(days, per_day, end):
    with pytest.raises(Refused):
        generate(days=days, per_day=per_day, seed=1, end=end or timezone.localdate())
    assert not Conversation.objects.exists()


def test_the_command_prints_the_summary(capsys):
    call_command("generate_demo_data", "--days", "1", "--per-day", "10", "--seed", "3", "--end", END.isoformat())
    out = capsys.readouterr().out
    assert "answered" in out and "rows/s" in out


def test_the_templates_keep_the_rules():
    """Counselor lines never trip the boundary check (except the deliberate slips); the safety
    questions are what the pre-screen recognises as asking directly."""
    counselor_lines = [
        *texts.COUNSELOR_INTRO,
        *texts.ACKS,
        *texts.COUNSELOR_CLOSINGS,
        *texts.RISK_QUESTIONS,
        *texts.HARM_QUESTIONS,
        *texts.HARM_STEPS,
        *(line for steps in texts.SAFETY_STEPS.values() for line in steps),
    ]
    for problem in (p for problems in texts.PROBLEMS.values() for p in problems):
        counselor_lines += [*problem.reflections, *problem.questions, *problem.suggestions]
    for line in counselor_lines:
        assert boundary_problems(line.format(name="林老师", **dict.fromkeys(texts.SLOTS, "X"))) == [], line
    assert all(boundary_problems(line) for line in texts.BOUNDARY_SLIPS)
    assert all(asks_about_safety(q) for q in (*texts.RISK_QUESTIONS, *texts.HARM_QUESTIONS))
