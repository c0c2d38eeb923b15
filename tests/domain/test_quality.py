"""Quality inspection (issue 10): the pre-screen of ended conversations, sampling runs and the
assignment of reviewers, review scoring and its refusals, the HTTP calls. In-process, one
rolled-back transaction a test."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from accounts.tokens import issue_access_token
from chat.models import Assignment, Conversation, Message, Survey, WrapUp
from crisis.models import Referral
from moderation.models import TranscriptAccess
from protocol.errors import Refused
from quality import reviews, selectors, services
from quality.models import Check, PreScreen, QualityAction, Review, Rubric, RubricItem, Sample, SamplingRun
from quality.reviews import ItemSpec, ScoreInput, grade_of, graded

pytestmark = pytest.mark.django_db

HTTP = Client(HTTP_HOST="127.0.0.1")
DAY = date(2026, 11, 10)


def at(minute: float, day: date = DAY) -> datetime:
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()), timezone.get_current_timezone())
    return start + timedelta(hours=10, minutes=minute)


@pytest.fixture
def ended(make_youth):
    """An ended, answered conversation: `lines` are (minute, role, text) after the assignment at minute 0."""

    def make(
        counselor: User,
        *,
        day: date = DAY,
        risk: int = 0,
        lines: list[tuple[float, str, str]] | None = None,
        wrapup_risk: int | None = -1,
        survey: int | None = None,
        end_minute: float = 30,
    ) -> Conversation:
        conversation = Conversation.objects.create(
            youth=make_youth(online=False),
            counselor=counselor,
            topic="psych",
            status=Conversation.Status.ENDED,
            risk_level=risk,
            requested_at=at(-1, day),
            queued_at=at(-1, day),
            first_assigned_at=at(0, day),
            assigned_at=at(0, day),
            ended_at=at(end_minute, day),
            ended_by="youth",
        )
        Assignment.objects.create(conversation=conversation, counselor=counselor, assigned_at=at(0, day))
        lines = (
            lines
            if lines is not None
            else [
                (0.5, "counselor", "你好，我在这里听你说。"),
                (1, "youth", "我最近很难过"),
                (2, "counselor", "谢谢你告诉我。"),
            ]
        )
        Message.objects.bulk_create(
            Message(
                conversation=conversation,
                seq=seq,
                sender_role=role,
                client_id=f"c{seq}",
                text=text,
                created_at=at(minute, day),
            )
            for seq, (minute, role, text) in enumerate(lines, start=1)
        )
        if wrapup_risk is not None:
            WrapUp.objects.create(
                conversation=conversation,
                counselor=counselor,
                category="学业",
                risk_level=risk if wrapup_risk == -1 else wrapup_risk,
                summary="学习压力",
            )
        if survey is not None:
            Survey.objects.create(conversation=conversation, score=survey, comment="谢谢")
        return conversation

    return make


def screened(conversation: Conversation) -> PreScreen:
    assert services.do_prescreen(conversation_id=conversation.pk)
    return PreScreen.objects.get(conversation=conversation)


def call(method: str, path: str, body: object | None = None, *, user: User) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {issue_access_token(user_id=user.pk, role=user.role)}"}
    answer = HTTP.generic(
        method,
        f"/api/v1/{path}",
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        headers=headers,
    )
    return answer.status_code, json.loads(answer.content) if answer.content else None


# ── pre-screen ──────────────────────────────────────────────────────────────────────────────
def test_the_prescreen_measures_response_silence_duration_and_messages(make_counselor, ended):
    conversation = ended(
        make_counselor(),
        lines=[
            (1.5, "counselor", "你好"),
            (2, "youth", "我想聊聊"),
            (2.5, "youth", "还在吗"),
            (9, "counselor", "在的，抱歉久等"),
            (10, "youth", "好"),
            (11, "counselor", "我们慢慢说"),
        ],
    )
    row = screened(conversation)
    assert row.first_response_s == 90
    assert row.longest_silence_s == 7 * 60  # from 2 to 9: the youth's first unanswered message counts
    assert row.duration_s == 30 * 60
    assert (row.youth_messages, row.counselor_messages) == (3, 3)
    assert row.results["long_silence"]["passed"] is False and row.results["first_response"]["passed"] is True
    assert row.failed and row.failed_checks == ["long_silence"]
    assert row.risk_assessed is None and row.results["risk_assessment"]["passed"] is None


def test_at_risk_the_counselor_must_ask_directly(make_counselor, ended):
    counselor = make_counselor()
    silent = screened(ended(counselor, risk=2))
    assert silent.risk_assessed is False and "risk_assessment" in silent.failed_checks
    asked = screened(
        ended(
            counselor,
            risk=2,
            lines=[
                (0.5, "counselor", "你好"),
                (1, "youth", "我不想活了"),
                (1.5, "counselor", "我想直接问你，你有没有想过自杀？"),
            ],
        )
    )
    assert asked.risk_assessed is True and asked.results["risk_assessment"]["passed"] is True


def test_level_four_needs_a_referral(make_counselor, make_supervisor, ended):
    counselor, supervisor = make_counselor(), make_supervisor()
    lines = [(0.5, "counselor", "你现在安全吗？"), (1, "youth", "不安全")]
    missing = screened(ended(counselor, risk=4, lines=lines))
    assert missing.results["referral"]["passed"] is False
    referred = ended(counselor, risk=4, lines=lines)
    Referral.objects.create(
        conversation=referred,
        supervisor=supervisor,
        kind="police_110",
        handed_over="位置",
        handed_over_at=timezone.now(),
    )
    assert screened(referred).results["referral"]["passed"] is True
    assert screened(ended(counselor, risk=3, lines=lines)).results["referral"]["passed"] is None


def test_the_wrapup_risk_level_against_the_detectors(make_counselor, ended):
    counselor = make_counselor()
    lines = [(0.5, "counselor", "你有伤害自己的想法吗？"), (1, "youth", "有")]
    assert screened(ended(counselor, risk=3, wrapup_risk=1, lines=lines)).results["wrapup_risk"]["passed"] is False
    assert screened(ended(counselor, risk=3, wrapup_risk=3, lines=lines)).results["wrapup_risk"]["passed"] is True
    assert screened(ended(counselor, wrapup_risk=None)).results["wrapup_risk"]["detail"] == "no wrap-up"


def test_boundary_problems_and_the_survey(make_counselor, ended):
    counselor = make_counselor()
    row = screened(
        ended(
            counselor,
            lines=[(0.5, "counselor", "加我微信吧"), (1, "youth", "好"), (1.2, "counselor", "我们周末见个面")],
            survey=1,
        )
    )
    assert row.results["boundaries"]["passed"] is False and "contact" in row.results["boundaries"]["detail"]
    assert row.results["survey"]["passed"] is False and row.survey_score == 1 and row.survey_comment == "谢谢"
    assert screened(ended(counselor, survey=5)).results["survey"]["passed"] is True


def test_a_disabled_check_does_not_run_and_a_threshold_is_the_rows(make_counselor, ended):
    Check.objects.filter(name="boundaries").update(enabled=False)
    Check.objects.filter(name="first_response").update(threshold=10)
    row = screened(ended(make_counselor(), lines=[(0.5, "counselor", "加我微信"), (1, "youth", "嗯")]))
    assert "boundaries" not in row.results
    assert row.results["first_response"]["passed"] is False


def test_the_sweep_screens_each_settled_ended_conversation_once(make_counselor, ended, make_conversation):
    counselor = make_counselor()
    settled = ended(counselor, day=timezone.localdate())
    just_ended = ended(counselor, day=timezone.localdate())
    now = timezone.now()
    Conversation.objects.filter(pk=settled.pk).update(ended_at=now - timedelta(hours=2))
    # The wrap-up and the survey come after the end: not screened before QA_PRESCREEN_DELAY_S.
    Conversation.objects.filter(pk=just_ended.pk).update(ended_at=now - timedelta(minutes=5))
    make_conversation(status=Conversation.Status.ACTIVE, counselor=counselor)
    assert services.do_prescreen_pending() == 1
    assert services.do_prescreen_pending() == 0
    assert list(PreScreen.objects.values_list("conversation_id", flat=True)) == [settled.pk]


def test_a_wrapup_or_a_survey_written_screens_the_conversation_again(
    make_counselor, ended, django_capture_on_commit_callbacks
):
    from huey.contrib.djhuey import HUEY

    conversation = ended(make_counselor(), wrapup_risk=None)
    with django_capture_on_commit_callbacks(execute=True):
        Survey.objects.create(conversation=conversation, score=5, comment="")
    assert [(t.name, t.args) for t in HUEY.scheduled()] == [("prescreen_conversation", (conversation.pk,))]


# ── sampling ────────────────────────────────────────────────────────────────────────────────
def month(counselors: list[User], per_counselor: int, ended, **kwargs) -> list[Conversation]:
    return [ended(c, day=date(2026, 11, 1 + i % 30), **kwargs) for c in counselors for i in range(per_counselor)]


NOV: dict = {"since": date(2026, 11, 1), "until": date(2026, 11, 30)}


def sampled() -> dict[int, str]:
    return dict(Sample.objects.values_list("conversation_id", "reason"))


def test_the_rate_and_each_counselors_minimum(make_counselor, make_supervisor, ended):
    make_supervisor()
    busy, quiet = [make_counselor() for _ in range(3)], make_counselor()
    month(busy, 60, ended)
    month([quiet], 5, ended)
    run = services.do_sample(**NOV, seed=7, rate=0.1, min_per_counselor_month=4, double_share=0)
    chosen = Sample.objects.all()
    assert run.counts["answered"] == 185 and chosen.count() == round(0.1 * 185) == 18
    per = {c.pk: chosen.filter(counselor=c).count() for c in [*busy, quiet]}
    assert min(per.values()) >= 4, per
    assert run.counts["minimum"] >= 4 and run.counts["random"] == 18 - run.counts["minimum"]


def test_the_minimum_wins_over_a_low_rate(make_counselor, make_supervisor, ended):
    make_supervisor()
    counselors = [make_counselor() for _ in range(4)]
    month(counselors, 20, ended)
    services.do_sample(**NOV, seed=7, rate=0.05, min_per_counselor_month=4, double_share=0)
    assert [Sample.objects.filter(counselor=c).count() for c in counselors] == [4, 4, 4, 4]  # 16, not 5% of 80


def test_the_minimum_is_prorated_for_shorter_periods():
    assert services.prorated_minimum(4, date(2026, 11, 1), date(2026, 11, 30)) == 4
    assert services.prorated_minimum(4, date(2026, 11, 1), date(2026, 11, 7)) == 1
    assert services.prorated_minimum(4, date(2026, 11, 1), date(2026, 11, 1)) == 0
    assert services.daily_period(date(2026, 12, 1)) == (date(2026, 11, 1), date(2026, 11, 30))


def test_high_risk_and_failed_checks_are_always_in(make_counselor, make_supervisor, ended):
    make_supervisor()
    counselor = make_counselor()
    asked = [(0.5, "counselor", "你有没有想过自杀？"), (1, "youth", "想过")]
    calm = month([counselor], 30, ended)
    high = [ended(counselor, risk=3, lines=asked) for _ in range(3)]
    failing = ended(counselor, lines=[(0.5, "counselor", "加我微信"), (1, "youth", "好")])
    services.do_sample(**NOV, seed=1, rate=0, min_per_counselor_month=0)
    assert sampled() == {**{c.pk: "high_risk" for c in high}, failing.pk: "failed_check"}
    assert not set(sampled()) & {c.pk for c in calm}


def test_a_failure_of_a_lighter_check_is_drawn_once_per_conversation(make_counselor, make_supervisor, ended):
    make_supervisor()
    Check.objects.filter(name="first_response").update(weight=0.5)
    slow = [(5, "counselor", "你好"), (6, "youth", "嗯"), (7, "counselor", "我在")]  # first response after 5 min
    for _ in range(40):
        ended(make_counselor(), lines=slow)
    services.do_sample(**NOV, seed=1, rate=0, min_per_counselor_month=0)
    drawn = sampled()
    assert 5 < len(drawn) < 35 and set(drawn.values()) == {"failed_check"}
    # Another run, another seed: the same draw, nothing added.
    assert services.do_sample(**NOV, seed=2, rate=0, min_per_counselor_month=0).counts["sampled"] == 0


def test_a_second_run_adds_nothing_and_a_seed_repeats_a_run(make_counselor, make_supervisor, ended):
    make_supervisor()
    month([make_counselor() for _ in range(2)], 50, ended)
    first = services.do_sample(**NOV, seed=12355, rate=0.1, min_per_counselor_month=4)
    picked = sampled()
    again = services.do_sample(**NOV, seed=99, rate=0.1, min_per_counselor_month=4)
    assert again.counts["sampled"] == 0 and sampled() == picked
    assert SamplingRun.objects.count() == 2 and QualityAction.objects.filter(action="sample").count() == 2
    run = SamplingRun.objects.get(pk=first.run)
    assert (run.seed, run.rate, run.min_per_counselor_month) == (12355, 0.1, 4)
    # The same seed over the same rows picks the same conversations.
    Review.objects.all().delete()
    Sample.objects.all().delete()
    services.do_sample(**NOV, seed=12355, rate=0.1, min_per_counselor_month=4)
    assert sampled() == picked
    Review.objects.all().delete()
    Sample.objects.all().delete()
    services.do_sample(**NOV, seed=12356, rate=0.1, min_per_counselor_month=4)
    assert sampled() != picked


def test_a_conversation_is_sampled_once_whatever_runs_overlap(make_counselor, ended):
    conversation = ended(make_counselor(), risk=3)
    services.do_sample(since=DAY, until=DAY, seed=1)
    run = SamplingRun.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Sample.objects.create(
            run=run, conversation=conversation, counselor_id=conversation.counselor_id, reason="random"
        )
    services.do_sample(since=date(2026, 11, 1), until=date(2026, 11, 30), seed=2)
    assert Sample.objects.filter(conversation=conversation).count() == 1


def test_reviewers_are_load_balanced_and_never_held_the_conversation(make_counselor, make_supervisor, ended):
    a, b, c = make_supervisor(), make_supervisor(), make_supervisor()
    counselor = make_counselor()
    month([counselor], 30, ended, risk=3, lines=[(0.5, "counselor", "你现在安全吗？"), (1, "youth", "安全")])
    # Supervisor a once held one of them (a take-over): never its reviewer.
    held = Conversation.objects.order_by("pk")[0]
    Assignment.objects.create(conversation=held, counselor=a, assigned_at=at(5))
    services.do_sample(**NOV, seed=3, double_share=0)
    loads = {s.pk: Review.objects.filter(reviewer=s).count() for s in (a, b, c)}
    assert sum(loads.values()) == 30 and max(loads.values()) - min(loads.values()) <= 1, loads
    assert not Review.objects.filter(sample__conversation=held, reviewer=a).exists()
    assert not Review.objects.filter(reviewer=counselor).exists()


def test_a_share_goes_to_two_blind_reviewers_and_nobody_eligible_waits(make_counselor, make_supervisor, ended):
    a, b = make_supervisor(), make_supervisor()
    month([make_counselor()], 10, ended, risk=3, lines=[(0.5, "counselor", "你现在安全吗？"), (1, "youth", "安全")])
    run = services.do_sample(**NOV, seed=5, double_share=1.0)
    assert run.counts["double"] == 10
    for sample in Sample.objects.all():
        assert sorted(sample.reviews.values_list("reviewer_id", flat=True)) == sorted([a.pk, b.pk])
        assert all(sample.reviews.values_list("double", flat=True))
    # A conversation its only supervisor held waits for a reviewer; a later run assigns it.
    own = ended(a, risk=3, day=date(2026, 11, 12))
    Review.objects.filter(reviewer=b).update(status=Review.Status.SUBMITTED)
    User.objects.filter(pk=b.pk).update(is_active=False)
    assert services.do_sample(**NOV, seed=6, double_share=0).counts["unassigned"] == 1
    assert not Review.objects.filter(sample__conversation=own).exists()
    User.objects.filter(pk=b.pk).update(is_active=True)
    services.do_sample(**NOV, seed=6, double_share=0)
    assert list(Review.objects.filter(sample__conversation=own).values_list("reviewer_id", flat=True)) == [b.pk]


def test_the_command_runs_a_sampling_run(make_counselor, make_supervisor, ended, capsys):
    from django.core.management import call_command

    make_supervisor()
    ended(make_counselor(), risk=3)
    call_command("qa_sample", "--since", "2026-11-01", "--until", "2026-11-30", "--seed", "42")
    out = json.loads(capsys.readouterr().out)
    assert out["seed"] == 42 and out["sampled"] == 1 and out["high_risk"] == 1


# ── reviews ─────────────────────────────────────────────────────────────────────────────────
def test_grades_and_the_critical_item():
    assert [grade_of(s, e_below=40) for s in (100, 90, 89.9, 80, 79, 60, 59, 40, 39)] == list("AABBCCDDE")
    items = [ItemSpec("a", 10, False), ItemSpec("risk", 20, True)]
    assert graded(items, {"a": 4, "risk": 4}) == (100.0, "A", True, False)
    assert graded(items, {"a": 4, "risk": 3}) == (83.3, "B", True, False)
    # A critical item not done fails the review whatever the score.
    many = [ItemSpec("a", 95, False), ItemSpec("risk", 5, True)]
    assert graded(many, {"a": 4, "risk": 0}) == (95.0, "D", False, True)


@pytest.fixture
def assigned(make_counselor, make_supervisor, ended):
    reviewer, other = make_supervisor(), make_supervisor()
    conversation = ended(
        make_counselor(),
        risk=3,
        lines=[
            (0.5, "counselor", "你好"),
            (1, "youth", "我的手机号是13912345678，我不想活了"),
            (2, "counselor", "你现在安全吗？"),
        ],
        survey=4,
    )
    services.do_sample(since=DAY, until=DAY, seed=1, double_share=0)
    review = Review.objects.get()
    if review.reviewer_id != reviewer.pk:
        reviewer, other = other, reviewer
    return review, reviewer, other, conversation


def full_scores(review: Review, value: int = 4) -> list[ScoreInput]:
    return [ScoreInput(item=i.key, score=value) for i in reviews.applicable_items(review, 3)]


def test_the_reviewer_reads_a_masked_transcript_and_the_read_is_logged(assigned):
    review, reviewer, _other, conversation = assigned
    detail = reviews.do_read_review(reviewer_id=reviewer.pk, review_id=review.pk)
    texts = " ".join(line.text for line in detail.transcript)
    assert "13912345678" not in texts and "〔手机号〕" in texts
    assert detail.prescreen is not None and detail.prescreen["risk_assessed"] is True
    assert detail.survey == {"score": 4, "comment": "谢谢"} and detail.wrapup is not None
    assert "risk_assessment" in {i.key for i in detail.items} and detail.reason == "high_risk"
    assert list(TranscriptAccess.objects.filter(user=reviewer).values_list("conversation_id", "purpose")) == [
        (conversation.pk, "quality")
    ]


def test_a_risk_item_is_not_scored_below_its_level(make_counselor, make_supervisor, ended):
    make_supervisor()
    ended(make_counselor(), wrapup_risk=None)  # fails the wrap-up check: sampled
    services.do_sample(since=DAY, until=DAY, seed=1)
    review = Review.objects.get()
    assert {"risk_assessment", "safety"}.isdisjoint({i.key for i in reviews.applicable_items(review, 0)})


def test_submitting_scores_grades_and_is_final(assigned):
    review, reviewer, other, _conversation = assigned
    with pytest.raises(Refused) as refused:
        reviews.do_submit_review(reviewer_id=other.pk, review_id=review.pk, scores=full_scores(review), comment="")
    assert refused.value.code == "forbidden"
    with pytest.raises(Refused) as refused:
        reviews.do_submit_review(
            reviewer_id=reviewer.pk, review_id=review.pk, scores=full_scores(review)[1:], comment=""
        )
    assert refused.value.code == "invalid" and "missing" in refused.value.detail
    with pytest.raises(Refused):
        reviews.do_submit_review(
            reviewer_id=reviewer.pk,
            review_id=review.pk,
            scores=[*full_scores(review), ScoreInput("nope", 1)],
            comment="",
        )
    assert not review.scores.exists()
    scores = [ScoreInput(s.item, 0 if s.item == "risk_assessment" else 4, "") for s in full_scores(review)]
    done = reviews.do_submit_review(
        reviewer_id=reviewer.pk, review_id=review.pk, scores=scores, comment="<b>未评估</b>"
    )
    assert done.critical_failed and done.grade == "D" and done.passed is False and done.comment == "未评估"
    assert Rubric.objects.get(active=True).version == done.rubric_version == 1
    with pytest.raises(Refused) as refused:
        reviews.do_submit_review(reviewer_id=reviewer.pk, review_id=review.pk, scores=full_scores(review), comment="")
    assert refused.value.http_status == 409
    assert QualityAction.objects.filter(action="submit", review_id=review.pk).count() == 1


def test_the_http_calls(assigned, make_counselor):
    review, reviewer, other, _conversation = assigned
    status, mine = call("GET", "quality/reviews", user=reviewer)
    assert status == 200 and [r["review"] for r in mine["reviews"]] == [review.pk]
    assert call("GET", "quality/reviews", user=other)[1] == {"reviews": []}
    assert call("GET", "quality/reviews", user=make_counselor())[0] == 403
    assert call("POST", "quality/reviews/read", {"review": review.pk}, user=other)[0] == 403
    assert call("POST", "quality/reviews/read", {"review": 10**9}, user=reviewer)[0] == 404
    status, detail = call("POST", "quality/reviews/read", {"review": review.pk}, user=reviewer)
    assert status == 200 and "〔手机号〕" in detail["transcript"][1]["text"]
    body = {"review": review.pk, "scores": [{"item": s.item, "score": 4} for s in full_scores(review)], "comment": "好"}
    status, state = call("POST", "quality/reviews/submit", body, user=reviewer)
    assert status == 200 and state["grade"] == "A" and state["passed"] is True
    assert call("POST", "quality/reviews/submit", body, user=reviewer)[0] == 409
    status, figures = call("POST", "quality/figures", {"since": "2026-11-10", "until": "2026-11-10"}, user=other)
    assert status == 200
    assert (figures["answered"], figures["inspected"], figures["qa_rate"], figures["pass_rate"]) == (1, 1, 1.0, 1.0)
    assert figures["grades"]["A"] == 1 and figures["prescreened"] == 1
    risk = next(c for c in figures["checks"] if c["check"] == "risk_assessment")
    assert (risk["screened"], risk["failed"]) == (1, 0)
    assert call("POST", "quality/figures", {"since": "2026-11-11", "until": "2026-11-10"}, user=other)[0] == 400


def test_figures_count_a_double_review_once_with_its_lower_grade(assigned):
    review, reviewer, other, _conversation = assigned
    second = Review.objects.create(sample=review.sample, reviewer=other, rubric=review.rubric, double=True)
    reviews.do_submit_review(reviewer_id=reviewer.pk, review_id=review.pk, scores=full_scores(review), comment="")
    reviews.do_submit_review(reviewer_id=other.pk, review_id=second.pk, scores=full_scores(review, 2), comment="")
    row = selectors.figures(since=DAY, until=DAY)
    assert row.inspected == 1 and row.grades["D"] == 1 and row.passed == 0
    # The pair is a calibration pair: far apart, one passes and one fails.
    assert (row.calibration.pairs, row.calibration.within_10, row.calibration.pass_agreement) == (1, 0.0, 0.0)
    assert sorted(r.reviewer for r in row.calibration_by_reviewer) == sorted([reviewer.pk, other.pk])


def test_the_admin_edits_checks_and_keeps_a_used_rubric_as_it_was(assigned):
    admin = User.objects.create_superuser(username="qa-admin", password="x-pass-123", role=Role.ADMIN)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)
    assert client.get("/admin/quality/check/").status_code == 200
    rubric = Rubric.objects.get(active=True)
    unused = Rubric.objects.create(version=2, name="draft")
    RubricItem.objects.create(
        rubric=unused, key="x", title="X", title_zh="X", description="x", description_zh="x", weight=1
    )
    assert 'name="items-0-weight"' in client.get(f"/admin/quality/rubric/{unused.pk}/change/").content.decode()
    page = client.get(f"/admin/quality/rubric/{rubric.pk}/change/")
    assert page.status_code == 200
    # Reviews were assigned with it: its items are shown, not editable (a change is a new version).
    assert 'name="items-0-weight"' not in page.content.decode()
    assert client.get("/admin/quality/review/").status_code == 404  # reviews are not browsable there
