"""No servers: the frame decoder, text hygiene and the token buckets, in process."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings as hyp_settings, strategies as st

from chat import frames as chat_frames
from crisis import frames as crisis_frames
from moderation import ratelimit
from moderation.hygiene import clean_text, clean_text_reference
from moderation.ratelimit import KeyedLimiter, TokenBucket
from protocol import frames as f

WRAPUP = {"category": "情绪困扰", "risk_level": 2, "summary": "学业压力", "needs_followup": True}

# One valid example of every client frame type, with the struct it must decode into.
VALID: dict[str, tuple[dict, type[f.ClientFrame]]] = {
    "auth": ({"type": "auth", "token": "abc.def.ghi"}, f.Auth),
    "ping": ({"type": "ping"}, f.Ping),
    "consult.request": ({"type": "consult.request", "topic": "legal"}, chat_frames.ConsultRequest),
    "consult.cancel": ({"type": "consult.cancel", "conversation": 7}, chat_frames.ConsultCancel),
    "leave_message": (
        {"type": "leave_message", "conversation": 7, "text": "请回电", "contact": "138"},
        chat_frames.LeaveMessage,
    ),
    "survey.submit": (
        {"type": "survey.submit", "conversation": 7, "score": 5, "comment": "谢谢"},
        chat_frames.SurveySubmit,
    ),
    "presence": ({"type": "presence", "status": "available"}, chat_frames.Presence),
    "conversation.transfer": (
        {"type": "conversation.transfer", "conversation": 7, "topic": "aid"},
        chat_frames.ConversationTransfer,
    ),
    "wrapup.submit": ({"type": "wrapup.submit", "conversation": 7, "wrapup": WRAPUP}, chat_frames.WrapupSubmit),
    "queue.stats": ({"type": "queue.stats"}, chat_frames.QueueStatsRequest),
    "message.send": (
        {"type": "message.send", "conversation": 7, "client_id": "c-1", "text": "你好"},
        chat_frames.MessageSend,
    ),
    "history": ({"type": "history", "conversation": 7, "after_seq": 3}, chat_frames.HistoryRequest),
    "typing": ({"type": "typing", "conversation": 7}, chat_frames.Typing),
    "conversation.end": (
        {"type": "conversation.end", "conversation": 7, "wrapup": WRAPUP},
        chat_frames.ConversationEnd,
    ),
    "crisis.ack": ({"type": "crisis.ack", "alert": 9}, crisis_frames.CrisisAck),
    "crisis.verdict": (
        {"type": "crisis.verdict", "alert": 9, "verdict": {"real_risk": True, "category": "suicide", "level": 3}},
        crisis_frames.CrisisVerdict,
    ),
    "crisis.raise": (
        {"type": "crisis.raise", "conversation": 7, "category": "self_harm", "level": 2, "note": "她说手臂上有新的伤"},
        crisis_frames.CrisisRaise,
    ),
    "conversation.monitor": ({"type": "conversation.monitor", "conversation": 7}, crisis_frames.ConversationMonitor),
    "conversation.unmonitor": (
        {"type": "conversation.unmonitor", "conversation": 7},
        crisis_frames.ConversationUnmonitor,
    ),
    "whisper": ({"type": "whisper", "conversation": 7, "text": "问问她是否安全"}, crisis_frames.Whisper),
    "conversation.join": ({"type": "conversation.join", "conversation": 7}, crisis_frames.ConversationJoin),
    "referral.record": (
        {
            "type": "referral.record",
            "conversation": 7,
            "kind": "hotline",
            "target": "12348",
            "handed_over": "地址和电话",
            "at": "2025-01-01T10:00:00+08:00",
        },
        crisis_frames.ReferralRecord,
    ),
    "dashboard": ({"type": "dashboard"}, crisis_frames.DashboardRequest),
    "conversation.take": (
        {"type": "conversation.take", "conversation": 7, "counselor": 3, "over_capacity": True},
        crisis_frames.ConversationTake,
    ),
    "debrief.request": ({"type": "debrief.request", "conversation": 7}, crisis_frames.DebriefRequest),
    "debrief.done": ({"type": "debrief.done", "counselor": 3}, crisis_frames.DebriefDone),
}


# ----- protocol.frames ------------------------------------------------------------------------
def test_every_client_frame_type_has_an_example():
    assert sorted(VALID) == sorted(f.client_frame_types())


@pytest.mark.parametrize("type_", sorted(VALID))
def test_every_client_frame_decodes_from_a_valid_example(type_):
    example, cls = VALID[type_]
    for ref in ("r-1", 42, None):
        frame_dict = {**example, "ref": ref, "unknown_field": {"ignored": True}}
        decoded = f.decode_client_frame(json.dumps(frame_dict, ensure_ascii=False))
        assert type(decoded) is cls
        assert decoded.ref == ref
        for key, value in example.items():
            if key == "type":
                continue
            got = getattr(decoded, key)
            if isinstance(value, dict):
                got = {k: getattr(got, k) for k in value}
            assert got == value, key
    # bytes decode the same as text
    assert type(f.decode_client_frame(json.dumps(example).encode())) is cls


def test_optional_fields_take_their_defaults():
    assert f.decode_client_frame('{"type": "history", "conversation": 1}').after_seq == 0
    assert f.decode_client_frame('{"type": "conversation.end", "conversation": 1}').wrapup is None
    assert f.decode_client_frame('{"type": "survey.submit", "conversation": 1, "score": 1}').comment == ""
    referral = f.decode_client_frame(
        '{"type": "referral.record", "conversation": 1, "kind": "police_110", "handed_over": "x"}'
    )
    assert referral.target == "" and referral.at is None


BAD = [
    # (raw frame, the ref that must be salvaged)
    ("not json", None),
    ('{"type": "ping"', None),
    ("", None),
    ("[1, 2]", None),
    ('"ping"', None),
    ("42", None),
    ("null", None),
    ('{"ref": "no-type"}', "no-type"),
    ('{"type": "no.such.type", "ref": 5}', 5),
    ('{"type": 3, "ref": "t"}', "t"),
    ('{"type": null, "ref": "t"}', "t"),
    ('{"type": "message.send", "conversation": 1, "client_id": "a", "ref": "missing-text"}', "missing-text"),
    ('{"type": "message.send", "conversation": "1", "client_id": "a", "text": "x", "ref": 9}', 9),
    ('{"type": "message.send", "conversation": 1.0, "client_id": "a", "text": "x", "ref": 9}', 9),
    ('{"type": "message.send", "conversation": 1, "client_id": "", "text": "x", "ref": "cid"}', "cid"),
    ('{"type": "message.send", "conversation": 1, "client_id": "' + "c" * 65 + '", "text": "x", "ref": "cid"}', "cid"),
    ('{"type": "message.send", "conversation": 1, "client_id": "a", "text": 5, "ref": "txt"}', "txt"),
    ('{"type": "history", "conversation": 0, "ref": "zero"}', "zero"),
    ('{"type": "history", "conversation": -4, "ref": "neg"}', "neg"),
    ('{"type": "history", "conversation": 1, "after_seq": -1, "ref": "seq"}', "seq"),
    ('{"type": "history", "conversation": 18446744073709551616, "ref": "huge"}', "huge"),
    ('{"type": "survey.submit", "conversation": 1, "score": true, "ref": "bool"}', "bool"),
    ('{"type": "survey.submit", "conversation": 1, "score": 0, "ref": "s0"}', "s0"),
    ('{"type": "survey.submit", "conversation": 1, "score": 6, "ref": "s6"}', "s6"),
    ('{"type": "survey.submit", "conversation": 1, "score": "5", "ref": "s5"}', "s5"),
    ('{"type": "survey.submit", "conversation": 1, "score": 4.5, "ref": "sf"}', "sf"),
    ('{"type": "consult.request", "topic": "sports", "ref": "topic"}', "topic"),
    ('{"type": "presence", "status": "busy", "ref": "p"}', "p"),
    ('{"type": "auth", "token": 123, "ref": "tok"}', "tok"),
    ('{"type": "auth", "ref": "tok"}', "tok"),
    (
        (
            '{"type": "wrapup.submit", "conversation": 1, "wrapup": {"category": "x", "risk_level": 5, "summary": ""}, '
            '"ref": "w"}'
        ),
        "w",
    ),
    ('{"type": "wrapup.submit", "conversation": 1, "wrapup": "done", "ref": "w2"}', "w2"),
    (
        (
            '{"type": "conversation.end", "conversation": 1, '
            '"wrapup": {"category": "", "risk_level": 1, "summary": ""}, "ref": "w3"}'
        ),
        "w3",
    ),
    ('{"type": "referral.record", "conversation": 1, "kind": "fire_119", "handed_over": "x", "ref": "k"}', "k"),
    ('{"type": "referral.record", "conversation": 1, "kind": "hotline", "handed_over": "", "ref": "k2"}', "k2"),
    ('{"type": "crisis.ack", "alert": "3", "ref": "a"}', "a"),
    # a ref that is not a string or integer is itself a bad field, and is not echoed
    ('{"type": "ping", "ref": 1.5}', None),
    ('{"type": "ping", "ref": ["x"]}', None),
    ('{"type": "no.such.type", "ref": true}', None),
    ('{"type": "no.such.type", "ref": {"a": 1}}', None),
]


@pytest.mark.parametrize("raw,ref", BAD)
def test_bad_inputs_raise_bad_frame_with_ref_salvaged(raw, ref):
    with pytest.raises(f.BadFrame) as caught:
        f.decode_client_frame(raw)
    assert caught.value.ref == ref
    assert isinstance(caught.value.detail, str) and caught.value.detail
    # the same as bytes
    with pytest.raises(f.BadFrame) as caught_bytes:
        f.decode_client_frame(raw.encode())
    assert caught_bytes.value.ref == ref


def test_bad_frame_details_say_what_is_wrong():
    with pytest.raises(f.BadFrame, match="unknown frame type"):
        f.decode_client_frame('{"type": "no.such.type"}')
    with pytest.raises(f.BadFrame, match="no type"):
        f.decode_client_frame('{"conversation": 1}')
    with pytest.raises(f.BadFrame, match="score"):
        f.decode_client_frame('{"type": "survey.submit", "conversation": 1, "score": 6}')
    with pytest.raises(f.BadFrame, match="text"):
        f.decode_client_frame('{"type": "message.send", "conversation": 1, "client_id": "a"}')


def test_encode_renames_from_and_omits_defaults():
    whisper = json.loads(f.encode(crisis_frames.WhisperNotice(conversation=3, text="hi", from_="督导")))
    assert whisper == {"type": "whisper", "conversation": 3, "text": "hi", "from": "督导"}
    error = json.loads(f.encode(f.Error(code="invalid", detail="no")))
    assert error == {"type": "error", "code": "invalid", "detail": "no"}
    assert json.loads(f.encode(f.Error(code="forbidden", detail="no", ref=0)))["ref"] == 0


# ----- moderation.hygiene ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw,expected",
    [
        ("<b>你好</b>", "你好"),
        ("老师好 <b>我</b>有点难过", "老师好 我有点难过"),
        ('<a href="javascript:alert(1)" onclick="x()">点我</a>', "点我"),
        ("<img src=x onerror=alert(1)>", ""),
        ("before<!-- a comment -->after", "beforeafter"),
        ("<i>一</i><i>二</i>", "一二"),
        ("a < b and c > d", "a < b and c > d"),
        ("1 &lt; 2 &amp;&amp; 3 &gt; 2", "1 < 2 && 3 > 2"),
        ("AT&T", "AT&T"),
        ("&quot;引号&quot;", '"引号"'),
    ],
)
def test_markup_is_stripped_and_entities_decoded(raw, expected):
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;",
        "&#60;script&#62;alert(1)&#60;/script&#62;",
        "&#x3c;img src=x onerror=alert(1)&#x3e;",
        "<<script>script>alert(1)<</script>/script>",
        "&lt;b onmouseover=alert(1)&gt;hover&lt;/b&gt;",
    ],
)
def test_decoded_entities_never_revive_a_tag(raw):
    cleaned = clean_text(raw)
    lowered = cleaned.lower()
    assert "<script" not in lowered and "<img" not in lowered and "<b " not in lowered, cleaned
    # and cleaning is stable: what comes out is already clean
    assert clean_text(cleaned) == cleaned


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("a\x00b\x07c\x1bd\x7fe\x85f\x9fg", "abcdefg"),
        ("\u202eevil\u202c.exe", "evil.exe"),
        ("\u2066x\u2067y\u2068z\u2069", "xyz"),
        ("\u202a\u202b\u202dok", "ok"),
        ("\ufeffbom", "bom"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("crlf\r\nline\rend", "crlf\nline\nend"),
        ("a\n\n\n\n\nb", "a\n\nb"),
        ("   padded  \n", "padded"),
    ],
)
def test_control_and_bidi_characters_are_removed(raw, expected):
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    "raw,expected",
    [
        # the same characters must go when the text also holds markup or an entity (the full pass)
        ("a\x07<b>b</b>", "ab"),
        ("\x1b[31m & red", "[31m & red"),
        ("x\x0by &amp; z", "xy & z"),
        ("\u202e<i>evil</i>", "evil"),
    ],
)
def test_control_characters_are_removed_next_to_markup_too(raw, expected):
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    "text",
    [
        "你好，我最近压力很大，睡不着。",
        "我在學校被欺負了，不敢告訴爸媽。",
        "《青少年保护法》第三条：“未成年人享有生存权”——对吗？",
        "😢😢 还好吗～",
    ],
)
def test_chinese_text_is_untouched(text):
    assert clean_text(text) == text
    assert clean_text_reference(text) == text


@hyp_settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="<&", blacklist_categories=["Cs"]), max_size=80))
def test_fast_path_equals_reference_for_text_without_markup(text):
    assert clean_text(text) == clean_text_reference(text)


@hyp_settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab 中文\n\r\t<>&;#/ltgamp!-?x"), max_size=40))
def test_clean_text_is_idempotent_on_markup(text):
    cleaned = clean_text(text)
    assert clean_text(cleaned) == cleaned
    assert cleaned == cleaned.strip() and "\r" not in cleaned


UNSAFE = "\x00\x01\x07\x0b\x0c\x1b\x1f\x7f\x85\x9f\u202a\u202e\u2066\u2069\ufeff"


@hyp_settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab 中文\n<>&;/ltgamp" + UNSAFE), max_size=40))
def test_no_control_or_bidi_character_survives_and_none_is_replaced(text):
    cleaned = clean_text(text)
    assert not any(ch in cleaned for ch in UNSAFE), repr(cleaned)
    # removed, not replaced by a stand-in ("?" and U+FFFD are not in the alphabet)
    assert "?" not in cleaned and "\ufffd" not in cleaned, repr(cleaned)


# ----- moderation.ratelimit -------------------------------------------------------------------
class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(ratelimit, "time", fake)
    return fake


def test_token_bucket_allows_a_burst_then_refuses(clock):
    bucket = TokenBucket(rate=5, burst=3)
    assert [bucket.take() for _ in range(5)] == [True, True, True, False, False]


def test_token_bucket_refills_at_its_rate(clock):
    bucket = TokenBucket(rate=5, burst=3)
    for _ in range(3):
        assert bucket.take()
    assert not bucket.take()
    clock.now += 0.1  # half a token
    assert not bucket.take()
    clock.now += 0.1  # one token in all
    assert bucket.take()
    assert not bucket.take()
    clock.now += 0.4  # two tokens
    assert bucket.take() and bucket.take() and not bucket.take()


def test_token_bucket_never_saves_more_than_its_burst(clock):
    bucket = TokenBucket(rate=5, burst=3)
    clock.now += 3600
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]


def test_refused_takes_do_not_spend_tokens(clock):
    bucket = TokenBucket(rate=1, burst=1)
    assert bucket.take()
    for _ in range(10):
        assert not bucket.take()
    clock.now += 1.0
    assert bucket.take()


def test_token_bucket_cost(clock):
    bucket = TokenBucket(rate=1, burst=10)
    assert bucket.take(cost=7)
    assert not bucket.take(cost=4)
    assert bucket.take(cost=3)
    assert not bucket.take()


def test_keyed_limiter_keeps_a_bucket_per_key(clock):
    limiter = KeyedLimiter(rate=1, burst=2)
    assert limiter.allow("10.0.0.1") and limiter.allow("10.0.0.1")
    assert not limiter.allow("10.0.0.1")
    assert limiter.allow("10.0.0.2") and limiter.allow("10.0.0.2")
    assert not limiter.allow("10.0.0.2")
    clock.now += 1.0
    assert limiter.allow("10.0.0.1") and not limiter.allow("10.0.0.1")


def test_keyed_limiter_bounds_its_memory_and_evicts_the_least_recent(clock):
    limiter = KeyedLimiter(rate=0.001, burst=1, max_keys=3)
    for key in ("a", "b", "c"):
        assert limiter.allow(key)
    assert not limiter.allow("a")  # "a" is now the most recently used
    assert limiter.allow("d")  # evicts "b", the least recently used
    assert len(limiter._buckets) == 3
    assert not limiter.allow("a") and not limiter.allow("c") and not limiter.allow("d")
    assert limiter.allow("b")  # forgotten, so a fresh bucket
