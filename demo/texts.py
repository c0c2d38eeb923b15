"""The words of the demo data: plausible counseling exchanges in Chinese, built from templates per
topic (psychological, legal, hardship aid) and per kind of problem, with slots filled at random.

Written for this project, not taken from any data set: no youth ever said these lines. Counselor
lines follow what the rubric asks (quality/migrations/0002_seed.py): a warm opening with the
limits of confidentiality, reflecting, exploring, a direct question about safety when there is a
risk, a closing that says how to come back. None names a personal contact or a meeting (the
pre-screen's boundary check), except the rare lines `BOUNDARY_SLIPS`, used on purpose for the
few conversations the pre-screen should catch.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

# ── slots ───────────────────────────────────────────────────────────────────────────────────
SLOTS: dict[str, tuple[str, ...]] = {
    "grade": ("初一", "初二", "初三", "高一", "高二", "高三", "中职二年级", "大一", "大二", "大三", "五年级", "六年级"),
    "parent": ("妈妈", "爸爸", "我爸妈", "我妈", "我爸", "奶奶", "外婆", "继父", "继母"),
    "peer": ("同桌", "室友", "班上几个男生", "班里的几个女生", "同宿舍的人", "隔壁班的人", "以前最好的朋友"),
    "teacher": ("班主任", "数学老师", "英语老师", "辅导员", "年级主任"),
    "when": ("最近两个星期", "这学期开学以来", "这一个月", "从上次月考之后", "寒假以后", "这几天", "快半年了"),
    "subject": ("数学", "物理", "英语", "化学", "语文", "专业课"),
    "exam": ("月考", "期中考试", "期末考试", "模拟考", "中考", "高考", "四级考试"),
    "amount": ("八百", "两千", "三千五", "五千", "一万二", "六百", "四千八"),
    "boss": ("奶茶店老板", "餐馆老板", "工厂的组长", "快递站的负责人", "培训机构", "电子厂的主管"),
    "app": ("游戏交易平台", "刷单群", "一个兼职App", "二手交易群", "所谓的客服", "网贷平台"),
    "feeling": ("很烦", "很累", "喘不过气", "心里堵得慌", "什么都不想做", "特别委屈", "很害怕"),
}


def fill(rng: random.Random, template: str) -> str:
    """The template with each {slot} replaced by a random value of that slot."""
    if "{" not in template:
        return template
    values = {name: rng.choice(options) for name, options in SLOTS.items() if "{" + name + "}" in template}
    return template.format(**values)


# ── what a conversation is about ────────────────────────────────────────────────────────────
@dataclass(frozen=True, slots=True)
class Problem:
    """One kind of problem: its wrap-up category (the console's list), how often it comes up within
    its topic, the case category a follow-up gets, the alert category when it turns risky, and the
    lines of both sides."""

    key: str
    topic: str
    weight: float
    wrapup_category: str
    case_category: str
    alert_category: str | None
    # The highest risk level it reaches (0: never alerts).
    max_risk: int
    openings: tuple[str, ...]
    details: tuple[str, ...]
    reflections: tuple[str, ...]
    questions: tuple[str, ...]
    answers: tuple[str, ...]
    suggestions: tuple[str, ...]
    summaries: tuple[str, ...]
    left_messages: tuple[str, ...] = ()
    case_summaries: tuple[str, ...] = ()
    extra: dict[str, tuple[str, ...]] = field(default_factory=dict)


PSYCH = (
    Problem(
        key="study",
        topic="psych",
        weight=0.24,
        wrapup_category="study",
        case_category="school",
        alert_category="self_harm",
        max_risk=3,
        openings=(
            "老师好，我{grade}，{when}学习压力特别大，晚上总是睡不着",
            "我{exam}又考砸了，不知道该怎么跟{parent}说",
            "你好，我想问问，学习跟不上是不是说明我很笨",
            "我每天写作业写到十二点，还是做不完，感觉{feeling}",
            "{exam}快到了，我一看书就心慌，手心出汗",
        ),
        details=(
            "{subject}上课完全听不懂，问同学又怕被笑",
            "{parent}说考不上重点高中就完了，天天拿我跟表哥比",
            "排名掉了十几名，{teacher}找我谈话了，我觉得很丢人",
            "我也想好好学，可是一坐下来脑子就是空的",
            "周末还有三个补习班，一点自己的时间都没有",
            "我很怕让他们失望，他们为了我付出了很多",
        ),
        reflections=(
            "听起来你一直在很努力地撑着，压力大到连觉都睡不好了，这真的很辛苦。",
            "成绩不理想的时候，还要担心家里人的反应，难怪你会这么紧张。",
            "你很在意自己的表现，也很在意{parent}的感受，这份在意让你压力更大了。",
            "一坐下来就脑子空白，这是压力太大时很常见的反应，不代表你笨。",
        ),
        questions=(
            "这种状态大概持续多久了？睡眠和吃饭受影响了吗？",
            "当你觉得学不进去的时候，通常会做些什么让自己好受一点？",
            "家里或者学校，有没有哪个人是你觉得可以说说心里话的？",
            "如果压力可以打分，从0到10，你现在大概是几分？",
            "你希望{exam}之后，事情变成什么样子？",
        ),
        answers=(
            "大概有一个多月了，吃饭还行，就是睡得很晚",
            "一般就刷手机，刷完更焦虑",
            "我跟表姐关系还不错，但她在外地读大学",
            "七八分吧，考试前会到九分",
            "我就希望别再被骂了，能稍微喘口气",
            "好像没有，跟{parent}说了也只会被说矫情",
        ),
        suggestions=(
            "我们可以试着把要做的事情拆小一点，每天先完成最重要的两三件，其他的允许自己慢一点。",
            "睡前半小时把手机放远一点，试试慢慢地深呼吸，吸气数四下、呼气数六下。",
            "也许可以找一个合适的时间，把你现在的感受告诉{parent}，不说成绩，只说你很累。",
            "学校的心理老师也可以聊聊，他们比较了解考试前的这种状态。",
        ),
        summaries=(
            "{grade}学生，学业压力大伴睡眠问题，担心家长反应。已共情、做情绪评估，讨论作息调整与沟通方式。",
            "考试焦虑，成绩下滑后自责。给予正常化解释，建议拆分任务、放松训练，可求助学校心理老师。",
        ),
        left_messages=(
            "我{grade}，最近学习压力很大，晚上睡不着，想找人聊聊。",
            "考试又没考好，不想回家，有空的时候能回复我吗",
        ),
        case_summaries=("学业压力大，出现厌学情绪，需学校心理老师跟进并与家长沟通。",),
    ),
    Problem(
        key="emotion",
        topic="psych",
        weight=0.22,
        wrapup_category="emotion",
        case_category="crisis",
        alert_category="suicide",
        max_risk=4,
        openings=(
            "我也不知道怎么说，就是{when}心情一直很低落",
            "你好，我最近总是想哭，也不知道为什么",
            "我感觉自己{feeling}，对什么都提不起兴趣",
            "在吗，我现在特别难受，想找个人说说话",
            "晚上睡不着，脑子里全是乱七八糟的想法",
        ),
        details=(
            "以前喜欢打球，现在连门都不想出",
            "每天早上醒来第一个念头就是又要熬一天",
            "我觉得自己什么都做不好，是个累赘",
            "跟朋友在一起也开心不起来，只是装出来的",
            "一个人的时候会突然哭出来，停都停不住",
        ),
        reflections=(
            "谢谢你愿意说出来。一直这样低落，还要装作没事，一定很累。",
            "听起来这段时间你心里很沉，连原来喜欢的事都没有力气去做了。",
            "觉得自己是累赘，这种感觉很痛苦。我很想多了解一些你的经历。",
            "你现在很难受，还是愿意来这里找人说，这很不容易。",
        ),
        questions=(
            "这种低落的感觉，是从什么时候开始的？那时候发生了什么吗？",
            "你平时心情不好的时候，身边有人能陪陪你吗？",
            "最近吃饭、睡觉怎么样？",
            "有没有哪怕一点点时间，你会觉得稍微轻松一些？",
        ),
        answers=(
            "好像是开学以后吧，换了新班级，谁都不认识",
            "没有，我不想让别人担心",
            "吃得很少，睡也睡不好，总是半夜醒",
            "打游戏的时候会好一点，但打完更空",
            "跟小猫待着的时候会好一点",
        ),
        suggestions=(
            "情绪低落持续这么久，值得认真对待。可以考虑去医院的心理门诊做个评估，这不是丢人的事。",
            "今晚我们先想一件小事，让你睡前能稍微舒服一点，比如洗个热水澡、听一首喜欢的歌。",
            "你可以试着把今天的感受写下来，写完不用给任何人看。",
            "如果愿意，可以挑一个你信任的大人，告诉他你最近很难受，不用说得很完整。",
        ),
        summaries=(
            "持续情绪低落约一个月，兴趣减退、睡眠差。已评估风险，建议心理门诊评估，联系可信任成人。",
            "来访者诉情绪低落、自我评价低。给予倾听与情感支持，讨论睡前放松与社会支持。",
        ),
        left_messages=("我心情很不好，不知道该找谁说，能回我一下吗", "最近每天都很难受，想找老师聊聊"),
        case_summaries=("持续低落伴消极念头，需心理门诊转介与学校心理老师跟进，已获同意电话回访。",),
    ),
    Problem(
        key="relationships",
        topic="psych",
        weight=0.16,
        wrapup_category="relationships",
        case_category="other",
        alert_category=None,
        max_risk=1,
        openings=(
            "我跟{peer}闹翻了，现在在班里感觉好孤单",
            "你好，我不太会交朋友，总是一个人吃饭",
            "我最好的朋友突然不理我了，我不知道做错了什么",
            "我总觉得大家在背后说我，是不是我想多了",
        ),
        details=(
            "她们建了一个新群，就是没有拉我",
            "我主动去找他说话，他就随便应两句",
            "小组作业的时候没人愿意跟我一组",
            "我已经很小心了，还是不知道哪里得罪了人",
        ),
        reflections=(
            "被朋友冷落，又不知道原因，那种心里没底的感觉很难受。",
            "一个人吃饭、一个人走路，时间长了真的会觉得很孤单。",
            "你很在意这段友谊，所以才会一直想是不是自己做错了什么。",
        ),
        questions=(
            "你们之间，最近有没有发生过什么特别的事？",
            "如果可以跟她说一句话，你最想说什么？",
            "班里或者社团里，有没有你觉得还比较好相处的人？",
        ),
        answers=(
            "上次我没去她的生日会，可能是因为那个",
            "我想问她到底怎么了",
            "坐我后面的女生人挺好的，就是不太熟",
        ),
        suggestions=(
            "也许可以找一个安静的时候，直接问问她，用“我感觉……”开头，说说你的感受。",
            "友谊有起伏是很常见的，不代表你不好。可以先从一两个比较好相处的人开始慢慢熟悉。",
            "参加一个自己感兴趣的社团，也是认识新朋友的好办法。",
        ),
        summaries=("同伴关系困扰，被朋友疏远后自我怀疑。讨论沟通方式与扩展支持的办法。",),
    ),
    Problem(
        key="family",
        topic="psych",
        weight=0.16,
        wrapup_category="family",
        case_category="family",
        alert_category="violence",
        max_risk=3,
        openings=(
            "我跟{parent}又吵架了，他们根本不听我说话",
            "我爸妈天天吵架，我在家待着好压抑",
            "{parent}收了我的手机，还翻我的日记",
            "我爸妈要离婚了，他们让我选跟谁",
        ),
        details=(
            "一说话就是为你好，从来不问我想要什么",
            "昨天晚上他们吵到摔东西，我躲在房间里不敢出来",
            "我觉得自己在这个家里是多余的",
            "他们一生气就说我不懂事，说白养我了",
        ),
        reflections=(
            "在家里说话没人听，还要被翻日记，你会觉得委屈和生气，这很正常。",
            "听到父母吵架、摔东西，你一个人躲在房间里，一定很害怕。",
            "被要求在爸爸妈妈之间做选择，这对谁来说都太难了。",
        ),
        questions=(
            "他们吵架的时候，有没有人动手，或者伤到你？",
            "家里有没有哪个人，是比较能理解你的？",
            "你希望家里的哪一点能先有一点变化？",
        ),
        answers=(
            "没有打我，就是吼得很凶",
            "有一次我爸推了我一下，撞到了门上",
            "奶奶对我挺好的，但她住得远",
            "我就希望他们别当着我的面吵",
        ),
        suggestions=(
            "大人之间的矛盾不是你造成的，也不需要你来解决。",
            "可以试着挑一个大家都平静的时候，写一封信给{parent}，把想说的话写下来。",
            "如果家里有人动手伤害你，这是不对的，你可以告诉老师，或者拨打110，我们也会帮你。",
        ),
        summaries=("亲子冲突，家长管控较严，来访者感到不被理解。讨论沟通方式，评估家庭暴力风险。",),
        left_messages=("家里又在吵架，我不想待在家里，想找人说说", "我爸妈要离婚了，我很乱，能回复我吗"),
        case_summaries=("家庭冲突中有推搡情况，需社区与学校关注，电话回访了解家庭情况。",),
    ),
    Problem(
        key="romance",
        topic="psych",
        weight=0.08,
        wrapup_category="romance",
        case_category="other",
        alert_category=None,
        max_risk=1,
        openings=("我失恋了，整个人都不好了", "我喜欢上一个人，但是不敢说", "男朋友总是查我手机，我很累"),
        details=(
            "我们在一起一年了，他说分就分了",
            "每天上课都会看到他，心里特别难受",
            "他说如果我爱他就应该什么都告诉他",
        ),
        reflections=(
            "一段很在乎的感情结束了，难过是很自然的。",
            "喜欢一个人又不敢说，心里一直在打鼓吧。",
            "在一段关系里总被要求交代一切，会让人觉得很累，也不太自在。",
        ),
        questions=("这件事让你最难受的是哪一部分？", "你身边的朋友知道这件事吗？", "你自己在这段关系里想要的是什么？"),
        answers=("就是觉得自己不够好才被甩", "我只跟室友说了", "我想要被尊重"),
        suggestions=(
            "给自己一点时间难过，不用急着好起来。",
            "一段健康的关系里，双方都应该有自己的空间。",
            "这段时间可以多安排一些让自己舒服的事，比如运动、和朋友吃饭。",
        ),
        summaries=("恋爱关系困扰，失恋后情绪低落。给予情感支持，讨论自我照顾与健康关系。",),
    ),
    Problem(
        key="bullying",
        topic="psych",
        weight=0.09,
        wrapup_category="bullying",
        case_category="bullying",
        alert_category="bullying",
        max_risk=3,
        openings=(
            "我在学校被{peer}欺负，他们给我起外号",
            "有人把我的照片P了发到群里，全班都在笑",
            "放学的时候有几个人堵我，要我给钱",
        ),
        details=(
            "他们把我的书包扔到垃圾桶里",
            "已经好几次了，每次都要五十一百的",
            "我跟{teacher}说过一次，他们被说了一下，后来更过分了",
            "我现在早上一想到要上学就肚子疼",
        ),
        reflections=(
            "被这样对待，不是你的错。你能说出来，很勇敢。",
            "告诉了老师反而更严重，难怪你现在不敢再说了。",
            "每天上学都要面对这些人，身体都开始抗议了，这真的很难熬。",
        ),
        questions=(
            "他们有没有动手打你，或者威胁你？",
            "家里人知道这件事吗？",
            "你在学校里，有没有比较安全的地方或者可以信任的人？",
        ),
        answers=("有一次推了我，还说告诉老师就弄我", "不知道，我怕他们去学校闹", "图书馆的老师对我挺好的"),
        suggestions=(
            "欺凌是需要大人介入的事情。你愿意的话，我们可以帮你想想怎么告诉家长和学校。",
            "把发生的事情记下来，时间、地点、谁在场，有截图的话保存好。",
            "放学尽量和同学一起走，避开他们常出现的地方。",
        ),
        summaries=("遭受校园欺凌（言语、索要财物），已向老师反映但未改善。建议记录证据，告知家长，转学校处置。",),
        left_messages=("我在学校被人欺负了，不敢跟家里说，怎么办", "有人一直在群里骂我，我受不了了"),
        case_summaries=("校园欺凌，多次被索要财物并受威胁，需学校调查处置，必要时联系警方。",),
    ),
    Problem(
        key="self_harm",
        topic="psych",
        weight=0.05,
        wrapup_category="self_harm",
        case_category="crisis",
        alert_category="self_harm",
        max_risk=4,
        openings=(
            "我控制不住想划自己，划完会好受一点",
            "我觉得活着好累，不知道还能撑多久",
            "有时候会想，如果我不在了是不是大家都轻松了",
        ),
        details=(
            "我手臂上有好几道了，夏天都不敢穿短袖",
            "{parent}不知道，我一直藏着",
            "每次跟家里吵完架就会这样",
        ),
        reflections=(
            "谢谢你这么信任我，把这么难说的事说出来。",
            "用伤害自己的方式让心里的痛少一点，说明你已经痛了很久了。",
            "觉得自己是大家的负担，这个想法让你很孤单吧。",
        ),
        questions=(
            "我想多了解你现在的情况：最近一次伤害自己是什么时候？伤口处理过了吗？",
            "除了划自己，你有没有想过更严重的事，比如结束自己的生命？",
            "当那种冲动来的时候，有没有什么能让你停下来的东西？",
        ),
        answers=("前天晚上，用纸巾按了一下", "想过，但是没有真的去做", "想到我家的狗，就会停下来"),
        suggestions=(
            "伤口如果很深或者一直出血，一定要去医院处理。",
            "冲动来的时候，可以先试试握冰块、用红笔在手上画线，或者马上来这里找我们。",
            "我们可以一起想一想，谁是你愿意告诉的大人，让他陪你一起面对。",
        ),
        summaries=("反复自伤（划伤手臂），伴消极念头，无具体计划。已做风险评估与安全计划，建议告知监护人并就医。",),
        left_messages=("我又划了自己，不知道该跟谁说", "我觉得好累，不想再坚持了"),
        case_summaries=("反复自伤伴消极念头，需学校心理老师与家长共同跟进，转介精神卫生门诊评估。",),
    ),
)

LEGAL = (
    Problem(
        key="labour",
        topic="legal",
        weight=0.30,
        wrapup_category="legal_rights",
        case_category="legal",
        alert_category=None,
        max_risk=1,
        openings=(
            "我暑假在{boss}那里打工，干了一个月他不给工资",
            "请问十六岁可以签劳动合同吗",
            "我在{boss}那里做兼职，手被机器划伤了，老板说不管",
        ),
        details=(
            "说好的一个月{amount}，现在说我没干满不给了",
            "没签合同，只有微信聊天记录",
            "他说学生工不算工人，出了事自己负责",
        ),
        reflections=(
            "辛辛苦苦干了一个月却拿不到钱，你一定很着急，也很生气。",
            "受了伤还被推卸责任，这确实让人很委屈。",
        ),
        questions=(
            "你们有没有书面的约定，或者能证明你在那里工作的东西，比如聊天记录、转账、工牌？",
            "你今年多大了？家里人知道这件事吗？",
            "你现在最希望解决的是拿回工资，还是伤的医药费？",
        ),
        answers=("有聊天记录，还有排班表的照片", "我十七岁，我妈知道", "主要是想把工资要回来"),
        suggestions=(
            "聊天记录、排班表都是证据，先截图保存好，不要删除。",
            "可以向当地的劳动保障监察部门投诉，也可以拨打12348法律援助热线，或者12351职工热线咨询。",
            "未满十六周岁的用工是法律禁止的；已满十六周岁，合法权益同样受保护，被拖欠的工资可以依法追讨。",
        ),
        summaries=("未成年人兼职被拖欠工资，无书面合同但有聊天记录。告知证据保全、劳动监察投诉与12348法律援助。",),
        left_messages=("打工的工资老板一直不给，我该怎么办", "兼职受伤老板不管，想咨询一下法律问题"),
        case_summaries=("未成年人打工被拖欠工资，需法律援助跟进，协助向劳动监察投诉。",),
    ),
    Problem(
        key="fraud",
        topic="legal",
        weight=0.30,
        wrapup_category="legal_rights",
        case_category="fraud",
        alert_category="fraud",
        max_risk=2,
        openings=(
            "我好像被骗了，在{app}上被骗了{amount}块",
            "有人说我的游戏账号违规，要我交保证金，我交了之后他就不见了",
            "我在网上刷单，一开始给返钱，后来让我垫付{amount}就不给了",
        ),
        details=(
            "那个钱是我攒了很久的压岁钱",
            "他还让我用我妈的手机扫码，我好怕被发现",
            "现在他说不继续交钱就要告我",
        ),
        reflections=(
            "被骗了钱，又怕被家里发现，你现在一定很慌。能先来问，是对的。",
            "他用吓唬的方式让你继续交钱，这正是骗子常用的手段。",
        ),
        questions=("你还在跟那个人联系吗？付款记录还在吗？", "这件事你跟家里人说了吗？", "转账是用的谁的账户？"),
        answers=("我把他拉黑了，记录都还在", "还没说，怕被骂", "用的我妈的微信"),
        suggestions=(
            "先不要再转任何钱，也不要点对方发的链接。",
            "保存好聊天和转账记录，尽快拨打110报警，也可以拨打96110反诈专线咨询。",
            "告诉家里人确实需要勇气，但越早说，追回损失的机会越大。我们可以一起想想怎么开口。",
        ),
        summaries=("遭遇网络诈骗（刷单/游戏交易），损失约数千元。已告知停止转账、保存证据、报警并告知监护人。",),
        left_messages=("我被骗了钱，不敢告诉家里，想问问怎么办", "网上有人威胁我，说不交钱就告我"),
        case_summaries=("未成年人遭遇电信网络诈骗并受威胁，需协助报警并与监护人沟通。",),
    ),
    Problem(
        key="school_rights",
        topic="legal",
        weight=0.20,
        wrapup_category="legal_rights",
        case_category="school",
        alert_category=None,
        max_risk=1,
        openings=(
            "学校说我违纪要劝退我，这样合法吗",
            "我们学校周末强制补课还收费，可以投诉吗",
            "{teacher}当着全班的面打了我一巴掌",
        ),
        details=("我只是上课玩了一次手机", "每个人要交八百块，不交就不让进教室", "脸到现在还是红的，同学都看到了"),
        reflections=("被学校这样对待，你心里肯定不服气，也担心会影响以后上学。", "当众被打，身体疼，心里更难受。"),
        questions=("学校有没有给你书面的处分通知？", "这件事家里人知道了吗？", "当时有其他同学在场吗？"),
        answers=("只是口头说的", "我爸知道了，很生气", "全班都在"),
        suggestions=(
            "义务教育阶段，学校不能随意开除或者劝退学生。可以请家长一起向教育局反映。",
            "体罚学生是法律明确禁止的，可以保留证据，向学校和教育行政部门反映。",
            "如果需要，12348法律援助热线也可以提供进一步的帮助。",
        ),
        summaries=("学生权益问题（劝退/体罚/违规收费）。告知相关法律规定与向教育部门反映的途径。",),
        case_summaries=("学生反映遭受体罚，需教育部门核实处理，回访了解结果。",),
    ),
    Problem(
        key="abuse_legal",
        topic="legal",
        weight=0.20,
        wrapup_category="abuse",
        case_category="abuse",
        alert_category="violence",
        max_risk=3,
        openings=(
            "我爸喝了酒就打我，这种情况我能怎么办",
            "我想问一下，被家里人打可以报警吗",
            "我继父经常骂我、不给我饭吃，我能去哪里",
        ),
        details=("身上经常有淤青，我都说是摔的", "昨天他拿皮带抽我，我跑出来了", "我妈也怕他，不敢管"),
        reflections=(
            "在家里被这样对待，是非常不对的，不是你的错。",
            "你能跑出来，能来求助，这是保护自己的勇敢一步。",
        ),
        questions=(
            "你现在在哪里？安全吗？",
            "身上的伤要紧吗？需要去医院吗？",
            "除了家里，有没有亲戚或者老师可以暂时帮你？",
        ),
        answers=("我在同学家楼下", "胳膊很疼，但能动", "我舅舅对我挺好的"),
        suggestions=(
            "家庭暴力是违法的。你可以报警，警察会出警并出具告诫书；也可以申请人身安全保护令。",
            "如果现在有危险，请马上拨打110。",
            "12338妇女儿童维权热线也可以帮你，我们这边也会安排老师跟进。",
        ),
        summaries=("遭受家庭暴力（父亲酒后殴打），已评估当前安全。告知报警、保护令与12338求助途径，建议个案跟进。",),
        left_messages=("我在家经常被打，想问可以怎么办", "我跑出来了，不敢回家"),
        case_summaries=("遭受家庭暴力，需强制报告并联系妇联、民政开展临时监护评估。",),
    ),
)

AID = (
    Problem(
        key="hardship",
        topic="aid",
        weight=0.45,
        wrapup_category="hardship",
        case_category="hardship",
        alert_category=None,
        max_risk=1,
        openings=(
            "我家里困难，下学期的学费交不起了",
            "请问有没有助学金可以申请",
            "我{parent}生病住院了，家里没钱，我想辍学去打工",
        ),
        details=("家里就我妈一个人打零工，还有个弟弟", "学费加住宿要五千多", "医院那边每天都要交钱"),
        reflections=("家里这么难，你还在想办法继续读书，真的很不容易。", "小小年纪就要操心家里的钱，压力一定很大。"),
        questions=(
            "你现在读几年级？在哪个区县上学？",
            "家里有没有申请过低保或者困难补助？",
            "学校的老师知道你家里的情况吗？",
        ),
        answers=("我{grade}", "好像没有，我妈不太懂这些", "班主任知道一点"),
        suggestions=(
            "学校一般都有助学金和减免政策，可以先找班主任了解申请方法。",
            "家里可以向所在的街道或者村委会申请临时救助，我们的服务站也可以帮忙对接。",
            "先别急着辍学，读书的路有很多支持，我们一起想办法。",
        ),
        summaries=("家庭经济困难，面临学费问题。告知助学金、临时救助申请途径，建议转服务站对接资源。",),
        left_messages=("家里困难交不起学费，想问问有什么帮助", "想申请助学金，不知道找谁"),
        case_summaries=("家庭经济困难面临辍学，需服务站对接助学金与临时救助。",),
    ),
    Problem(
        key="living",
        topic="aid",
        weight=0.30,
        wrapup_category="hardship",
        case_category="hardship",
        alert_category=None,
        max_risk=1,
        openings=(
            "我刚毕业找不到工作，房租快交不起了",
            "我一个人在外地，钱包丢了，现在身上没钱",
            "想问问有没有免费的职业培训",
        ),
        details=("投了几十份简历都没回音", "今晚不知道住哪里", "我想学个手艺，但是培训班太贵了"),
        reflections=("一个人在外面，遇到这种事一定很无助。", "找工作一直没有消息，会让人越来越没信心。"),
        questions=(
            "你现在在哪个城市？今晚有地方落脚吗？",
            "你学的是什么专业，想找什么方向的工作？",
            "家里人能帮上忙吗？",
        ),
        answers=("在广州，还有朋友可以借住两天", "学的是电子商务", "家里也不宽裕"),
        suggestions=(
            "当地的救助管理站可以提供临时住宿和返乡帮助。",
            "人社部门有免费的职业技能培训和就业见习岗位，可以去所在区的公共就业服务中心问问。",
            "共青团的青年就业服务也有线上招聘会，我们可以把信息发给你看看。",
        ),
        summaries=("青年就业与生活困难。告知救助站、公共就业服务与免费技能培训途径。",),
        left_messages=("找不到工作，想问问有没有就业帮助",),
        case_summaries=("青年生活困难，需服务站对接就业服务与临时救助。",),
    ),
    Problem(
        key="care",
        topic="aid",
        weight=0.25,
        wrapup_category="family",
        case_category="hardship",
        alert_category=None,
        max_risk=2,
        openings=("我爸妈都在外地打工，我跟奶奶住，奶奶病了没人管", "我是留守儿童，想问问有没有人能帮帮我们家"),
        details=("奶奶腿脚不好，做饭都是我做", "爸妈一年只回来一次", "我晚上一个人很害怕"),
        reflections=("你这么小就在照顾家里，很懂事，也一定很累。", "一个人晚上害怕，这种感觉很真实。"),
        questions=("你平时遇到困难，村里或者学校有人能帮你吗？", "爸爸妈妈知道奶奶生病的事吗？"),
        answers=("村里有个阿姨有时候会来看看", "知道，但他们回不来"),
        suggestions=(
            "村里的儿童主任和学校老师都可以帮忙，我们也可以请当地的服务站去了解情况。",
            "晚上害怕的时候，可以给爸爸妈妈打个视频电话，也可以随时来这里找我们聊天。",
        ),
        summaries=("留守儿童照顾困难，祖辈患病。建议转服务站联系儿童主任开展关爱帮扶。",),
        case_summaries=("留守儿童照护困难，需联系村儿童主任与民政开展关爱帮扶。",),
    ),
)

PROBLEMS: dict[str, tuple[Problem, ...]] = {"psych": PSYCH, "legal": LEGAL, "aid": AID}

# ── the lines every conversation shares ────────────────────────────────────────────────────
YOUTH_HELLO = ("你好", "在吗", "老师好", "你好，请问可以聊聊吗", "hello", "有人吗", "您好")
COUNSELOR_INTRO = (
    "你好，我是12355的{name}，很高兴你来这里。我们的对话是保密的，但如果涉及生命安全会有例外。你想聊点什么？",
    "你好呀，我是{name}。在这里你可以放心说，除非涉及生命安全，我们会为你保密。最近怎么了？",
    "你好，我是青少年服务热线的{name}。谢谢你愿意来到这里，我在这里听你说。保密有例外：如果有人有生命危险，我们要去保护。",
    "你好，我是{name}。这里说的话会保密，但如果你或别人有危险，我们会想办法保护你。可以说说发生了什么吗？",
)
ACKS = ("嗯嗯", "我在听。", "嗯，你慢慢说。", "我明白。", "嗯，然后呢？", "这样啊。")
YOUTH_FILLERS = ("嗯", "对", "是的", "也不是", "我不知道", "可能吧", "嗯……", "好像是这样")
COUNSELOR_CLOSINGS = (
    "今天我们聊了不少，你也想到了一些可以试试的办法。如果以后还想聊，随时可以再来12355找我们。",
    "谢谢你今天愿意说这么多。记得，难受的时候不用一个人扛，我们一直都在。",
    "我们今天先聊到这里好吗？有需要随时回来，我们24小时都在。",
    "你今天做得很好。回去以后试试我们说的办法，有任何变化都欢迎再来跟我们说。",
)
YOUTH_CLOSINGS = ("谢谢老师", "好的，谢谢你", "嗯嗯，我会试试的", "谢谢，感觉好一点了", "好，拜拜", "谢谢你听我说这些")

# ── risk ────────────────────────────────────────────────────────────────────────────────────
# What a youth says at each level (the detector's excerpt), and the counselor's direct question
# (quality.detectors.asks_about_safety finds it) and the safety steps.
RISK_LINES: dict[int, tuple[str, ...]] = {
    2: ("有时候觉得活着没什么意思", "我经常想，要是睡着了不再醒过来就好了", "我有时候会想伤害自己"),
    3: ("我想过怎么结束自己，还在网上查过方法", "我攒了一些药，放在抽屉里", "我已经想好了，等考完试就不活了"),
    4: ("我现在在楼顶，不想活了", "我刚才吃了好多药", "我手里拿着刀，真的撑不下去了"),
}
# Harm done to the youth by others: what they say at levels 2 and 3 (the alert's category).
HARM_LINES: dict[str, dict[int, tuple[str, ...]]] = {
    "violence": {2: ("他喝醉了又在砸东西，我好怕", "我怕回家又要挨打"), 3: ("他刚才掐我脖子，我跑出来了，不敢回去",)},
    "bullying": {2: ("他们说明天放学还要堵我", "他们威胁我，说要把我打到住院"), 3: ("今天被他们围着打了，头很疼",)},
    "fraud": {
        2: ("对方说不交钱就要把我的照片发给所有人", "他说要报警抓我，让我马上转钱"),
        3: ("他们让我去取现金给他们",),
    },
}
HARM_QUESTIONS = ("你现在在哪里？安全吗？", "你现在安全吗？身边有没有可以帮你的大人？")
HARM_ANSWERS = ("我在外面，暂时安全", "在同学家，还好", "我躲在房间里")
HARM_STEPS = (
    "如果现在有危险，请马上拨打110。我们也会请你所在地的服务站老师跟进。",
    "你的安全最重要。我们会把情况转给属地的老师和相关部门，尽快有人联系你。",
)
RISK_QUESTIONS = (
    "我想直接问你一个问题：你有没有想过自杀，或者结束自己的生命？",
    "你说的这些让我很担心你。你现在安全吗？有没有伤害自己的打算？",
    "我需要问你：你有没有具体的计划，准备怎么做？",
)
RISK_ANSWERS: dict[int, tuple[str, ...]] = {
    2: ("想过，但没有真的打算", "偶尔会闪过这个念头", "没有计划，就是觉得很累"),
    3: ("想过，大概知道怎么做", "有计划，药就在我房间里", "想过好几次了"),
    4: ("我现在就在这里，不想下去", "已经吃了，现在有点晕", "刀就在我手上"),
}
SAFETY_STEPS: dict[int, tuple[str, ...]] = {
    2: (
        "谢谢你诚实地告诉我。这些念头来的时候，你可以随时来找我们，也可以告诉一个信任的大人。",
        "我们一起列一个小计划：难受的时候先做什么、找谁、打哪个电话，好吗？",
    ),
    3: (
        "你愿意先把药交给家里的大人保管吗？让危险的东西离你远一点。",
        "我们现在一起想想，今晚谁能陪着你？我们也会请老师跟进你的情况。",
    ),
    4: (
        "你的安全是现在最重要的。请你先离开楼边，往里面走，好吗？",
        "我们已经请专业的老师和急救人员来帮你，请你保持手机畅通，我一直在这里陪你。",
        "请你先把刀放到远一点的地方，告诉我你现在的具体位置。",
    ),
}
SUPERVISOR_LINES = ("你好，我是督导老师，我也在这里陪着你。你现在的安全最重要。", "我们都在，你不是一个人。")
SUPERVISOR_JOINED = "一位督导老师加入了对话，和咨询师一起陪伴你。"
# A counselor line the pre-screen's boundary check finds (a rare lapse, for the reviews to catch).
BOUNDARY_SLIPS = ("你可以加我的微信，私下聊会方便一点。", "要不我们找个时间见一面聊聊？")

# ── around the conversation ─────────────────────────────────────────────────────────────────
SURVEY_COMMENTS: dict[int, tuple[str, ...]] = {
    5: ("老师很耐心，谢谢", "感觉被理解了", "说出来好多了", "很有帮助", "谢谢你们一直在", "给了我很实用的建议"),
    4: ("挺好的，就是排队有点久", "有帮助，谢谢", "还不错"),
    3: ("还行吧", "建议有点笼统", "等了好久"),
    2: ("感觉没什么用", "回复太慢了"),
    1: ("没有帮助",),
}
CALLBACK_NOTES = (
    "已电话回访，来访者情绪平稳，表示问题已有所缓解。",
    "回访时来访者表示已与家长沟通，暂无进一步需求。",
    "已联系来访者，提供了相关求助渠道，来访者表示会去尝试。",
    "回访未接通，已按留言方式再次告知可随时来电。",
)
FOLLOWUP_NOTES = ("已转为个案，由所在区县服务站跟进。", "情况需要线下跟进，已录入个案。")
REVIEW_COMMENTS = {
    True: (
        "共情到位，问题澄清清楚，结束自然。",
        "开场规范，倾听充分，建议具体可行。",
        "风险评估及时直接，安全计划具体。",
        "整体良好，可以在探索资源方面再多问一些。",
        "节奏把握好，记录准确。",
    ),
    False: (
        "来访者表达消极念头后未直接评估自杀风险，需加强。",
        "建议给得过早，倾听不足；结束仓促。",
        "出现私人联系方式，违反专业边界。",
        "记录风险等级低于实际情况，需督导跟进。",
    ),
}
ALERT_NOTES = (
    "来访者多次提到活着没意思，语气越来越低落。",
    "聊到一半突然不回复，之前提到过药。",
    "感觉有危险，请督导关注。",
)
REFERRAL_HANDOVERS: dict[str, tuple[str, ...]] = {
    "police_110": (
        "来访者表示身处高处、有轻生意图，已提供所在区域，请110就近出警。",
        "来访者遭受家庭暴力，现离家在外，请110处置。",
    ),
    "ambulance_120": ("来访者自述过量服药，意识尚清，已请120前往救治。",),
    "mandatory_report": ("未成年人疑似遭受监护人侵害，依强制报告制度报告公安机关。",),
    "hotline": ("法律问题转12348法律援助热线继续跟进。", "妇女儿童维权问题转12338热线跟进。"),
}
CASE_NOTES = {
    "dispatch": ("请属地服务站跟进。", "转属地服务站处理，请按时回复。"),
    "accept": ("已接收，安排社工跟进。", "已受理，今日内联系来访者。"),
    "return": ("来访者实际所在地不在本辖区，请重新派发。", "信息不全，请补充联系方式后再派发。"),
    "call": (
        "已电话联系来访者，了解近况，情绪稳定。",
        "电话回访家长，说明情况并建议多陪伴。",
        "电话未接通，已发短信告知。",
    ),
    "visit": ("社工上门走访，与来访者及家长面谈。", "到学校与班主任、心理老师沟通情况。"),
    "hand_off": ("已通过一键流转移交相关部门。", "已移交学校调查处置。", "已转介法律援助中心。"),
    "meeting": ("召开个案会议，学校、社区、家长共同制定帮扶方案。",),
    "note": ("来访者表示近期情况好转。", "持续关注中。"),
    "resolve": ("已协调解决，来访者情况稳定。", "已移交相关部门并确认接收。", "多次联系未果，按无法联系结案。"),
    "callback": ("回访来访者，对处理结果表示满意。", "回访时来访者表示问题仍未解决。", "回访电话未接通。"),
    "close": ("经复核，个案办结。",),
    "reopen": ("来访者对结果不满意，重新开启跟进。",),
    "urge": ("个案即将超期，请尽快处理。",),
    "escalate": ("个案已超期，上报上一级跟进。",),
}
SURNAMES = "林陈黄李张王刘吴郑周何梁谢罗许叶邓冯曾彭蔡苏卢蒋杨朱"


@dataclass(slots=True)
class Line:
    role: str  # youth, counselor, supervisor, system
    text: str
    risk: int = 0  # the level this youth line shows (0: none)


def pick_problem(rng: random.Random, topic: str) -> Problem:
    problems = PROBLEMS[topic]
    return rng.choices(problems, weights=[p.weight for p in problems])[0]


def script(
    rng: random.Random,
    problem: Problem,
    *,
    risk: int,
    counselor_name: str,
    exchanges: int,
    asks_safety: bool,
    boundary_slip: bool,
    supervisor_joins: bool,
) -> list[Line]:
    """The lines of one answered conversation, in order: an opening, `exchanges` rounds of the
    problem's details, reflections and questions, the risk and the safety question when there is
    one, a closing."""
    f = lambda template: fill(rng, template)  # noqa: E731 - a short local alias
    lines: list[Line] = []
    if rng.random() < 0.5:
        lines.append(Line("youth", rng.choice(YOUTH_HELLO)))
    lines.append(Line("counselor", rng.choice(COUNSELOR_INTRO).format(name=counselor_name)))
    lines.append(Line("youth", f(rng.choice(problem.openings))))
    details = list(problem.details)
    rng.shuffle(details)
    questions = list(problem.questions)
    rng.shuffle(questions)
    answers = list(problem.answers)
    rng.shuffle(answers)
    risk_at = rng.randrange(1, max(2, exchanges)) if risk >= 2 else -1
    for turn in range(exchanges):
        if turn == 0 or rng.random() < 0.6:
            lines.append(Line("counselor", f(rng.choice(problem.reflections))))
        else:
            lines.append(Line("counselor", rng.choice(ACKS)))
        if details:
            lines.append(Line("youth", f(details.pop())))
        if rng.random() < 0.35:
            lines.append(Line("youth", rng.choice(YOUTH_FILLERS)))
        if turn == risk_at:
            harm = HARM_LINES.get(problem.alert_category or "", {})
            said = harm.get(min(risk, 3)) or RISK_LINES[risk]
            lines.append(Line("youth", rng.choice(said), risk=risk))
            if supervisor_joins:
                lines.append(Line("system", SUPERVISOR_JOINED))
                lines.append(Line("supervisor", rng.choice(SUPERVISOR_LINES)))
            if asks_safety:
                lines.append(Line("counselor", rng.choice(HARM_QUESTIONS if harm else RISK_QUESTIONS)))
                lines.append(Line("youth", rng.choice(HARM_ANSWERS if harm else RISK_ANSWERS[risk])))
            else:
                lines.append(Line("counselor", "嗯，我听到了，你现在很难受。"))
            lines.append(Line("counselor", rng.choice(HARM_STEPS if harm else SAFETY_STEPS[min(risk, 4)])))
            lines.append(Line("youth", rng.choice(("好", "嗯，我试试", "好的", "我知道了"))))
            continue
        if questions:
            lines.append(Line("counselor", f(questions.pop())))
            lines.append(Line("youth", f(answers.pop() if answers else rng.choice(YOUTH_FILLERS))))
    if boundary_slip:
        lines.append(Line("counselor", rng.choice(BOUNDARY_SLIPS)))
    lines.append(Line("counselor", f(rng.choice(problem.suggestions))))
    lines.append(Line("youth", rng.choice(("好的", "嗯，我想想", "可以试试", "谢谢", "好"))))
    lines.append(Line("counselor", rng.choice(COUNSELOR_CLOSINGS)))
    if rng.random() < 0.8:
        lines.append(Line("youth", rng.choice(YOUTH_CLOSINGS)))
    return lines


def counselor_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "老师"
