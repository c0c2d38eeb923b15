"""Quality inspection's writes: the pre-screen of ended conversations, sampling runs and the
assignment of reviewers. Reviews are in quality/reviews.py.

Every service here is safe to run twice or at once: a pre-screen is one row per conversation
(written with `update_or_create` under the conversation's row lock), a sampling run holds a
transaction-level advisory lock (PostgreSQL; SQLite's transactions are serialized anyway) and a
conversation is sampled once (`Sample.conversation` is unique), so a second run over the same
period adds only what ended since.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import random
import zlib
from collections import defaultdict
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role, User
from chat.models import Assignment, Conversation, Message, Survey, WrapUp
from crisis.models import Referral
from protocol.days import start_of_day
from quality.models import Check, PreScreen, QualityAction, Review, Rubric, Sample, SamplingRun
from quality.prescreen import Facts, Line, screen
from quality.records import RunRecord

log = logging.getLogger(__name__)
LOCK_KEY = zlib.crc32(b"quality.sampling")
# How far back the minute sweep looks for ended conversations not yet screened; older ones are
# screened by the sampling run of their period.
SWEEP_LOOKBACK = timedelta(days=7)


# ── pre-screen ──────────────────────────────────────────────────────────────────────────────
def enabled_checks() -> list[tuple[str, float | None]]:
    return list(Check.objects.filter(enabled=True).values_list("name", "threshold"))


def facts_of(conversation: Conversation) -> Facts:
    lines = [
        Line(role=role, text=text, at=at)
        for role, text, at in Message.objects.filter(conversation=conversation)
        .order_by("seq")
        .values_list("sender_role", "text", "created_at")
    ]
    wrapup = WrapUp.objects.filter(conversation=conversation).values_list("risk_level", flat=True).first()
    survey = Survey.objects.filter(conversation=conversation).values_list("score", "comment").first()
    return Facts(
        risk_level=conversation.risk_level,
        assigned_at=conversation.first_assigned_at,
        requested_at=conversation.requested_at,
        ended_at=conversation.ended_at,
        lines=lines,
        referrals=Referral.objects.filter(conversation=conversation).count(),
        wrapup_risk_level=wrapup,
        survey_score=survey[0] if survey else None,
        survey_comment=survey[1] if survey else "",
    )


def do_prescreen(*, conversation_id: int, checks: list[tuple[str, float | None]] | None = None) -> bool:
    """Screen one ended conversation (again, if it was): True when it was screened."""
    checks = enabled_checks() if checks is None else checks
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update()
            .filter(pk=conversation_id, status=Conversation.Status.ENDED, counselor__isnull=False)
            .first()
        )
        if conversation is None:
            return False
        facts = facts_of(conversation)
        figures = screen(facts, checks)
        PreScreen.objects.update_or_create(
            conversation=conversation,
            defaults={
                "screened_at": timezone.now(),
                "first_response_s": figures.first_response_s,
                "longest_silence_s": figures.longest_silence_s,
                "duration_s": figures.duration_s,
                "youth_messages": figures.youth_messages,
                "counselor_messages": figures.counselor_messages,
                "risk_assessed": figures.risk_assessed,
                "survey_score": facts.survey_score,
                "survey_comment": facts.survey_comment,
                "results": figures.results,
                "failed_checks": figures.failed_checks,
                "failed": bool(figures.failed_checks),
            },
        )
    return True


def unscreened(*, since: datetime | None = None, until: datetime | None = None) -> list[int]:
    rows = Conversation.objects.filter(
        status=Conversation.Status.ENDED, counselor__isnull=False, prescreen__isnull=True
    )
    if since is not None:
        rows = rows.filter(ended_at__gte=since)
    if until is not None:
        rows = rows.filter(ended_at__lt=until)
    return list(rows.order_by("pk").values_list("pk", flat=True))


def do_prescreen_pending(*, limit: int = 500) -> int:
    """The minute sweep: screen conversations that ended lately and are not screened yet, once
    `QA_PRESCREEN_DELAY_S` have passed since the end (the wrap-up and the survey come after the
    end; each of them re-screens the conversation when it is written, quality/apps.py)."""
    checks = enabled_checks()
    done = 0
    now = timezone.now()
    settled = now - timedelta(seconds=settings.QA_PRESCREEN_DELAY_S)
    for conversation_id in unscreened(since=now - SWEEP_LOOKBACK, until=settled)[:limit]:
        done += do_prescreen(conversation_id=conversation_id, checks=checks)
    return done


# ── sampling ────────────────────────────────────────────────────────────────────────────────
def prorated_minimum(minimum_per_month: float, since: date, until: date) -> int:
    """The per-counselor minimum for a period: `minimum_per_month` for 30 days, rounded half up."""
    days = (until - since).days + 1
    return math.floor(minimum_per_month * days / 30 + 0.5)


def _draw(conversation_id: int) -> float:
    """A number in [0, 1) fixed for a conversation: whether a failure of weight w puts it in is the
    same in every run (so a second run adds nothing), and nobody can tell it from the id without
    the deployment's secret key."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"quality.draw.{conversation_id}".encode(), hashlib.sha256)
    return int.from_bytes(digest.digest()[:8], "big") / 2**64


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def do_sample(
    *,
    since: date,
    until: date,
    seed: int | None = None,
    rate: float | None = None,
    min_per_counselor_month: float | None = None,
    double_share: float | None = None,
    source: str = "command",
    started_by: int | None = None,
) -> RunRecord:
    """Sample the ended conversations of [since, until] (whole days in TIME_ZONE, both included).

    Always in: every conversation that reached risk level 3, or failed a pre-screen check of weight
    >= 1 (a weight below 1 is the chance it is, drawn once per conversation: `_draw`). Then each
    counselor of the period up to their prorated minimum, then at random up to `rate` of the
    period's answered conversations. What earlier runs sampled counts towards every target, so a
    second run adds only what is new.
    Draws come from `random.Random(seed)` over conversations in id order: the same seed over the
    same rows picks the same conversations."""
    if until < since:
        raise ValueError("since is after until")
    rate = settings.QA_SAMPLE_RATE if rate is None else rate
    minimum_month = settings.QA_MIN_PER_COUNSELOR_MONTH if min_per_counselor_month is None else min_per_counselor_month
    double_share = settings.QA_DOUBLE_REVIEW_SHARE if double_share is None else double_share
    seed = random.SystemRandom().randrange(2**31) if seed is None else seed
    start, end = start_of_day(since), start_of_day(until + timedelta(days=1))
    checks = enabled_checks()
    for conversation_id in unscreened(since=start, until=end):  # screened before the lock, one by one
        do_prescreen(conversation_id=conversation_id, checks=checks)
    weights = dict(Check.objects.filter(enabled=True).values_list("name", "weight"))
    rng = random.Random(seed)  # noqa: S311 - a reproducible draw, not a secret
    minimum = prorated_minimum(minimum_month, since, until)
    with transaction.atomic():
        _lock()
        period = Conversation.objects.filter(
            status=Conversation.Status.ENDED, counselor__isnull=False, ended_at__gte=start, ended_at__lt=end
        )
        rows = list(period.order_by("pk").values_list("pk", "counselor_id", "risk_level", "prescreen__failed_checks"))
        taken = set(Sample.objects.filter(conversation__in=period).values_list("conversation_id", flat=True))
        per_counselor: dict[int, int] = defaultdict(int)
        for pk, counselor_id, _risk, _failed in rows:
            if pk in taken:
                per_counselor[counselor_id] += 1
        chosen: dict[int, str] = {}
        counselor_of: dict[int, int] = {}
        for pk, counselor_id, risk, failed in rows:
            counselor_of[pk] = counselor_id
            if pk in taken:
                continue
            weight = max((weights.get(name, 0.0) for name in failed or ()), default=0.0)
            if risk >= 3:
                chosen[pk] = Sample.Reason.HIGH_RISK
            elif weight >= 1 or (weight > 0 and _draw(pk) < weight):
                chosen[pk] = Sample.Reason.FAILED_CHECK
            else:
                continue
            per_counselor[counselor_id] += 1
        pools: dict[int, list[int]] = defaultdict(list)
        for pk, counselor_id, _risk, _failed in rows:
            if pk not in taken and pk not in chosen:
                pools[counselor_id].append(pk)
        for counselor_id in sorted(pools):
            need = minimum - per_counselor[counselor_id]
            if need > 0:
                for pk in rng.sample(pools[counselor_id], min(need, len(pools[counselor_id]))):
                    chosen[pk] = Sample.Reason.MINIMUM
        rest = sorted(pk for pk in counselor_of if pk not in taken and pk not in chosen)
        need = round(rate * len(rows)) - len(taken) - len(chosen)
        if need > 0:
            for pk in rng.sample(rest, min(need, len(rest))):
                chosen[pk] = Sample.Reason.RANDOM
        run = SamplingRun.objects.create(
            since=since,
            until=until,
            seed=seed,
            rate=rate,
            min_per_counselor_month=minimum_month,
            double_share=double_share,
            source=source,
            started_by_id=started_by,
        )
        Sample.objects.bulk_create(
            Sample(run=run, conversation_id=pk, counselor_id=counselor_of[pk], reason=reason)
            for pk, reason in sorted(chosen.items())
        )
        counts: dict[str, int] = {
            "answered": len(rows),
            "sampled_before": len(taken),
            "sampled": len(chosen),
            "minimum_per_counselor": minimum,
        }
        for reason in Sample.Reason.values:
            counts[reason] = sum(1 for r in chosen.values() if r == reason)
        counts.update(_assign(rng=rng, double_share=double_share))
        run.counts = counts
        run.save(update_fields=["counts"])
        QualityAction.objects.create(
            user_id=started_by,
            action="sample",
            detail={"run": run.pk, "seed": seed, "since": since.isoformat(), "until": until.isoformat(), **counts},
        )
    log.info("quality sampling run %s (%s..%s, seed %s): %s", run.pk, since, until, seed, counts)
    return RunRecord(run=run.pk, seed=seed, since=since.isoformat(), until=until.isoformat(), counts=counts)


def _assign(*, rng: random.Random, double_share: float) -> dict[str, int]:
    """Give every sample without a review a reviewer (two, blind, for `double_share` of them):
    a supervisor who never held the conversation, the least loaded first (open reviews)."""
    rubric = Rubric.objects.filter(active=True).first()
    pending = list(Sample.objects.filter(reviews__isnull=True).order_by("pk").values_list("pk", "conversation_id"))
    if rubric is None or not pending:
        return {"assigned": 0, "double": 0, "unassigned": len(pending)}
    reviewers = list(
        User.objects.filter(role=Role.SUPERVISOR, is_active=True).order_by("pk").values_list("pk", flat=True)
    )
    load = dict.fromkeys(reviewers, 0)
    for reviewer_id in Review.objects.filter(status=Review.Status.ASSIGNED, reviewer_id__in=reviewers).values_list(
        "reviewer_id", flat=True
    ):
        load[reviewer_id] += 1
    held: dict[int, set[int]] = defaultdict(set)
    conversation_ids = [conversation_id for _pk, conversation_id in pending]
    for conversation_id, counselor_id in Assignment.objects.filter(conversation_id__in=conversation_ids).values_list(
        "conversation_id", "counselor_id"
    ):
        held[conversation_id].add(counselor_id)
    for conversation_id, counselor_id in Conversation.objects.filter(pk__in=conversation_ids).values_list(
        "pk", "counselor_id"
    ):
        if counselor_id is not None:
            held[conversation_id].add(counselor_id)
    reviews: list[Review] = []
    unassigned = double = 0
    for sample_id, conversation_id in pending:
        eligible = sorted((r for r in reviewers if r not in held[conversation_id]), key=lambda r: (load[r], r))
        twice = rng.random() < double_share
        if not eligible:
            unassigned += 1
            continue
        picked = eligible[:2] if twice and len(eligible) >= 2 else eligible[:1]
        for reviewer_id in picked:
            load[reviewer_id] += 1
            reviews.append(Review(sample_id=sample_id, reviewer_id=reviewer_id, rubric=rubric, double=len(picked) == 2))
        double += len(picked) == 2
    Review.objects.bulk_create(reviews)
    return {"assigned": len(pending) - unassigned, "double": double, "unassigned": unassigned}


def daily_period(today: date) -> tuple[date, date]:
    """The daily job's period: the month of yesterday, up to yesterday (month to date)."""
    yesterday = today - timedelta(days=1)
    return yesterday.replace(day=1), yesterday
