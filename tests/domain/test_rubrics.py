"""The rubric editor (issue 10): the checks of a rubric's items, publication as a new version (the
old one untouched, the reviews assigned with it keeping it), the audit row, the refusal of a
publication based on a version that is no longer current (409), also when two admins publish at
once on PostgreSQL, and the HTTP calls, for admins only. In-process, one rolled-back transaction
a test (the race: real transactions)."""

from __future__ import annotations

import importlib
import json
import threading
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client, override_settings
from django.utils import timezone

from accounts.models import Role, User
from accounts.tokens import issue_access_token
from chat.models import Conversation, Message
from protocol.errors import Refused
from quality import reviews, rubrics, services
from quality.models import Check, QualityAction, Review, Rubric, RubricItem
from quality.rubrics import RubricItemInput, RubricRejected, check_rubric_items, do_publish_rubric

HTTP = Client(HTTP_HOST="127.0.0.1")
DAY = date(2026, 11, 12)
SEED = importlib.import_module("quality.migrations.0002_seed")


@pytest.fixture
def seeded(db) -> Rubric:
    """The shipped version in use (put back when a transactional test elsewhere flushed it)."""
    rubric = Rubric.objects.filter(active=True).first()
    if rubric is None:
        rubric = Rubric.objects.create(version=1, name="Helpline conversation rubric", active=True)
        for position, (key, title, title_zh, description, description_zh, weight, critical, risk) in enumerate(
            SEED.ITEMS
        ):
            RubricItem.objects.create(
                rubric=rubric,
                key=key,
                title=title,
                title_zh=title_zh,
                description=description,
                description_zh=description_zh,
                weight=weight,
                critical=critical,
                min_risk_level=risk,
                position=position,
            )
    return rubric


def item(key: str = "rapport", **changes: Any) -> RubricItemInput:
    base = RubricItemInput(
        key=key,
        title="Opening",
        title_zh="开场",
        description="Greets warmly.",
        description_zh="热情问候。",
        weight=10,
    )
    return replace(base, **changes)


def person(role: str, name: str = "") -> User:
    number = User.objects.count() + 1
    return User.objects.create(username=f"rubric-{role}-{number}", role=role, display_name=name)


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


def problems_of(items: list[RubricItemInput]) -> set[tuple[str, str]]:
    with pytest.raises(RubricRejected) as refused:
        check_rubric_items(items=items)
    return {(p.field, p.code) for p in refused.value.problems}


def sampled_review(counselor: User, minute: int) -> Review:
    """An ended level-3 conversation (always sampled) of DAY, sampled and assigned now."""
    start = timezone.make_aware(datetime.combine(DAY, datetime.min.time())) + timedelta(hours=9, minutes=minute)
    youth = User.objects.create(username=f"rubric-youth-{minute}", role=Role.YOUTH)
    conversation = Conversation.objects.create(
        youth=youth,
        counselor=counselor,
        topic="psych",
        status=Conversation.Status.ENDED,
        risk_level=3,
        requested_at=start,
        queued_at=start,
        first_assigned_at=start,
        assigned_at=start,
        ended_at=start + timedelta(minutes=20),
        ended_by="youth",
    )
    Message.objects.create(
        conversation=conversation, seq=1, sender_role="counselor", client_id="a", text="你好", created_at=start
    )
    services.do_sample(since=DAY, until=DAY, seed=1, rate=0, min_per_counselor_month=0, double_share=0)
    return Review.objects.get(sample__conversation=conversation)


# ── checks ──────────────────────────────────────────────────────────────────────────────────
def test_a_valid_rubric_passes_trimmed_in_its_order():
    checked = check_rubric_items(
        items=[item("rapport", title="  Opening "), item("risk_assessment", critical=True, min_risk_level=2)]
    )
    assert [i.key for i in checked] == ["rapport", "risk_assessment"]
    assert checked[0].title == "Opening"
    assert checked[1].critical and checked[1].min_risk_level == 2


def test_every_problem_is_reported_with_its_field():
    found = problems_of(
        [
            item("rapport", weight=0),
            item("rapport", title_zh=" ", min_risk_level=5),
            item("Risk Assessment", description="x" * 1001, weight=101),
            item("", title="", description_zh=""),
            item("ok", title="t" * 101, min_risk_level=-1),
        ]
    )
    assert found == {
        ("items.0.weight", "range"),
        ("items.1.key", "duplicate"),
        ("items.1.title_zh", "required"),
        ("items.1.min_risk_level", "range"),
        ("items.2.key", "pattern"),
        ("items.2.description", "too_long"),
        ("items.2.weight", "range"),
        ("items.3.key", "required"),
        ("items.3.title", "required"),
        ("items.3.description_zh", "required"),
        ("items.4.title", "too_long"),
        ("items.4.min_risk_level", "range"),
    }


def test_one_to_thirty_items_and_slug_like_keys():
    assert problems_of([]) == {("items", "count")}
    assert problems_of([item(f"k{n}") for n in range(31)]) == {("items", "count")}
    assert len(check_rubric_items(items=[item(f"k{n}") for n in range(30)])) == 30
    assert problems_of([item("k" * 41)]) == {("items.0.key", "too_long")}
    assert problems_of([item("9lives")]) == {("items.0.key", "pattern")}
    assert check_rubric_items(items=[item("a-b_9", weight=1), item("z", weight=100, min_risk_level=4)])


@override_settings(QA_GRADE_E_BELOW=40)
def test_the_grade_bands_follow_the_setting():
    bands = [(b.grade, b.low, b.high, b.passed) for b in rubrics.grade_bands()]
    assert bands == [
        ("A", 90, 100, True),
        ("B", 80, 89, True),
        ("C", 60, 79, True),
        ("D", 40, 59, False),
        ("E", 0, 39, False),
    ]
    with override_settings(QA_GRADE_E_BELOW=0):
        assert [b.grade for b in rubrics.grade_bands()] == ["A", "B", "C", "D"]


# ── publication ─────────────────────────────────────────────────────────────────────────────
def test_publishing_writes_a_new_version_and_keeps_the_old_one(seeded):
    admin = person(Role.ADMIN, name="管理员甲")
    before = list(RubricItem.objects.filter(rubric=seeded).values_list("key", "title", "weight", "position"))
    row = do_publish_rubric(
        admin_id=admin.pk,
        items=[item("rapport", weight=30), item("risk_assessment", critical=True, min_risk_level=2, weight=70)],
        based_on_version=seeded.version,
        note="  合并为两项 ",
    )
    assert row.version == seeded.version + 1 and row.active and row.name == seeded.name
    assert row.total_weight == 100 and row.published_by == "管理员甲" and row.note == "合并为两项"
    assert [(i.key, i.weight, i.critical) for i in row.items] == [("rapport", 30, False), ("risk_assessment", 70, True)]
    seeded.refresh_from_db()
    assert not seeded.active
    assert list(RubricItem.objects.filter(rubric=seeded).values_list("key", "title", "weight", "position")) == before
    assert Rubric.objects.filter(active=True).count() == 1
    action = QualityAction.objects.get(action=rubrics.PUBLISH_ACTION)
    assert action.user_id == admin.pk
    assert action.detail == {
        "version": row.version,
        "based_on": seeded.version,
        "items": 2,
        "total_weight": 100,
        "note": "合并为两项",
    }
    current = rubrics.current_rubric()
    assert current is not None and current.version == row.version
    versions = rubrics.rubric_versions()
    assert [(r.version, r.active) for r in versions] == [(row.version, True), (seeded.version, False)]
    assert versions[1].published_by == ""  # the shipped version


def test_a_publication_based_on_an_old_version_is_refused_and_writes_nothing(seeded):
    admin = person(Role.ADMIN)
    do_publish_rubric(admin_id=admin.pk, items=[item()], based_on_version=seeded.version)
    with pytest.raises(Refused) as refused:
        do_publish_rubric(admin_id=admin.pk, items=[item("other")], based_on_version=seeded.version)
    assert refused.value.http_status == 409
    assert Rubric.objects.count() == 2 and QualityAction.objects.filter(action=rubrics.PUBLISH_ACTION).count() == 1
    with pytest.raises(RubricRejected):  # checked before anything is locked or written
        do_publish_rubric(admin_id=admin.pk, items=[], based_on_version=seeded.version + 1)
    assert Rubric.objects.count() == 2


def test_only_an_active_admin_publishes(seeded):
    for role in (Role.SUPERVISOR, Role.COUNSELOR):
        with pytest.raises(Refused) as refused:
            do_publish_rubric(admin_id=person(role).pk, items=[item()], based_on_version=seeded.version)
        assert refused.value.code == "forbidden"
    gone = person(Role.ADMIN)
    User.objects.filter(pk=gone.pk).update(is_active=False)
    with pytest.raises(Refused):
        do_publish_rubric(admin_id=gone.pk, items=[item()], based_on_version=seeded.version)
    assert Rubric.objects.count() == 1


def test_reviews_keep_their_version_and_new_assignments_take_the_new_one(seeded):
    Check.objects.update(enabled=False)
    admin, counselor = person(Role.ADMIN), person(Role.COUNSELOR)
    reviewer = person(Role.SUPERVISOR)
    old_review = sampled_review(counselor, 0)
    assert old_review.rubric_id == seeded.pk
    new = do_publish_rubric(admin_id=admin.pk, items=[item("only_item", weight=5)], based_on_version=seeded.version)
    new_review = sampled_review(counselor, 30)
    assert new_review.rubric.version == new.version
    old_review.refresh_from_db()
    assert old_review.rubric_id == seeded.pk
    # The old review is scored on the old items, the new one on the new item.
    old_keys = list(RubricItem.objects.filter(rubric=seeded, min_risk_level__lte=3).values_list("key", flat=True))
    done = reviews.do_submit_review(
        reviewer_id=reviewer.pk,
        review_id=old_review.pk,
        scores=[reviews.ScoreInput(item=k, score=4) for k in old_keys],
        comment="",
    )
    assert done.rubric_version == seeded.version and done.grade == "A"
    done = reviews.do_submit_review(
        reviewer_id=reviewer.pk,
        review_id=new_review.pk,
        scores=[reviews.ScoreInput(item="only_item", score=2)],
        comment="",
    )
    assert done.rubric_version == new.version and done.score == 50.0
    by_version = {r.version: r.reviews for r in rubrics.rubric_versions()}
    assert by_version[seeded.version] == 1 and by_version[new.version] == 1


# ── HTTP ────────────────────────────────────────────────────────────────────────────────────
def wire(i: RubricItemInput) -> dict[str, Any]:
    return {
        "key": i.key,
        "title": i.title,
        "title_zh": i.title_zh,
        "description": i.description,
        "description_zh": i.description_zh,
        "weight": i.weight,
        "critical": i.critical,
        "min_risk_level": i.min_risk_level,
    }


@override_settings(QA_GRADE_E_BELOW=40)
def test_the_calls_are_for_admins_only(seeded):
    admin = person(Role.ADMIN)
    for role in (Role.SUPERVISOR, Role.COUNSELOR):
        other = person(role)
        assert call("GET", "quality/rubric", user=other)[0] == 403
        assert call("GET", "quality/rubric/versions", user=other)[0] == 403
        body = {"based_on_version": seeded.version, "items": [wire(item())]}
        assert call("POST", "quality/rubric/publish", body, user=other)[0] == 403
    assert Rubric.objects.count() == 1

    status, now = call("GET", "quality/rubric", user=admin)
    assert status == 200
    version = now["rubric"]["version"]
    assert version == seeded.version
    assert [b["grade"] for b in now["bands"]] == ["A", "B", "C", "D", "E"]
    assert now["bands"][3] == {"grade": "D", "low": 40, "high": 59, "passed": False}
    assert now["rubric"]["total_weight"] == 100 and len(now["rubric"]["items"]) == len(SEED.ITEMS)
    assert [i["key"] for i in now["rubric"]["items"]][:2] == ["rapport", "listening"]

    status, refusal = call(
        "POST",
        "quality/rubric/publish",
        {"based_on_version": version, "items": [wire(item(weight=0)), wire(item(title_zh=""))]},
        user=admin,
    )
    assert status == 400 and refusal["error"] == "invalid"
    assert {(p["field"], p["code"]) for p in refusal["problems"]} == {
        ("items.0.weight", "range"),
        ("items.1.key", "duplicate"),
        ("items.1.title_zh", "required"),
    }
    assert all(p["message"] for p in refusal["problems"])

    items = [*now["rubric"]["items"], wire(item("follow_up", weight=5))]
    status, made = call(
        "POST", "quality/rubric/publish", {"based_on_version": version, "note": "加随访", "items": items}, user=admin
    )
    assert status == 201, made
    assert made["version"] == version + 1 and made["total_weight"] == 105 and made["published_by"] == admin.username
    assert made["note"] == "加随访" and made["reviews"] == 0
    status, stale = call("POST", "quality/rubric/publish", {"based_on_version": version, "items": items}, user=admin)
    assert status == 409 and stale["error"] == "invalid"
    status, listed = call("GET", "quality/rubric/versions", user=admin)
    assert status == 200
    assert [(v["version"], v["active"]) for v in listed["versions"]] == [(version + 1, True), (version, False)]


# ── two admins at once ──────────────────────────────────────────────────────────────────────
@pytest.mark.django_db(transaction=True)
def test_two_admins_publishing_at_once_one_is_refused():
    if connection.vendor != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's; SQLite serializes write transactions anyway")
    # Earlier transactional tests flush the database: the seeded rubric may be gone.
    base = Rubric.objects.filter(active=True).first() or Rubric.objects.create(version=1, name="test", active=True)
    first = User.objects.create(username="rubric-a1", role=Role.ADMIN)
    second = User.objects.create(username="rubric-a2", role=Role.ADMIN)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def publish(admin: User, key: str) -> None:
        try:
            barrier.wait()
            results.append(do_publish_rubric(admin_id=admin.pk, items=[item(key)], based_on_version=base.version))
        except Exception as problem:  # noqa: BLE001 - kept for the assertions below, which show it
            results.append(problem)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publish, args=args) for args in ((first, "from_a1"), (second, "from_a2"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    published = [r for r in results if isinstance(r, rubrics.RubricRecord)]
    refused = [r for r in results if isinstance(r, Refused)]
    assert len(published) == 1 and len(refused) == 1, results
    assert refused[0].http_status == 409
    assert Rubric.objects.get(active=True).version == base.version + 1
    assert Rubric.objects.filter(version__gt=base.version).count() == 1
    assert QualityAction.objects.filter(action=rubrics.PUBLISH_ACTION).count() == 1
