"""The counselor's desk (issue 9): canned replies (the library and one's own), private notes, and
the youth's earlier conversations; who may read and write them, what each read logs, and the
refusals (nothing changed). In-process, one rolled-back transaction a test."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client

from accounts.models import Role, User
from accounts.tokens import issue_access_token
from chat.models import Conversation, WrapUp
from desk import selectors, services
from desk.models import CannedReply, ConversationNote
from desk.services import ReplyInput
from moderation.models import TranscriptAccess
from protocol.errors import Refused

pytestmark = pytest.mark.django_db

HTTP = Client(HTTP_HOST="127.0.0.1")
ACTIVE, ENDED = Conversation.Status.ACTIVE, Conversation.Status.ENDED


def call(method: str, path: str, body: object | None = None, *, user: User | None) -> tuple[int, dict | None]:
    headers = {"Authorization": f"Bearer {issue_access_token(user_id=user.pk, role=user.role)}"} if user else {}
    data = json.dumps(body) if body is not None else None
    answer = HTTP.generic(method, f"/api/v1/{path}", data or "", content_type="application/json", headers=headers)
    return answer.status_code, json.loads(answer.content) if answer.content else None


def accesses(user: User) -> list[tuple[int, str]]:
    return sorted(TranscriptAccess.objects.filter(user=user).values_list("conversation_id", "purpose"))


# ── canned replies ──────────────────────────────────────────────────────────────────────────
def test_the_library_ships_in_both_languages_with_the_essentials():
    for language in ("zh-hans", "en"):
        shortcuts = set(CannedReply.objects.filter(owner=None, language=language).values_list("shortcut", flat=True))
        assert {"hi", "privacy", "safe", "feel", "bye"} <= shortcuts
    safe = CannedReply.objects.get(owner=None, language="zh-hans", shortcut="safe")
    assert "自杀" in safe.text  # asked in so many words
    privacy = CannedReply.objects.get(owner=None, language="en", shortcut="privacy")
    assert "110" in privacy.text and "exception" in privacy.text  # the limit of confidentiality is said


def test_a_counselor_gets_their_own_replies_then_the_library_in_their_language(make_counselor):
    me, other = make_counselor(), make_counselor()
    mine = services.do_create_reply(user_id=me.pk, reply=ReplyInput(language="en", title="Mine", text="My words"))
    services.do_create_reply(user_id=other.pk, reply=ReplyInput(language="zh-hans", title="别人的", text="不给你看"))

    replies = selectors.replies_for(user_id=me.pk, language="zh-hans")
    assert replies[0] == mine
    library = replies[1:]
    assert library and all(not r.own and r.language == "zh-hans" for r in library)
    assert "别人的" not in {r.title for r in replies}
    assert {r.language for r in selectors.replies_for(user_id=me.pk, language="en-GB")[1:]} == {"en"}
    assert {r.language for r in selectors.replies_for(user_id=me.pk, language="fr")[1:]} == {"zh-hans"}


def test_a_reply_is_cleaned_and_its_shortcut_is_one_lower_case_word(make_counselor):
    me = make_counselor()
    reply = services.do_create_reply(
        user_id=me.pk,
        reply=ReplyInput(
            language="zh-hans", title=" <b>呼吸</b> ", text="慢慢<script>x</script>吸气", shortcut="/Breathe"
        ),
    )
    assert (reply.title, reply.shortcut, reply.own) == ("呼吸", "breathe", True)
    assert "<" not in reply.text
    for shortcut in ("two words", "a/b", "-x"):
        with pytest.raises(Refused) as refused:
            services.do_create_reply(
                user_id=me.pk, reply=ReplyInput(language="en", title="t", text="x", shortcut=shortcut)
            )
        assert refused.value.code == "invalid"
    # The same shortcut twice in one language is refused; in the other language it is fine.
    with pytest.raises(Refused):
        services.do_create_reply(
            user_id=me.pk, reply=ReplyInput(language="zh-hans", title="t", text="x", shortcut="breathe")
        )
    services.do_create_reply(user_id=me.pk, reply=ReplyInput(language="en", title="t", text="x", shortcut="breathe"))
    assert CannedReply.objects.filter(owner=me).count() == 2


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        (ReplyInput(language="en", title="", text="x"), "invalid"),
        (ReplyInput(language="en", title="t", text="<br>"), "invalid"),
        (ReplyInput(language="fr", title="t", text="x"), "invalid"),
        (ReplyInput(language="en", title="t" * 61, text="x"), "too_large"),
        (ReplyInput(language="en", title="t", text="x" * 2001), "too_large"),
        (ReplyInput(language="en", title="t", text="x", shortcut="s" * 25), "too_large"),
    ],
)
def test_a_bad_reply_is_refused_and_nothing_is_stored(make_counselor, reply, code):
    me = make_counselor()
    with pytest.raises(Refused) as refused:
        services.do_create_reply(user_id=me.pk, reply=reply)
    assert refused.value.code == code
    assert not CannedReply.objects.filter(owner=me).exists()


def test_own_replies_are_bounded(make_counselor, monkeypatch):
    me = make_counselor()
    monkeypatch.setattr(services, "OWN_REPLIES_MAX", 2)
    for n in range(2):
        services.do_create_reply(user_id=me.pk, reply=ReplyInput(language="en", title=f"t{n}", text="x"))
    with pytest.raises(Refused):
        services.do_create_reply(user_id=me.pk, reply=ReplyInput(language="en", title="t3", text="x"))


def test_only_ones_own_reply_can_be_edited_or_deleted(make_counselor):
    me, other = make_counselor(), make_counselor()
    theirs = services.do_create_reply(user_id=other.pk, reply=ReplyInput(language="en", title="Theirs", text="x"))
    library = CannedReply.objects.filter(owner=None).first()
    assert library is not None
    for reply_id in (theirs.id, library.pk, 999_999):
        with pytest.raises(Refused) as refused:
            services.do_edit_reply(
                user_id=me.pk, reply_id=reply_id, reply=ReplyInput(language="en", title="Mine", text="y")
            )
        assert refused.value.code == "forbidden"
        with pytest.raises(Refused):
            services.do_delete_reply(user_id=me.pk, reply_id=reply_id)
    assert CannedReply.objects.get(pk=theirs.id).title == "Theirs"
    assert CannedReply.objects.filter(pk=library.pk).exists()

    mine = services.do_create_reply(user_id=me.pk, reply=ReplyInput(language="en", title="Mine", text="x"))
    edited = services.do_edit_reply(
        user_id=me.pk, reply_id=mine.id, reply=ReplyInput(language="zh-hans", title="我的", text="好", shortcut="ok")
    )
    assert (edited.id, edited.language, edited.title, edited.shortcut) == (mine.id, "zh-hans", "我的", "ok")
    services.do_delete_reply(user_id=me.pk, reply_id=mine.id)
    assert not CannedReply.objects.filter(pk=mine.id).exists()


def test_the_replies_endpoints(make_counselor, make_youth):
    me, other = make_counselor(), make_counselor()
    status, created = call(
        "POST", "desk/replies", {"language": "en", "title": "Mine", "text": "Hello", "shortcut": "hey"}, user=me
    )
    assert status == 201 and created is not None and created["own"] is True
    status, listed = call("GET", "desk/replies", user=me)
    assert status == 200 and listed is not None and listed["replies"][0]["id"] == created["id"]
    # Another counselor may neither change nor delete it: 403, and it is as it was.
    edit = {"id": created["id"], "language": "en", "title": "Taken", "text": "Hijacked"}
    assert call("PUT", "desk/replies", edit, user=other)[0] == 403
    assert call("DELETE", "desk/replies", {"id": created["id"]}, user=other)[0] == 403
    assert CannedReply.objects.get(pk=created["id"]).text == "Hello"
    assert call("PUT", "desk/replies", {**edit, "title": "Edited"}, user=me)[0] == 200
    assert call("DELETE", "desk/replies", {"id": created["id"]}, user=me)[0] == 204
    # A too-long text is refused by the schema; a youth or no token never gets in.
    assert call("POST", "desk/replies", {"language": "en", "title": "t", "text": "x" * 2001}, user=me)[0] == 400
    assert call("POST", "desk/replies", {"language": "en", "title": "", "text": "x"}, user=me)[0] == 400
    assert call("GET", "desk/replies", user=make_youth())[0] == 403
    assert call("GET", "desk/replies", user=None)[0] == 401


# ── private notes ───────────────────────────────────────────────────────────────────────────
def test_the_counselor_of_a_conversation_writes_and_reads_its_notes_unlogged(make_conversation, make_counselor):
    me = make_counselor()
    conversation = make_conversation(status=ACTIVE, counselor=me)
    note = services.do_add_note(
        user_id=me.pk, role=Role.COUNSELOR, conversation_id=conversation.pk, text=" <i>周五</i>月考 "
    )
    assert (note.text, note.author, note.author_role) == ("周五月考", me.shown_name, "counselor")
    assert services.read_notes(user_id=me.pk, role=Role.COUNSELOR, conversation_id=conversation.pk) == [note]
    assert accesses(me) == []  # inside the conversation: not an outsider's read


def test_notes_are_refused_to_other_counselors_and_youths_and_nothing_is_written(
    make_conversation, make_counselor, make_youth
):
    mine, other = make_counselor(), make_counselor()
    conversation = make_conversation(status=ACTIVE, counselor=mine)
    services.do_add_note(user_id=mine.pk, role=Role.COUNSELOR, conversation_id=conversation.pk, text="私密")
    youth = conversation.youth
    for user in (other, youth):
        for attempt in (
            lambda u=user: services.read_notes(user_id=u.pk, role=u.role, conversation_id=conversation.pk),
            lambda u=user: services.do_add_note(user_id=u.pk, role=u.role, conversation_id=conversation.pk, text="x"),
        ):
            with pytest.raises(Refused) as refused:
                attempt()
            assert refused.value.code == "forbidden"
    # A conversation that does not exist answers the same as one that is not yours.
    with pytest.raises(Refused) as refused:
        services.read_notes(user_id=other.pk, role=Role.COUNSELOR, conversation_id=999_999)
    assert refused.value.code == "forbidden"
    assert ConversationNote.objects.filter(conversation=conversation).count() == 1

    # Over HTTP: 403 for the other counselor, 403 for the youth's token (the role), nothing written.
    assert call("POST", "desk/notes", {"conversation": conversation.pk, "text": "x"}, user=other)[0] == 403
    assert call("POST", "desk/notes/read", {"conversation": conversation.pk}, user=other)[0] == 403
    assert call("POST", "desk/notes/read", {"conversation": conversation.pk}, user=youth)[0] == 403
    assert ConversationNote.objects.filter(conversation=conversation).count() == 1
    assert accesses(other) == []


def test_a_note_stays_writable_until_the_wrapup_then_the_counselor_loses_it(make_conversation, make_counselor):
    me = make_counselor()
    conversation = make_conversation(status=ENDED, counselor=me)  # ended by the youth: wrap-up due
    services.do_add_note(user_id=me.pk, role=Role.COUNSELOR, conversation_id=conversation.pk, text="等待跟进")
    WrapUp.objects.create(conversation=conversation, counselor=me, category="family", risk_level=1, summary="s")
    with pytest.raises(Refused):
        services.read_notes(user_id=me.pk, role=Role.COUNSELOR, conversation_id=conversation.pk)


def test_empty_long_and_too_many_notes_are_refused(make_conversation, make_counselor, monkeypatch):
    me = make_counselor()
    conversation = make_conversation(status=ACTIVE, counselor=me)
    for text, code in (("  ", "invalid"), ("<p></p>", "invalid"), ("x" * 2001, "too_large")):
        with pytest.raises(Refused) as refused:
            services.do_add_note(user_id=me.pk, role=Role.COUNSELOR, conversation_id=conversation.pk, text=text)
        assert refused.value.code == code
    monkeypatch.setattr(selectors, "NOTES_MAX", 1)
    services.do_add_note(user_id=me.pk, role=Role.COUNSELOR, conversation_id=conversation.pk, text="one")
    with pytest.raises(Refused):
        services.do_add_note(user_id=me.pk, role=Role.COUNSELOR, conversation_id=conversation.pk, text="two")
    assert ConversationNote.objects.filter(conversation=conversation).count() == 1


def test_a_supervisor_reads_and_writes_notes_and_each_read_is_logged(
    make_conversation, make_counselor, make_supervisor
):
    supervisor = make_supervisor()
    conversation = make_conversation(status=ACTIVE, counselor=make_counselor())
    status, note = call(
        "POST", "desk/notes", {"conversation": conversation.pk, "text": "督导：注意家庭情况"}, user=supervisor
    )
    assert status == 201 and note is not None and note["author_role"] == "supervisor"
    status, notes = call("POST", "desk/notes/read", {"conversation": conversation.pk}, user=supervisor)
    assert status == 200 and notes is not None and [n["text"] for n in notes["notes"]] == ["督导：注意家庭情况"]
    assert accesses(supervisor) == [(conversation.pk, "history")]
    assert call("POST", "desk/notes/read", {"conversation": 999_999}, user=supervisor)[0] == 404


# ── the youth's earlier conversations ──────────────────────────────────────────────────────
@pytest.fixture
def returning_youth(make_youth, make_conversation, make_counselor):
    """A youth who talked to one counselor twice before (one wrapped up, one not) and now talks to
    another; plus what must not show: another youth's conversation, a request they cancelled."""
    youth = make_youth("小林")
    first_counselor, now_counselor = make_counselor(), make_counselor()
    older = make_conversation(status=ENDED, counselor=first_counselor, youth=youth, ago_s=20 * 86400)
    earlier = make_conversation(status=ENDED, counselor=first_counselor, youth=youth, ago_s=3 * 86400, topic="legal")
    for conversation in (older, earlier):
        conversation.ended_at = conversation.requested_at + timedelta(minutes=30)
        conversation.save(update_fields=["ended_at"])
    WrapUp.objects.create(
        conversation=earlier,
        counselor=first_counselor,
        category="family",
        risk_level=2,
        summary="与父母冲突，有过自伤念头，已做安全计划。",
        needs_followup=True,
    )
    ConversationNote.objects.create(conversation=earlier, author=first_counselor, text="喜欢画画")
    make_conversation(status=Conversation.Status.CANCELLED, youth=youth, ago_s=86400)
    make_conversation(status=ENDED, counselor=first_counselor)  # someone else
    current = make_conversation(status=ACTIVE, counselor=now_counselor, youth=youth)
    return {"youth": youth, "current": current, "earlier": earlier, "older": older, "counselor": now_counselor}


def test_the_youths_current_counselor_sees_the_earlier_conversations_with_wrapups_and_each_read_is_logged(
    returning_youth,
):
    r = returning_youth
    shown = services.read_earlier_conversations(
        user_id=r["counselor"].pk, role=Role.COUNSELOR, conversation_id=r["current"].pk
    )
    assert [row.conversation for row in shown] == [r["earlier"].pk, r["older"].pk]  # newest first, ended only
    latest = shown[0]
    assert latest.topic == "legal" and latest.counselor is not None
    assert latest.wrapup is not None
    assert (latest.wrapup.category, latest.wrapup.risk_level, latest.wrapup.needs_followup) == ("family", 2, True)
    assert [note.text for note in latest.notes] == ["喜欢画画"]
    assert shown[1].wrapup is None and shown[1].notes == []
    assert accesses(r["counselor"]) == sorted([(r["earlier"].pk, "history"), (r["older"].pk, "history")])


def test_earlier_conversations_are_refused_to_anyone_but_the_current_counselor_and_supervisors(
    returning_youth, make_counselor, make_supervisor
):
    r = returning_youth
    stranger = make_counselor()
    for user, conversation_id in (
        (stranger, r["current"].pk),  # not theirs
        (r["youth"], r["current"].pk),  # the youth
        (r["counselor"], r["earlier"].pk),  # ended, and not theirs
    ):
        with pytest.raises(Refused) as refused:
            services.read_earlier_conversations(user_id=user.pk, role=user.role, conversation_id=conversation_id)
        assert refused.value.code == "forbidden"
    assert call("POST", "desk/earlier", {"conversation": r["current"].pk}, user=stranger)[0] == 403
    assert call("POST", "desk/earlier", {"conversation": "1; DROP"}, user=stranger)[0] == 400
    assert not TranscriptAccess.objects.filter(user__in=[stranger, r["youth"], r["counselor"]]).exists()

    # Once the chat is handed to someone else, its former counselor no longer sees the youth's past.
    r["current"].counselor = stranger
    r["current"].save(update_fields=["counselor"])
    with pytest.raises(Refused):
        services.read_earlier_conversations(
            user_id=r["counselor"].pk, role=Role.COUNSELOR, conversation_id=r["current"].pk
        )

    supervisor = make_supervisor()
    status, answer = call("POST", "desk/earlier", {"conversation": r["current"].pk}, user=supervisor)
    assert status == 200 and answer is not None
    assert [row["conversation"] for row in answer["conversations"]] == [r["earlier"].pk, r["older"].pk]
    assert answer["conversations"][0]["wrapup"]["summary"] == "与父母冲突，有过自伤念头，已做安全计划。"
    assert len(accesses(supervisor)) == 2


def test_a_first_time_youth_has_no_earlier_conversations_and_nothing_is_logged(make_conversation, make_counselor):
    me = make_counselor()
    conversation = make_conversation(status=ACTIVE, counselor=me)
    status, answer = call("POST", "desk/earlier", {"conversation": conversation.pk}, user=me)
    assert (status, answer) == (200, {"conversations": []})
    assert accesses(me) == []
