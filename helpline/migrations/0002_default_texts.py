"""The texts a new deployment starts with: the helpline reviews and edits them in the admin."""

from django.db import migrations

HOTLINES = [
    # number, Chinese label, English label, urgent
    ("110", "报警", "Police", True),
    ("120", "急救", "Ambulance", True),
    ("12355", "青少年服务台", "Youth hotline", False),
    # The national mental-health assistance line; a helpline replaces it with its local crisis line.
    ("12356", "心理援助热线", "Mental health hotline", False),
]

TEXTS = [
    {
        "level": 3,
        "title_zh": "你说的话我们很重视，正在请值班老师马上过来",
        "body_zh": "你不是一个人。一位有经验的老师会尽快来陪你。等的时候如果觉得撑不住，随时可以拨打上面的电话，有人会接。",
        "steps_zh": "",
        "title_en": "We take what you said seriously. We're bringing someone in now.",
        "body_en": "You're not alone. An experienced counselor is coming to be with you as soon as possible. "
        "If it feels like too much while you wait, call one of the numbers above at any time. Someone will answer.",
        "steps_en": "",
    },
    {
        "level": 4,
        "title_zh": "你的安全最重要，值班老师正在马上过来",
        "body_zh": "我们正在请值班老师立刻来陪你。如果你已经伤害了自己，或者马上就要这样做，请现在就拨打 120 或 110。",
        "steps_zh": "先离开可能伤害自己的东西（药、刀、绳子、高处），把它们放到别的房间，或者交给别人。\n"
        "去找身边的一个人：家人、室友、老师、邻居都可以，告诉他们你现在需要有人陪着。\n"
        "如果身边没有人，就拨打上面的电话，一直说下去，直到有人来。",
        "title_en": "Your safety matters most. Someone is coming right now.",
        "body_en": "We're bringing in a counselor to be with you right away. If you have already hurt yourself, "
        "or are about to, call 120 or 110 now.",
        "steps_en": "Get away from anything you could hurt yourself with (pills, a knife, a rope, a high place): "
        "put it in another room or give it to someone.\n"
        "Go to a person near you: family, a roommate, a teacher, a neighbour. Tell them you need someone with you now.\n"
        "If nobody is near, call one of the numbers above and keep talking until someone comes.",
    },
]


def add_defaults(apps, schema_editor):
    Hotline = apps.get_model("helpline", "Hotline")
    SafetyText = apps.get_model("helpline", "SafetyText")
    for position, (number, label_zh, label_en, urgent) in enumerate(HOTLINES):
        Hotline.objects.get_or_create(
            number=number, defaults={"label_zh": label_zh, "label_en": label_en, "urgent": urgent, "position": position}
        )
    for text in TEXTS:
        SafetyText.objects.get_or_create(level=text["level"], defaults=text)


class Migration(migrations.Migration):
    dependencies = [("helpline", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
