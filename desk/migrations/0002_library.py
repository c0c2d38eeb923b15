"""The library a new deployment starts with: a helpline's trainers review and edit it in the admin.

Written as a crisis line trains its counselors: greet warmly and let the youth lead; say plainly
who reads the chat and the one limit of confidentiality (a danger to life); ask about suicide in
so many words (asking does not put the idea in a young person's head, and a direct question tells
them it can be talked about); then ask about a plan and the means at hand, and who is near; name
and accept the feeling before any advice; close with where to turn next. Each is a starting
point the counselor edits before sending, never a script sent as is.
"""

from django.db import migrations

LIBRARY = [
    # shortcut, zh-Hans title, zh-Hans text, English title, English text
    (
        "hi",
        "开场问候",
        "你好，我是今天在线陪你的咨询老师。谢谢你愿意来这里说说。你想从哪里说起都可以，我们慢慢来。",
        "Greeting",
        (
            "Hi, I'm the counselor who is here with you today. Thank you for reaching out. "
            "You can start wherever you like, and we can take our time."
        ),
    ),
    (
        "privacy",
        "保密和它的例外",
        (
            "你在这里说的话，只有我们的咨询老师和督导老师能看到，我们不会告诉你的家人、学校或其他任何人。"
            "只有一种情况例外：如果你或别人的生命安全有危险，我们会联系能保护你的人（比如 110、120），"
            "而且我会尽量先告诉你。关于这一点，你有什么想问的吗？"
        ),
        "Confidentiality and its limit",
        (
            "What you write here is read only by our counselors and supervisors. We won't tell your family, "
            "your school or anyone else. There is one exception: if your life or someone else's is in danger, "
            "we will contact people who can keep you safe (such as 110 or 120), and I will do my best to tell you "
            "first. Is there anything you'd like to ask about that?"
        ),
    ),
    (
        "feel",
        "接纳感受",
        "听起来这段时间你真的很辛苦。有这样的感受是可以理解的，你不需要一个人扛着。",
        "Validating feelings",
        (
            "It sounds like things have been really hard for you lately. It makes sense that you feel this way, "
            "and you don't have to carry it on your own."
        ),
    ),
    (
        "more",
        "邀请多说一点",
        "你愿意再多说一点吗？发生了什么，让你有这样的感觉？",
        "Inviting more",
        "Would you like to tell me a bit more? What happened that left you feeling this way?",
    ),
    (
        "safe",
        "直接询问自杀想法",
        (
            "我想直接问你一个问题，因为我很在意你的安全：你最近有没有想过自杀，或者想伤害自己？"
            "不管答案是什么，你都可以如实告诉我，我不会责怪你，我们可以一起面对。"
        ),
        "Asking about suicide directly",
        (
            "I'd like to ask you something directly, because your safety matters to me: have you been thinking "
            "about suicide, or about hurting yourself? Whatever the answer is, you can tell me honestly. "
            "I won't judge you, and we can face it together."
        ),
    ),
    (
        "plan",
        "了解计划和工具",
        (
            "谢谢你愿意告诉我，这需要很大的勇气。我想更清楚地了解你现在的情况：你有没有想过具体会怎么做？"
            "身边有没有可能用来伤害自己的东西？"
        ),
        "Asking about a plan and means",
        (
            "Thank you for telling me. That took courage. I'd like to understand where you are right now: "
            "have you thought about how you would do it? Is there anything near you that you could use to hurt yourself?"
        ),
    ),
    (
        "now",
        "此刻的安全和陪伴",
        (
            "你现在在哪里？身边有没有一个你信任的人，可以现在就陪着你？"
            "如果你觉得自己随时可能伤害自己，请马上拨打 120 或 110，我会一直在这里陪你。"
        ),
        "Safety right now",
        (
            "Where are you right now? Is there someone you trust who could be with you now? If you feel you "
            "might hurt yourself at any moment, please call 120 or 110 right away. I'll stay here with you."
        ),
    ),
    (
        "wait",
        "请稍等",
        "我在认真看你写的内容，稍等我一下，我还在这里。",
        "A moment, please",
        "I'm reading what you wrote carefully. Give me a moment; I'm still here.",
    ),
    (
        "bye",
        "结束和再联系",
        (
            "谢谢你今天来和我聊。愿意把这些说出来，已经很不容易了。之后如果又觉得难受，随时可以再来这里，"
            "或者拨打 12355。如果遇到危险，请马上拨打 110 或 120。照顾好自己。"
        ),
        "Closing",
        (
            "Thank you for talking with me today. Putting all this into words wasn't easy. If things feel hard "
            "again, you can come back here any time or call 12355. If you are ever in danger, call 110 or 120 "
            "right away. Take care of yourself."
        ),
    ),
]


def seed(apps, schema_editor):
    CannedReply = apps.get_model("desk", "CannedReply")
    for position, (shortcut, title_zh, text_zh, title_en, text_en) in enumerate(LIBRARY):
        CannedReply.objects.create(
            owner=None, language="zh-hans", title=title_zh, text=text_zh, shortcut=shortcut, position=position
        )
        CannedReply.objects.create(
            owner=None, language="en", title=title_en, text=text_en, shortcut=shortcut, position=position
        )


def unseed(apps, schema_editor):
    CannedReply = apps.get_model("desk", "CannedReply")
    CannedReply.objects.filter(owner=None, shortcut__in=[row[0] for row in LIBRARY]).delete()


class Migration(migrations.Migration):
    dependencies = [("desk", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
