"""An ended conversation sampled for quality review and assigned to a given supervisor, written
straight to a live stack's database (the sampling run would pick its own reviewer among every
supervisor of the shared stack). Used by the page test and the live OpenAPI test."""

from __future__ import annotations

TRANSCRIPT = [
    ("counselor", "你好，我是今天陪你聊天的老师。"),
    ("youth", "我叫王小明，手机号13912345678，最近压力好大"),
    ("counselor", "谢谢你愿意告诉我，愿意多说一点吗？"),
]


def assigned_review(stack, *, reviewer_id: int, counselor_id: int, youth_id: int, risk_level: int = 0) -> int:
    """The id of a review assigned to `reviewer_id`, of a conversation `counselor_id` held."""
    (conversation,) = stack.sql(
        "INSERT INTO chat_conversation (youth_id, counselor_id, topic, status, priority, risk_level, channel, region,"
        " requested_at, queued_at, first_assigned_at, assigned_at, within_service_hours, ended_by, end_reason,"
        " last_seq, ended_at) VALUES (%s, %s, 'psych', 'ended', 0, %s, 'web', '', now() - interval '40 minutes',"
        " now() - interval '40 minutes', now() - interval '39 minutes', now() - interval '39 minutes', true,"
        " 'youth', 'youth', %s, now() - interval '5 minutes') RETURNING id",
        (youth_id, counselor_id, risk_level, len(TRANSCRIPT)),
    )[0]
    for seq, (role, text) in enumerate(TRANSCRIPT, start=1):
        stack.sql(
            "INSERT INTO chat_message (conversation_id, seq, sender_role, client_id, text, created_at)"
            " VALUES (%s, %s, %s, %s, %s, now() - interval '30 minutes' + %s * interval '1 minute')",
            (conversation, seq, role, f"qa-{seq}", text, seq),
        )
    stack.sql(
        "INSERT INTO chat_wrapup (conversation_id, counselor_id, category, risk_level, summary, needs_followup,"
        " created_at) VALUES (%s, %s, '学业', %s, '王小明说学习压力大', false, now())",
        (conversation, counselor_id, risk_level),
    )
    (run,) = stack.sql(
        "INSERT INTO quality_samplingrun (since, until, seed, rate, min_per_counselor_month, double_share, source,"
        " counts, at) VALUES (current_date, current_date, 1, 0.05, 4, 0.1, 'command', '{}', now()) RETURNING id"
    )[0]
    (sample,) = stack.sql(
        "INSERT INTO quality_sample (run_id, conversation_id, counselor_id, reason, at)"
        " VALUES (%s, %s, %s, 'random', now()) RETURNING id",
        (run, conversation, counselor_id),
    )[0]
    (review,) = stack.sql(
        'INSERT INTO quality_review (sample_id, reviewer_id, rubric_id, status, "double", assigned_at,'
        " grade, critical_failed, comment, reply) SELECT %s, %s, id, 'assigned', false, now(), '', false, '', ''"
        " FROM quality_rubric WHERE active RETURNING id",
        (sample, reviewer_id),
    )[0]
    return review


def rubric_keys(stack, *, risk_level: int = 0) -> list[str]:
    return [
        key
        for (key,) in stack.sql(
            "SELECT i.key FROM quality_rubricitem i JOIN quality_rubric r ON r.id = i.rubric_id"
            " WHERE r.active AND i.min_risk_level <= %s ORDER BY i.position",
            (risk_level,),
        )
    ]


def submitted_review(
    stack,
    *,
    reviewer_id: int,
    counselor_id: int,
    youth_id: int,
    passed: bool = True,
    examples: bool = False,
    supervision_due: str | None = None,
) -> int:
    """A review of a conversation `counselor_id` held, submitted by `reviewer_id` (every item of
    the rubric scored 3, or, when not passed, the critical ones 0): with `examples`, a good and a
    poor line marked; with `supervision_due` (YYYY-MM-DD), a supervision session required."""
    review = assigned_review(stack, reviewer_id=reviewer_id, counselor_id=counselor_id, youth_id=youth_id)
    stack.sql(
        "INSERT INTO quality_reviewscore (review_id, item_id, score, comment)"
        " SELECT r.id, i.id, CASE WHEN %s AND i.critical THEN 0 ELSE 3 END,"
        " CASE WHEN i.position = (SELECT min(position) FROM quality_rubricitem WHERE rubric_id = r.rubric_id)"
        " THEN '开场温和自然' ELSE '' END"
        " FROM quality_review r JOIN quality_rubricitem i ON i.rubric_id = r.rubric_id WHERE r.id = %s",
        (not passed, review),
    )
    stack.sql(
        "UPDATE quality_review SET status = 'submitted', score = %s, grade = %s, passed = %s, critical_failed = %s,"
        " comment = %s, submitted_at = now() WHERE id = %s",
        (
            75.0 if passed else 52.5,
            "C" if passed else "D",
            passed,
            not passed,
            "倾听很耐心，回应温暖。" if passed else "开场很温暖；下次在对方提到压力大时，可以更早直接询问安全情况。",
            review,
        ),
    )
    if examples:
        stack.sql(
            "INSERT INTO quality_transcriptexample (review_id, seq, kind, note, at) VALUES"
            " (%s, 3, 'good', '用开放式提问邀请对方多说', now()),"
            " (%s, 2, 'poor', '对方说压力好大：这里是先回应情绪、再询问安全情况的时机', now())",
            (review, review),
        )
    if supervision_due:
        stack.sql(
            "INSERT INTO quality_supervisionsession (review_id, counselor_id, requested_by_id, due_on, planned_at,"
            " notes) VALUES (%s, %s, %s, %s, now(), '')",
            (review, counselor_id, reviewer_id, supervision_due),
        )
    return review
