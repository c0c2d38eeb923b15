"""The alert history (issue 9): the selector's filters, order and pages, the audit every search
writes, and the endpoint's role check and refusals. In-process, one rolled-back transaction a test."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role, User
from accounts.tokens import issue_access_token
from chat.models import Conversation
from crisis.models import Alert, AlertVerdict, SupervisorAction
from crisis.selectors import AlertHistoryFilter, alert_history
from crisis.services.alerts import do_ack_alert
from crisis.services.history import check_alert_history_filter, read_alert_history
from moderation.models import TranscriptAccess
from protocol.errors import Refused

pytestmark = pytest.mark.django_db

HTTP = Client(HTTP_HOST="127.0.0.1")
URL = "/api/v1/crisis/alerts/history"
ACTIVE = Conversation.Status.ACTIVE


@pytest.fixture
def raise_alert(make_conversation, make_counselor):
    """An alert raised `ago` before now, written straight to the database."""
    counselor = make_counselor()

    def make(
        *, excerpt: str = "我不想活了", category: str = "suicide", level: int = 3, ago: timedelta = timedelta(0)
    ) -> Alert:
        conversation = make_conversation(status=ACTIVE, counselor=counselor)
        at = timezone.now() - ago
        return Alert.objects.create(
            conversation=conversation,
            message_seq=1,
            category=category,
            level=level,
            excerpt=excerpt,
            created_at=at,
            last_raised_at=at,
        )

    return make


def judge(alert: Alert, supervisor: User, *, real: bool, note: str = "") -> None:
    AlertVerdict.objects.create(
        alert=alert,
        supervisor=supervisor,
        real_risk=real,
        category=alert.category if real else "",
        level=alert.level if real else None,
        note=note,
    )


def ids(page) -> list[int]:
    return [row.alert for row in page.rows]


def test_acknowledged_alerts_newest_first_with_who_when_and_the_verdict(raise_alert, make_supervisor):
    supervisor = make_supervisor()
    older = raise_alert(excerpt="昨天的", ago=timedelta(days=1))
    newer = raise_alert(excerpt="刚才的", ago=timedelta(minutes=5))
    still_open = raise_alert(excerpt="没人确认", ago=timedelta(minutes=1))
    for alert in (older, newer):
        do_ack_alert(supervisor_id=supervisor.pk, alert_id=alert.pk)
    judge(newer, supervisor, real=True, note="已转介")

    page = alert_history(filters=AlertHistoryFilter())

    assert ids(page) == [newer.pk, older.pk]  # the open one is on the board, not here
    assert page.total == 2
    first = page.rows[0]
    assert first.acknowledged_by == supervisor.shown_name
    assert first.acknowledged_at is not None and first.acknowledged_at >= first.raised_at
    assert first.verdict is not None
    assert (first.verdict.real_risk, first.verdict.category, first.verdict.level, first.verdict.note) == (
        True,
        "suicide",
        3,
        "已转介",
    )
    assert first.verdict.by == supervisor.shown_name
    assert page.rows[1].verdict is None
    # "all": the open ones too, in the same order.
    assert ids(alert_history(filters=AlertHistoryFilter(include_open=True))) == [still_open.pk, newer.pk, older.pk]


def test_each_filter_narrows_and_they_combine(raise_alert, make_supervisor):
    supervisor = make_supervisor()
    real = raise_alert(excerpt="我想吃药结束一切", category="suicide", level=4)
    false_alarm = raise_alert(excerpt="我要被作业杀死了", category="suicide", level=2)
    unjudged = raise_alert(excerpt="同学天天打我", category="bullying", level=2)
    for alert in (real, false_alarm, unjudged):
        do_ack_alert(supervisor_id=supervisor.pk, alert_id=alert.pk)
    judge(real, supervisor, real=True)
    judge(false_alarm, supervisor, real=False)

    def found(**filters) -> set[int]:
        return set(ids(alert_history(filters=AlertHistoryFilter(**filters))))

    assert found(category="bullying") == {unjudged.pk}
    assert found(level=2) == {false_alarm.pk, unjudged.pk}
    assert found(verdict="real") == {real.pk}
    assert found(verdict="false_alarm") == {false_alarm.pk}
    assert found(verdict="none") == {unjudged.pk}
    assert found(category="suicide", level=2, verdict="false_alarm") == {false_alarm.pk}
    assert found(text="吃药") == {real.pk}
    assert found(text="作业", verdict="real") == set()


def test_the_text_search_ignores_case_and_takes_wildcards_literally(raise_alert, make_supervisor):
    supervisor = make_supervisor()
    upper = raise_alert(excerpt="I want to DIE tonight")
    percent = raise_alert(excerpt="100% 没希望了")
    other = raise_alert(excerpt="1000 没希望了")
    for alert in (upper, percent, other):
        do_ack_alert(supervisor_id=supervisor.pk, alert_id=alert.pk)

    assert ids(alert_history(filters=AlertHistoryFilter(text="die"))) == [upper.pk]
    assert ids(alert_history(filters=AlertHistoryFilter(text="0%"))) == [percent.pk]
    assert ids(alert_history(filters=AlertHistoryFilter(text="1_0"))) == []


def test_the_date_range_takes_whole_days_in_the_deployments_time_zone(raise_alert, make_supervisor):
    supervisor = make_supervisor()
    day = timezone.localdate() - timedelta(days=3)  # in the past whatever the hour the test runs
    midnight = timezone.make_aware(datetime.combine(day, datetime.min.time()))  # TIME_ZONE's, not UTC's
    now = timezone.now()
    just_after_midnight = raise_alert(excerpt="那天凌晨", ago=now - midnight - timedelta(minutes=1))
    late_the_day_before = raise_alert(excerpt="前一天深夜", ago=now - midnight + timedelta(minutes=1))
    a_week_before = raise_alert(excerpt="一周前", ago=now - midnight + timedelta(days=7))
    for alert in (just_after_midnight, late_the_day_before, a_week_before):
        do_ack_alert(supervisor_id=supervisor.pk, alert_id=alert.pk)
    day_before = day - timedelta(days=1)

    def found(**filters) -> list[int]:
        return ids(alert_history(filters=AlertHistoryFilter(**filters)))

    assert found(since=day) == [just_after_midnight.pk]
    assert found(until=day_before) == [late_the_day_before.pk, a_week_before.pk]
    assert found(since=day_before, until=day_before) == [late_the_day_before.pk]
    assert found(since=day - timedelta(days=30), until=day) == [
        just_after_midnight.pk,
        late_the_day_before.pk,
        a_week_before.pk,
    ]


def test_pages(raise_alert, make_supervisor):
    supervisor = make_supervisor()
    alerts = [raise_alert(excerpt=f"第{n}条", ago=timedelta(minutes=n)) for n in range(5)]
    for alert in alerts:
        do_ack_alert(supervisor_id=supervisor.pk, alert_id=alert.pk)

    pages = [alert_history(filters=AlertHistoryFilter(page=n, page_size=2)) for n in (1, 2, 3, 4)]

    assert [ids(p) for p in pages] == [
        [alerts[0].pk, alerts[1].pk],
        [alerts[2].pk, alerts[3].pk],
        [alerts[4].pk],
        [],
    ]
    assert {p.total for p in pages} == {5}


def test_reading_the_history_is_audited_like_reading_a_transcript(raise_alert, make_supervisor):
    supervisor = make_supervisor()
    shown = raise_alert(excerpt="我不想活了")
    also_shown = raise_alert(excerpt="我不想活了，真的")
    not_shown = raise_alert(excerpt="被骗了两千块", category="fraud")
    for alert in (shown, also_shown, not_shown):
        do_ack_alert(supervisor_id=supervisor.pk, alert_id=alert.pk)

    page = read_alert_history(supervisor_id=supervisor.pk, filters=AlertHistoryFilter(text="  不想活  "))

    assert set(ids(page)) == {shown.pk, also_shown.pk}  # the text was stripped
    logged = TranscriptAccess.objects.filter(user=supervisor)
    assert sorted((a.conversation_id, a.user_id, a.purpose) for a in logged) == sorted(
        (alert.conversation_id, supervisor.pk, TranscriptAccess.Purpose.HISTORY) for alert in (shown, also_shown)
    )
    action = SupervisorAction.objects.filter(action="crisis.history").get()
    assert action.supervisor_id == supervisor.pk
    assert action.detail["filters"]["text"] == "不想活"
    assert sorted(action.detail["alerts"]) == sorted([shown.pk, also_shown.pk])


@pytest.mark.parametrize(
    ("filters", "problem"),
    [
        (AlertHistoryFilter(since=date(2026, 12, 2), until=date(2026, 12, 1)), "since is after until"),
        (AlertHistoryFilter(category="sadness"), "category"),
        (AlertHistoryFilter(level=5), "level"),
        (AlertHistoryFilter(verdict="maybe"), "verdict"),
        (AlertHistoryFilter(text="字" * 101), "text"),
        (AlertHistoryFilter(page=0), "page"),
        (AlertHistoryFilter(page_size=101), "page_size"),
    ],
)
def test_the_service_refuses_bad_filters_whoever_calls_it(filters, problem):
    with pytest.raises(Refused) as refused:
        check_alert_history_filter(filters)
    assert refused.value.code == "invalid" and problem in refused.value.detail


# ----- the endpoint -------------------------------------------------------------------------
def post(body: object, *, user: User | None) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {issue_access_token(user_id=user.pk, role=user.role)}"} if user else {}
    answer = HTTP.post(URL, json.dumps(body), content_type="application/json", headers=headers)
    return answer.status_code, json.loads(answer.content)


def test_the_endpoint_answers_a_supervisor_in_the_documented_shape(raise_alert, make_supervisor):
    supervisor = make_supervisor()
    alert = raise_alert(excerpt="我今晚就吃药自杀", level=4)
    do_ack_alert(supervisor_id=supervisor.pk, alert_id=alert.pk)
    judge(alert, supervisor, real=False, note="演练")

    status, body = post({"text": "吃药", "verdict": "false_alarm", "unknown": 1}, user=supervisor)

    assert status == 200, body
    assert (body["total"], body["page"], body["page_size"]) == (1, 1, 50)
    (row,) = body["alerts"]
    assert row["alert"] == alert.pk and row["conversation"] == alert.conversation_id
    assert (row["category"], row["level"], row["source"]) == ("suicide", 4, "detector")
    assert row["excerpt"] == "我今晚就吃药自杀"
    assert row["acknowledged_by"] == supervisor.shown_name
    assert datetime.fromisoformat(row["acknowledged_at"]) >= datetime.fromisoformat(row["raised_at"])
    assert {k: v for k, v in row["verdict"].items() if k != "at"} == {
        "real_risk": False,
        "category": "",
        "level": None,
        "note": "演练",
        "by": supervisor.shown_name,
    }
    assert TranscriptAccess.objects.filter(user=supervisor, conversation_id=alert.conversation_id).exists()


def test_only_supervisors_read_the_history(make_counselor, make_supervisor):
    admin = User.objects.create(username="admin-history", role=Role.ADMIN)
    assert post({}, user=None)[0] == 401
    assert post({}, user=make_counselor())[0] == 403
    # Admins edit the lexicon beside supervisors but read no youth's words.
    assert post({}, user=admin)[0] == 403
    assert post({}, user=make_supervisor())[0] == 200


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"level": 5}, "bad_request"),
        ({"level": "4"}, "bad_request"),
        ({"category": "sadness"}, "bad_request"),
        ({"verdict": "maybe"}, "bad_request"),
        ({"status": "open"}, "bad_request"),
        ({"since": "2026-13-01"}, "bad_request"),
        ({"since": "yesterday"}, "bad_request"),
        ({"text": "字" * 101}, "bad_request"),
        ({"text": "a\u0000b"}, "bad_request"),
        ({"page": 0}, "bad_request"),
        ({"page_size": 1000}, "bad_request"),
        ([], "bad_request"),
        ({"since": "2026-12-02", "until": "2026-12-01"}, "invalid"),
    ],
)
def test_bad_filters_are_a_clear_400(make_supervisor, body, error):
    supervisor = make_supervisor()
    status, answer = post(body, user=supervisor)
    assert (status, answer["error"]) == (400, error), answer
    assert answer["detail"]
    # A refused search shows nothing, so it reads nothing and logs nothing.
    assert not SupervisorAction.objects.filter(supervisor=supervisor, action="crisis.history").exists()


def test_the_schema_offers_the_detectors_categories():
    """The request schema spells the categories out (a Literal); they must be the detector's."""
    from typing import get_args

    from crisis import schemas
    from crisis.detection.model import CATEGORIES

    assert set(get_args(schemas.Category)) == set(CATEGORIES)
