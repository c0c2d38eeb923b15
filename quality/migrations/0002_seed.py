"""The shipped pre-screen checks and the first review rubric (zh-Hans and English)."""

from django.db import migrations

CHECKS = [
    # name, description, description_zh, weight, threshold
    (
        "first_response",
        "First counselor message within the limit after assignment (seconds)",
        "分配后咨询师首次回复及时（秒）",
        1.0,
        120,
    ),
    (
        "long_silence",
        "The youth never waited longer than the limit for the counselor (seconds)",
        "来访者等待咨询师回复不超过上限（秒）",
        1.0,
        300,
    ),
    (
        "risk_assessment",
        "At risk level 2 or more, the counselor asked about suicide or safety directly",
        "风险等级≥2时，咨询师直接询问了自杀或安全问题",
        1.0,
        None,
    ),
    ("referral", "Every level-4 conversation has a referral recorded", "风险等级4的会话均记录了转介", 1.0, None),
    (
        "wrapup_risk",
        "A wrap-up exists and its risk level is not below the detector's",
        "有结案记录，且其风险等级不低于系统检测",
        1.0,
        None,
    ),
    (
        "boundaries",
        "No personal contact details, offline meeting or promise of secrecy in counselor messages",
        "咨询师消息中无私人联系方式、线下见面或无条件保密承诺",
        1.0,
        None,
    ),
    ("survey", "The youth's survey score is above the limit (1-5)", "来访者满意度评分高于下限（1-5分）", 1.0, 2),
]

ITEMS = [
    # key, title, title_zh, description, description_zh, weight, critical, min_risk_level
    (
        "rapport",
        "Opening and rapport",
        "开场与关系建立",
        "Greets warmly, introduces the service and its confidentiality (with its limits), invites the youth to talk.",
        "热情问候，介绍服务与保密原则（及其例外），邀请来访者倾诉。",
        10,
        False,
        0,
    ),
    (
        "listening",
        "Listening and empathy",
        "倾听与共情",
        "Reflects feelings and content accurately, does not judge, lecture or rush to advice.",
        "准确回应情绪与内容，不评判、不说教、不急于给建议。",
        20,
        False,
        0,
    ),
    (
        "exploration",
        "Exploring the problem and resources",
        "问题探索与资源",
        "Clarifies what happened and what the youth wants; looks for people and strengths that can help.",
        "澄清发生了什么、来访者想要什么；寻找可以支持他的人和自身优势。",
        15,
        False,
        0,
    ),
    (
        "risk_assessment",
        "Risk assessment",
        "风险评估",
        "At risk, asks directly about suicide or self-harm, a plan, the means and whether the youth is safe now. Not done: the review fails.",
        "有风险时，直接询问自杀或自伤的想法、计划、工具以及当前是否安全。未做评估：本次质检不合格。",
        20,
        True,
        2,
    ),
    (
        "safety",
        "Safety plan and referral",
        "安全计划与转介",
        "Agrees concrete safety steps, involves a trusted adult or emergency services when needed, records the referral.",
        "与来访者商定具体的安全措施，必要时联系可信任的成人或紧急服务，并记录转介。",
        15,
        False,
        2,
    ),
    (
        "boundaries",
        "Professional boundaries and ethics",
        "专业边界与伦理",
        "No private contact, no meeting offline, no promise of secrecy about danger to life. A serious breach: the review fails.",
        "不留私人联系方式、不约线下见面、不对危及生命的情况承诺保密。严重违反：本次质检不合格。",
        10,
        True,
        0,
    ),
    (
        "closing",
        "Closing and record",
        "结束与记录",
        "Summarises, says how to come back, ends gently; the wrap-up is accurate, its risk level right.",
        "总结对话，告知如何再次求助，温和结束；结案记录准确，风险等级恰当。",
        10,
        False,
        0,
    ),
]


def seed(apps, schema_editor):
    Check = apps.get_model("quality", "Check")
    Rubric = apps.get_model("quality", "Rubric")
    RubricItem = apps.get_model("quality", "RubricItem")
    for position, (name, description, description_zh, weight, threshold) in enumerate(CHECKS):
        Check.objects.update_or_create(
            name=name,
            defaults={
                "description": description,
                "description_zh": description_zh,
                "weight": weight,
                "threshold": threshold,
                "position": position,
            },
        )
    rubric, _ = Rubric.objects.get_or_create(
        version=1, defaults={"name": "Helpline conversation rubric", "active": True}
    )
    for position, (key, title, title_zh, description, description_zh, weight, critical, min_risk) in enumerate(ITEMS):
        RubricItem.objects.update_or_create(
            rubric=rubric,
            key=key,
            defaults={
                "title": title,
                "title_zh": title_zh,
                "description": description,
                "description_zh": description_zh,
                "weight": weight,
                "critical": critical,
                "min_risk_level": min_risk,
                "position": position,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("quality", "Check").objects.filter(name__in=[c[0] for c in CHECKS]).delete()


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
