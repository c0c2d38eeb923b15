"""The reference data the case work starts with, seeded by migrations and edited in the admin
afterwards: the deadline of every category and priority, and the kinds of matters handed over
(docs/cases.md, "Deadlines" and "Hand-offs")."""

from __future__ import annotations

from cases.models import CaseCategory, CasePriority, MatterKind

# Where a youth may be in danger (harm done to them or by them to themselves), the centre has
# less time at every priority but critical, which is the same for all.
HARM_CATEGORIES = frozenset({CaseCategory.CRISIS, CaseCategory.ABUSE, CaseCategory.SEXUAL_HARM, CaseCategory.BULLYING})

# (accept within hours, resolve within hours) by priority.
DEADLINES_HARM = {CasePriority.CRITICAL: (2, 72), CasePriority.URGENT: (6, 120), CasePriority.NORMAL: (24, 240)}
DEADLINES_OTHER = {CasePriority.CRITICAL: (2, 72), CasePriority.URGENT: (12, 168), CasePriority.NORMAL: (48, 360)}


def default_deadline(category: str, priority: int) -> tuple[int, int]:
    """The seeded (accept, resolve) hours of a category and priority; also the fallback when the
    admin deleted a rule."""
    table = DEADLINES_HARM if category in HARM_CATEGORIES else DEADLINES_OTHER
    return table.get(CasePriority(priority), table[CasePriority.NORMAL])


def deadline_rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for category in CaseCategory.values:
        for priority in CasePriority.values:
            accept, resolve = default_deadline(category, priority)
            rows.append(
                {
                    "category": category,
                    "priority": priority,
                    "accept_within_hours": accept,
                    "resolve_within_hours": resolve,
                }
            )
    return rows


P = MatterKind.HandsTo
# (code, Chinese name, English name, handed to). The first 23 are what Guangdong hands to the
# police (110) in one click (一键流转); the rest go to the other bodies a case is handed to.
MATTER_KINDS: tuple[tuple[str, str, str, str], ...] = (
    (
        "crisis_intervention",
        "心理危机干预（自杀、自伤风险）",
        "Crisis intervention (suicide or self-harm)",
        P.POLICE,
    ),
    ("mandatory_report", "侵害未成年人案件强制报告", "Mandatory report of harm to a minor", P.POLICE),
    ("missing_minor", "未成年人走失、失联", "Missing minor", P.POLICE),
    ("domestic_violence", "家庭暴力", "Domestic violence", P.POLICE),
    ("sexual_assault", "性侵害", "Sexual assault", P.POLICE),
    ("violent_bullying", "校园暴力、欺凌致伤", "Bullying with violence", P.POLICE),
    ("fraud", "电信网络诈骗", "Telecom or online fraud", P.POLICE),
    ("abduction", "拐卖、绑架", "Abduction or trafficking", P.POLICE),
    ("abandonment", "遗弃、不履行监护职责", "Abandonment or neglect by a guardian", P.POLICE),
    ("assault_in_progress", "正在发生的人身伤害", "Assault in progress", P.POLICE),
    ("extortion", "敲诈勒索、索要财物", "Extortion", P.POLICE),
    ("robbery", "抢劫、抢夺", "Robbery", P.POLICE),
    ("sextortion", "网络裸聊、性勒索", "Online sexual exploitation or sextortion", P.POLICE),
    ("child_labour", "非法使用童工", "Illegal child labour", P.POLICE),
    ("coerced_crime", "胁迫、组织未成年人乞讨或违法犯罪", "Minors forced into begging or crime", P.POLICE),
    ("drugs", "涉毒（吸毒、贩毒、诱骗吸毒）", "Drugs (use, dealing, luring)", P.POLICE),
    ("gang_recruitment", "引诱未成年人加入帮派、黑恶势力", "Recruitment into gangs", P.POLICE),
    ("unlawful_detention", "非法拘禁、限制人身自由", "Unlawful detention", P.POLICE),
    ("stalking_threats", "跟踪、威胁、骚扰", "Stalking, threats or harassment", P.POLICE),
    ("online_gambling", "网络赌博", "Online gambling", P.POLICE),
    (
        "unsuitable_premises",
        "未成年人进入不适宜场所（酒吧、网吧等）",
        "A minor in unsuitable premises (bars, cafés)",
        P.POLICE,
    ),
    ("runaway_at_risk", "离家出走且处于危险中", "Runaway in danger", P.POLICE),
    ("doxxing", "个人信息泄露、网络暴力", "Personal data exposed or online mobbing", P.POLICE),
    ("school_bullying", "校园欺凌的调查处置", "Bullying: the school investigates and acts", P.SCHOOL),
    ("school_dropout", "辍学劝返、复学安排", "Back to school after dropping out", P.SCHOOL),
    ("school_counselling", "学校心理老师跟进", "Follow-up by the school's counsellor", P.SCHOOL),
    ("procuratorate_12309", "未成年人检察（12309）", "Juvenile procuratorate (12309)", P.COURT),
    ("protection_order", "人身安全保护令、撤销监护资格", "Protection order or removal of guardianship", P.COURT),
    ("womens_rights_12338", "妇女儿童维权（12338）", "Women's and children's rights (12338)", P.WOMENS_FEDERATION),
    (
        "guardianship_care",
        "困境儿童保障、临时监护",
        "Children in hardship, temporary guardianship",
        P.CIVIL_AFFAIRS,
    ),
    ("hardship_aid", "临时救助、最低生活保障", "Emergency aid or subsistence allowance", P.CIVIL_AFFAIRS),
    ("mental_health_clinic", "精神卫生、心理门诊转介", "Referral to a mental-health clinic", P.HEALTH),
    ("medical_care", "伤情救治、医疗救助", "Medical care for injuries", P.HEALTH),
    ("legal_aid_12348", "法律援助（12348）", "Legal aid (12348)", P.LEGAL_AID),
)
