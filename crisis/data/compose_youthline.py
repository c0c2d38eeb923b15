"""Composes the project's own labelled training/evaluation set (crisis/data/youthline_v2.jsonl).

    python crisis/data/compose_youthline.py          # rewrites youthline_v2.jsonl (deterministic)

Every fragment below was written by hand, with a helpline counselor's reading of
each family (docs/crisis.md, "Levels"); the script only combines them: a family
is a list of TEMPLATES, each template a sentence skeleton with slots filled from
small hand-written lists, optionally wrapped into a long message where the risky
clause is one among several ordinary ones. The template is the message's
``group``: all messages of one template go to the same split
(crisis/data/splits.py), so no skeleton is shared between train, dev and test.

Labels: ``level`` 0..4 and ``categories`` as in docs/crisis.md; ``kind`` is the
family (the issue's families are kinds: method_time, means_in_hand,
method_question, pact, aborted_attempt, decision, english, mixed, shorthand,
pinyin_abuse, pinyin_bullying, implicit_sexual_abuse, ...).
None of the issue's example sentences is used.
"""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

OUT = Path(__file__).resolve().parent / "youthline_v2.jsonl"
SEED = 20260212

# -- shared slot fillers ------------------------------------------------------------

TIME = [
    "今晚",
    "明晚",
    "这周六",
    "周日晚上",
    "明天放学后",
    "期末考完那天",
    "过完生日那天",
    "等爸妈出差那天",
    "今天半夜",
    "凌晨三点",
    "下周一早上",
    "这个周末",
    "月底",
    "开学前一天",
    "考完试那天晚上",
]
PLACE = ["在书包夹层里", "藏在床底下", "就在枕头下面", "放在衣柜最里面", "锁在抽屉里", "塞在鞋盒里", "在我书桌里"]
PILLS = ["安眠药", "退烧药", "我妈的降压药", "外婆的药", "止痛片", "助眠的药", "抗抑郁的药"]
ROPE_ETC = ["绳子", "一根粗绳", "炭", "两包木炭", "刀片", "一把美工刀", "农药", "老鼠药"]
HIGH = ["楼顶", "天台", "江边", "桥上", "河堤", "阳台栏杆外面", "学校顶楼"]
OPEN = [
    "老师",
    "在吗",
    "说出来也没关系了",
    "我想跟你说件事",
    "我不知道该跟谁说",
    "嗯",
    "其实",
    "说实话",
    "可能你会觉得我矫情",
    "我想了很久",
]
BENIGN_CLAUSES = [
    "今天又下雨了",
    "数学作业还没写完",
    "我妈早上又念叨我",
    "食堂的饭越来越难吃",
    "同桌借了我的橡皮没还",
    "班主任让我们周五交报告",
    "我昨晚只睡了四个小时",
    "体育课跑了八百米",
    "最近在听一个乐队的歌",
    "周末本来想去图书馆",
    "我弟弟一直在吵",
    "月考成绩下来了",
    "晚自习老是犯困",
    "手机被没收了一周",
    "我养的仓鼠最近不太爱吃东西",
    "昨天跟室友吵了两句",
    "新学期换了座位",
    "英语听写错了一半",
    "我爸又加班到很晚",
    "补习班的老师换人了",
    "我在追一部很长的番",
    "今天中午吃了泡面",
    "快要期中考试了",
    "群里大家都在聊游戏",
    "我其实挺喜欢画画的",
    "奶奶住院了一段时间",
    "放学路上看到一只流浪猫",
    "上周去了一次医院复查",
    "我妈说我天天就知道玩手机",
    "我们班下周要春游",
]


def fill(template: str, rng: random.Random, **extra: list[str]) -> str:
    slots = {"T": TIME, "P": PLACE, "PILL": PILLS, "M": ROPE_ETC, "H": HIGH, "O": OPEN, **extra}
    out = template
    for name, values in slots.items():
        key = "{" + name + "}"
        while key in out:
            out = out.replace(key, rng.choice(values), 1)
    return out


# -- families: (kind, level, categories, templates, extra slots) ----------------------------

FAMILIES: list[tuple[str, int, list[str], list[str], dict[str, list[str]]]] = [
    # A method or means and a time, no word for death or suicide.
    (
        "method_time",
        4,
        ["suicide"],
        [
            "{M}已经备好了，{T}",
            "{T}，{M}我都准备好了",
            "买齐了{M}，就等{T}",
            "{PILL}够数了，{T}动手",
            "{T}家里没人，{M}在我房间",
            "定在{T}了，东西都在{P}",
            "{M}网上到货了，打算{T}用",
            "我把{M}放好了，{T}一个人的时候",
            "时间选好了，{T}，{M}也有了",
            "{T}去{H}，路线都看好了",
        ],
        {},
    ),
    # Means in hand with a place, no time.
    (
        "means_in_hand",
        4,
        ["suicide"],
        [
            "{PILL}攒了好几个月，{P}",
            "偷偷存了一大把{PILL}，{P}",
            "{PILL}一片一片藏起来，现在有一瓶了，{P}",
            "{M}我早就弄到了，{P}",
            "每次去药店都多买一盒{PILL}，全{P}",
            "{PILL}已经够量了，{P}，没人知道",
        ],
        {},
    ),
    # Means gathered, no place and no time: preparation.
    (
        "means_gathered",
        3,
        ["suicide"],
        [
            "这半年我一直在偷偷攒{PILL}",
            "查了好久，终于把{M}弄到手了",
            "我数过了，{PILL}有四十多片了",
            "在网上下单了{M}，没跟任何人说",
            "跑了三家药店才凑够{PILL}",
            "每天少吃一片{PILL}存起来",
        ],
        {},
    ),
    # Asking about a method: which floor, whether a drug kills, how painful.
    (
        "method_question",
        3,
        ["suicide"],
        [
            "几楼跳下去才能确保不会残废",
            "{PILL}吃多少片人就醒不过来了",
            "从{H}下去会不会很疼",
            "吃{PILL}和烧炭哪个痛苦少一点",
            "{M}要怎么弄才会快一点",
            "请问一次吞多少{PILL}才够",
            "十二楼够不够高啊，我是说掉下去",
            "割哪里血流得最快",
            "在{H}跳下去是不是一下就没感觉了",
            "想知道{PILL}过量是什么感觉，会难受很久吗",
        ],
        {},
    ),
    # Pacts: inviting others to die together.
    (
        "pact",
        3,
        ["suicide"],
        [
            "有没有人一起烧炭，{T}，我来买炭",
            "找个伴一起走，地方我已经找好了",
            "谁想一起结束，私信我，不想一个人",
            "有人组队吗，一起去{H}，就我们几个",
            "网上认识的姐姐说{T}和我一起走",
            "我们约好了一起吃{PILL}，互相壮胆",
            "群里有三个人了，就差一个，一起离开",
        ],
        {},
    ),
    # Aborted or interrupted attempts.
    (
        "aborted_attempt",
        3,
        ["suicide"],
        [
            "前天在{H}坐了一整晚，天亮了才回家",
            "上周把{PILL}倒在手心里，最后又放回去了",
            "绳子都系好了，听到我妈开门就解下来了",
            "那天脚已经跨过栏杆了，被保安拉回来",
            "刀片按在手腕上好久，没敢下去",
            "吞了一半{PILL}就吐出来了，没人知道",
            "上个月在{H}站到凌晨，手机响了我才走",
            "我试过一次，被室友发现送去了医院",
        ],
        {},
    ),
    # A decision already taken.
    (
        "decision",
        3,
        ["suicide"],
        [
            "想通了，{T}就结束",
            "已经定了，不会再改",
            "我心里已经有答案了，{T}",
            "不用劝了，日子我挑好了",
            "最后的决定做好了，就{T}",
            "我想清楚了，这是最后一个周末",
            "拖了这么久，这次是真的定了",
        ],
        {},
    ),
    # An act in progress.
    (
        "in_progress",
        4,
        ["suicide"],
        [
            "我刚把一整瓶{PILL}吃下去了",
            "现在坐在{H}边上，腿悬在外面",
            "炭已经点上了，门窗都关好了",
            "刚吞完{PILL}，有点晕",
            "我在{H}，风好大，准备跳了",
            "药吃下去半小时了，手开始麻",
        ],
        {},
    ),
    # Active ideation, plainly or colloquially.
    (
        "active_ideation",
        3,
        ["suicide"],
        [
            "我真的想结束自己",
            "我想把自己弄死",
            "每天都在想怎么离开这个世界",
            "我要亲手了结这一切",
            "我想从{H}跳下去",
            "脑子里一直有个声音叫我去死，我想照做",
            "我打算用{PILL}结束",
            "我想用{M}解决自己",
        ],
        {},
    ),
    # Passive ideation, colloquial, youth slang.
    (
        "passive_ideation",
        2,
        ["suicide"],
        [
            "要是睡着就不用醒来多好",
            "我好想永远消失，谁都找不到",
            "活着就是在受罪，不想继续了",
            "真希望明天不要来",
            "如果出意外死掉就好了",
            "我不存在的话大家都轻松",
            "好想去天上陪外公",
            "活不下去了，真的",
            "这辈子就这样吧，不想再过下去",
            "想下线了，永久的那种",
            "想重开了，这一局太烂了，不是游戏",
            "人生想按退出键，彻底的",
            "不想醒过来了，就这样睡下去吧",
        ],
        {},
    ),
    # Farewell, giving things away, last messages.
    (
        "farewell",
        3,
        ["suicide"],
        [
            "我把我的东西都送给同学了，以后用不上了",
            "给家里人写了一封信，放在{P}",
            "谢谢你陪我聊天，以后不会再来了",
            "帮我跟我妈说对不起，我累了",
            "我把账号密码都留给我妹了，以后就交给她",
            "这是我最后一次上这个网站了，谢谢你们",
        ],
        {},
    ),
    # Past attempt reported.
    (
        "past_attempt",
        3,
        ["suicide"],
        [
            "初二那年我吞过药，洗了胃",
            "去年我割过一次手腕，缝了五针",
            "我以前跳过河，被人救上来的",
            "之前试过烧炭，被邻居发现了",
            "我有过两次自杀，家里人都不知道",
        ],
        {},
    ),
    # English, mixed, English shorthand.
    (
        "english",
        2,
        ["suicide"],
        [
            "i really do not want to wake up tomorrow",
            "sometimes i think everyone would be better off without me",
            "i am so done with living",
            "i just want to disappear forever",
            "what is the point of being alive",
            "i wish i could stop existing",
            "no one would notice if i was gone",
        ],
        {},
    ),
    (
        "english_plan",
        3,
        ["suicide"],
        [
            "i want to kill myself",
            "i have been planning how to end my life",
            "i am going to end it this weekend",
            "i already wrote my goodbye letter",
            "i tried to overdose last month",
            "how many pills does it take to not wake up",
        ],
        {},
    ),
    (
        "mixed",
        2,
        ["suicide"],
        [
            "我真的 want to die",
            "好累 i dont wanna live anymore",
            "感觉自己 better off dead",
            "我想 disappear 永远",
            "生活 too much 了，不想活",
            "i hate myself 想消失",
            "每天都想 end my life",
        ],
        {},
    ),
    (
        "mixed_plan",
        3,
        ["suicide"],
        [
            "我想 kms 了，{T}",
            "{PILL}我存了很多 ready to go",
            "我 plan 好了，{T}",
            "决定 end it，{T}",
        ],
        {},
    ),
    (
        "shorthand",
        2,
        ["suicide"],
        [
            "kms fr",
            "i wanna kms",
            "lowkey wanna unalive myself",
            "srsly wanna die rn",
            "idw to live anymore",
            "ngl i want to be dead",
            "tbh i wanna sewerslide",
            "i want to unalive rn",
        ],
        {},
    ),
    # Third-party risk reports.
    (
        "third_party",
        2,
        ["suicide"],
        [
            "我同桌说她不想活了",
            "我好朋友这几天一直说想消失",
            "我闺蜜说她攒了药，我好害怕",
            "室友半夜发消息说活着没意思",
            "我表弟说要从{H}跳下去",
            "我网友说{T}要结束自己",
        ],
        {},
    ),
    # Self-harm.
    (
        "self_harm",
        2,
        ["self_harm"],
        [
            "一难受我就用圆规扎自己",
            "我又拿刀片在手臂上划了",
            "忍不住用烟头烫自己",
            "我会用指甲把手背抠出血",
            "我最近每天都拿头撞墙",
            "心烦的时候就咬自己的手腕",
            "大腿上都是我自己划的印子",
            "想用{M}划自己",
        ],
        {},
    ),
    (
        "self_harm_recent",
        3,
        ["self_harm"],
        [
            "刚刚又划了好几道，血还在往外冒",
            "今晚划得比以前深，纱布都湿了",
            "刚才用刀片割了胳膊，好多血",
            "这周已经第四次伤害自己了",
            "划完手才觉得能喘口气，今天又来了",
        ],
        {},
    ),
    # Bullying.
    (
        "bullying",
        2,
        ["bullying"],
        [
            "全班都不跟我说话，分组也没人要我",
            "她们在群里给我起难听的外号",
            "每天我的桌子都被人乱涂",
            "他们把我的作业本扔进垃圾桶",
            "宿舍的人故意锁门不让我进",
            "同学老是模仿我说话笑我",
            "有人把我的照片P成表情包到处发",
        ],
        {},
    ),
    (
        "bullying_severe",
        3,
        ["bullying"],
        [
            "放学后几个男生把我拖到厕所踹",
            "他们逼我跪着学狗叫还录视频",
            "高年级的堵在校门口，逼我交钱",
            "被几个人按在地上扇耳光",
            "她们把我关在器材室一整晚",
            "班上男生用打火机烧我的头发",
        ],
        {},
    ),
    # Violence against the youth.
    (
        "violence",
        2,
        ["violence"],
        [
            "我爸喝了酒就拿皮带抽我",
            "我妈用衣架打我，腿上全是印子",
            "继父动不动就踢我",
            "昨天被我哥按在墙上打",
            "我爸一生气就扇我巴掌",
            "家里人拿扫把打我",
        ],
        {},
    ),
    (
        "violence_threat",
        3,
        ["violence"],
        [
            "我爸说再考不好就打死我",
            "他拿着菜刀说要砍死我",
            "我妈掐着我说不如没生过我，我喘不上气",
            "继父说今晚回来收拾我，我很怕",
            "他威胁说敢告诉别人就弄死我",
        ],
        {},
    ),
    # Sexual abuse disclosed without an abuse word.
    (
        "implicit_sexual_abuse",
        3,
        ["sexual_abuse"],
        [
            "他趁家里没人让我做我不愿意的事",
            "表哥晚上会进我房间，掀我被子",
            "那个老师让我留下来，把手伸进我衣服里",
            "我舅舅总让我坐他腿上，手乱放",
            "补课老师关了门，让我脱裤子",
            "他强迫我碰他那里",
            "邻居叔叔把我叫到他家，做了很恶心的事",
            "继父逼我跟他睡一张床，还不让我穿衣服",
            "网上认识的哥哥见面后硬要我去酒店",
            "教练说这是训练的一部分，一直碰我下面",
        ],
        {},
    ),
    (
        "sexual_abuse_grooming",
        3,
        ["sexual_abuse"],
        [
            "网友一直要我拍洗澡的视频",
            "他说不发身体的照片就把聊天记录给我爸妈",
            "有个大叔说给我买手机，条件是陪他过夜",
            "网上的人让我开摄像头脱衣服",
            "游戏里认识的人要我拍私处",
        ],
        {},
    ),
    # Fraud.
    (
        "fraud",
        2,
        ["fraud"],
        [
            "有人说点赞就能赚钱，要先交押金",
            "游戏里有人说低价卖皮肤，让我加他微信",
            "说我中奖了，要先交个人所得税",
            "有个客服说我的账号违规要解冻",
            "网上兼职说打字就赚钱，入职要交培训费",
            "有人冒充老师在群里收资料费",
        ],
        {},
    ),
    (
        "fraud_now",
        3,
        ["fraud"],
        [
            "对方让我把我妈手机上的验证码发给他",
            "客服说现在不转钱我的账户就被冻结",
            "他让我扫码付钱才能退款，现在就要",
            "对方一直催我把压岁钱转到安全账户",
            "他让我用我爸的银行卡给他转五千",
            "他说我涉嫌洗钱，要我马上转账配合调查",
        ],
        {},
    ),
    # Pinyin initials and romanized syllables for abuse and bullying words.
    (
        "pinyin_sexual_abuse",
        3,
        ["sexual_abuse"],
        [
            "我被xq了，不敢跟家里说",
            "他对我xingqin了",
            "小时候被亲戚wx过",
            "那个老师xsr我好几次",
            "我被qj了，怎么办",
            "补课老师对我做了wei xie的事",
        ],
        {},
    ),
    (
        "pinyin_bullying",
        2,
        ["bullying"],
        [
            "我在班上被bl了",
            "他们天天qf我",
            "宿舍的人一起gl我",
            "我被baling了好久",
            "全班都在paiji我",
            "他们一直qifu我，老师也不管",
        ],
        {},
    ),
]

# Hard negatives and everyday talk: (kind, level, templates, extra).
NEGATIVES: list[tuple[str, int, list[str], dict[str, list[str]]]] = [
    (
        "hyperbole",
        0,
        [
            "笑死我了，这个视频",
            "今天跑完步累死了",
            "热死了，空调坏了",
            "饿死了，还有一节课才放学",
            "尴尬死了，当众摔了一跤",
            "作业多到要死",
            "我社死了，在全班面前唱跑调",
            "这道题难死我了",
            "气死我了，又输了一局",
            "困死了，昨晚追剧追到两点",
            "冷死了，宿舍没暖气",
            "羡慕死我了，她考了第一",
            "笑到肚子疼，我同桌太逗了",
            "烦死了，楼下一直在装修",
        ],
        {},
    ),
    (
        "idiom",
        0,
        [
            "他对她死心塌地的",
            "考前死记硬背了一晚上",
            "这场比赛生死攸关",
            "我爸为了这个家拼死拼活",
            "这个选择题我割舍了一个选项",
            "老师说写作文要有破釜沉舟的决心",
            "他跳槽去了别的公司",
            "我跳过了这一章",
            "这局我直接自爆了哈哈",
            "终于死磕出了这道题",
            "我们学校的跳远比赛我拿了第二",
            "背水一战吧，明天考试",
            "这首歌杀疯了",
            "这个角色杀青了",
        ],
        {},
    ),
    (
        "news",
        0,
        [
            "新闻说外省有个学生从教学楼跳下来，好可怕",
            "看到一个报道，说有人在网上组织烧炭",
            "历史课讲到有个诗人投江",
            "热搜上那个明星的事大家都在讨论",
            "学校开了防溺水的安全教育课",
            "看了一个讲校园霸凌的纪录片，很受触动",
        ],
        {},
    ),
    (
        "fiction",
        0,
        [
            "这本小说的女主最后跳崖了，好虐",
            "我在写的故事里反派要毒死国王",
            "动漫里的角色割腕那集我看哭了",
            "剧本杀我抽到了一个自杀的角色",
            "电影里那个男孩被同学欺负，看得我好难受",
            "我画的漫画主角在天台上和朋友告别",
        ],
        {},
    ),
    (
        "game",
        0,
        [
            "游戏里我被对面杀了十次",
            "这把又送人头了，我去死一死",
            "吃鸡里从楼顶跳下来摔死了",
            "我的角色在副本里死了三次",
            "王者里被人追着打，气死",
            "我们开黑到凌晨，被团灭了好几次",
        ],
        {},
    ),
    (
        "past_resolved",
        1,
        [
            "初中的时候有过很不好的念头，现在早就走出来了",
            "以前确实伤害过自己，这两年都没有了，挺好的",
            "去年低谷的时候想过不活了，现在有了好朋友，好多了",
            "小学被欺负过，现在的班级大家都很好",
        ],
        {},
    ),
    (
        "negation",
        0,
        [
            "我没有想死，只是有点累",
            "放心，我不会伤害自己的",
            "我从来没想过自杀，就是想吐槽一下",
            "我不会做傻事的，别担心",
            "没有人欺负我，是我自己想太多",
            "我不是想不开，只是心情差",
        ],
        {},
    ),
    (
        "means_everyday",
        0,
        [
            "买了{M2}准备周末露营烧烤",
            "我妈让我去药店买{PILL2}",
            "美术课要用美工刀刻版画",
            "体育课要测跳绳，我买了一根新的",
            "我攒了好多零花钱想买球鞋",
            "家里的退烧药过期了，扔掉了",
            "我在天台晒被子，风好大",
            "周末和同学去江边骑车",
            "今晚写完作业就去楼顶看星星",
            "药店阿姨说这个药饭后吃",
        ],
        {"M2": ["木炭", "烧烤炭", "一袋炭"], "PILL2": ["感冒药", "创可贴", "维生素"]},
    ),
    (
        "help_seeking",
        0,
        [
            "我和我妈总是吵架，不知道怎么沟通",
            "考试前总是很紧张，晚上睡不着",
            "我喜欢一个男生，但不敢说",
            "我觉得同学都比我优秀",
            "下学期要分班了，很担心交不到朋友",
            "我爸妈要离婚了，我不知道该跟谁",
            "最近上课老走神，成绩下降了",
            "我不知道以后想做什么工作",
            "室友晚上打电话太吵，我该怎么说",
            "我总是拖延，作业拖到最后一天",
            "感觉自己很胖，不敢穿短袖",
            "我想转学，但爸妈不同意",
            "跟好朋友闹别扭了，她不回我消息",
            "我很在意别人怎么看我",
            "老师当众批评了我，我好难堪",
        ],
        {},
    ),
    (
        "distress",
        1,
        [
            "最近什么都提不起劲",
            "心里好空，不知道为什么",
            "每天都好累，撑着去上学",
            "感觉没人真的懂我",
            "一个人的时候老是哭",
            "压力大到喘不过气来",
        ],
        {},
    ),
    (
        "english_benign",
        0,
        [
            "lol i am dead, that meme killed me",
            "this homework is killing me",
            "i could die for some bubble tea rn",
            "ngl that exam was brutal",
            "im so tired of math class",
            "my cat is so cute omg",
            "kms is what my friend types when he loses a game lol",
        ],
        {},
    ),
    (
        "slang_benign",
        0,
        [
            "emo了，月考没考好",
            "破防了，喜欢的歌手官宣了",
            "我直接裂开，作业又多了",
            "这周末想躺平",
            "今天又是摸鱼的一天",
            "我要润去别的城市读大学",
            "寄了，期中数学没及格",
            "绝绝子，这家奶茶好喝",
            "我真的会谢，又下雨了",
        ],
        {},
    ),
]

# Modifiers that change a template's wording without changing its meaning (variety).
PREFIX = ["", "", "", "{O}，", "{O}。", "唉，", "我跟你说，", "说真的，"]
SUFFIX = ["", "", "", "。", "…", "，你别告诉别人", "，我也不知道为什么跟你说这个", "。就这样吧", "！"]


def wrap_long(risky: str, rng: random.Random) -> str:
    """A long message in which the risky clause is one among several ordinary ones."""
    before = rng.sample(BENIGN_CLAUSES, rng.randint(2, 4))
    after = rng.sample([c for c in BENIGN_CLAUSES if c not in before], rng.randint(1, 3))
    return "，".join(before) + "。" + risky + "。" + "，".join(after) + "。"


# Added after the first model run showed that English and mixed text with no risk
# alerted (every English line of the first version was risky): everyday English and
# mixed chat, composed the same way, generated after everything above with a separate
# random stream so the earlier rows keep their ids and texts.
EN_SUBJECTS = [
    "my mom",
    "my best friend",
    "our teacher",
    "my brother",
    "the coach",
    "my roommate",
    "everyone in class",
    "my dad",
    "my deskmate",
    "the new kid",
]
EN_EVENTS = [
    "made pancakes this morning",
    "forgot the homework again",
    "says the test is next friday",
    "is obsessed with a new game",
    "lent me a charger",
    "got a puppy",
    "wants to go hiking this weekend",
    "keeps talking about college apps",
    "dyed their hair blue",
    "is learning guitar",
    "was late to class",
    "started a book club",
    "asked me to help with physics",
    "won the basketball game",
]
EN_TAILS = ["", " lol", " haha", "!", " tbh", " ngl it was fun", " so i guess thats cool", " idk what to say", "..."]
EN_LINES = [
    "hello",
    "hi there",
    "ok thanks",
    "thank you so much",
    "good night",
    "see you tomorrow",
    "can i ask a question",
    "what time is it there",
    "i have a math test tomorrow",
    "im so bored rn",
    "brb dinner",
    "yes",
    "no worries",
    "how do i talk to my parents about grades",
    "i cant decide which club to join",
    "do you like music",
    "my phone is dying",
    "the wifi at school is terrible",
    "i got a b on the essay",
    "just finished my homework",
    "which is better, cats or dogs",
    "omg the new episode is out",
    "my crush said hi to me today",
    "i need advice about friends",
    "im nervous about the exam",
    "sorry i was offline",
    "test message",
    "hello world",
    "is anyone there",
    "how are you",
    "thanks for listening",
    "that makes sense",
    "can we talk later",
    "i am a bit stressed about school",
    "our team lost the match",
    "lol same",
    "wait what",
    "nvm",
]
MIXED_BENIGN = [
    "我今天 homework 好多",
    "ok 我知道了",
    "明天有 quiz，好紧张",
    "我们班的 party 好好玩",
    "thanks 老师",
    "我在学 python 编程",
    "这首歌好 chill",
    "我 crush 今天跟我说话了",
    "周末想去 shopping",
    "我的 wifi 又断了",
    "英语 presentation 我准备好了",
    "我好喜欢这个 app",
    "打完 game 去写作业",
    "我妈让我学 piano",
    "期末 exam 考完了",
    "今天 PE 课跑步了",
    "我想要一个新的 phone case",
    "这个 meme 笑死我了",
]


def compose_english_benign(rows: list[dict], seen: set[str], serial) -> None:
    rng = random.Random(SEED + 1)  # noqa: S311 - reproducible sampling, not secrets

    def add(text: str, kind: str, group: str) -> None:
        if text in seen:
            return
        seen.add(text)
        rows.append(
            {"id": f"yl2-{next(serial):05d}", "text": text, "level": 0, "categories": [], "kind": kind, "group": group}
        )

    for i, event in enumerate(EN_EVENTS):
        for _ in range(6):
            add(rng.choice(EN_SUBJECTS) + " " + event + rng.choice(EN_TAILS), "english_benign", f"en_chat-{i:02d}")
    for i, line in enumerate(EN_LINES):
        group = f"en_line-{i:02d}"
        add(line, "english_benign", group)
        add(line + rng.choice(EN_TAILS[1:]), "english_benign", group)
        add(line.capitalize() + rng.choice([".", "?", "!"]), "english_benign", group)
    for i, line in enumerate(MIXED_BENIGN):
        group = f"mixed_benign-{i:02d}"
        add(line, "mixed_benign", group)
        add(fill(rng.choice(PREFIX), rng) + line + rng.choice(SUFFIX), "mixed_benign", group)
        add(line + "，" + rng.choice(BENIGN_CLAUSES), "mixed_benign", group)


# A third pass (same reason, more variety): English school and everyday talk.
EN_MORE = [
    "can you help me with my {X} homework",
    "i have {X} class at eight",
    "our {X} teacher gave us a quiz",
    "i forgot my {X} book at home",
    "the {X} project is due monday",
    "i got full marks in {X}",
    "i am thinking about joining the {X} club",
    "do you know any good {X} videos",
    "my friend and i study {X} together",
    "{X} was so boring today",
    "we watched a movie in {X} class",
    "i need to practice {X} more",
]
EN_TOPICS = [
    "math",
    "english",
    "chemistry",
    "history",
    "art",
    "music",
    "coding",
    "biology",
    "geography",
    "drama",
    "chess",
    "soccer",
    "swimming",
    "piano",
    "debate",
]
EN_SHORT = [
    "sure",
    "maybe",
    "of course",
    "good morning",
    "see ya",
    "cool",
    "got it",
    "same here",
    "alright",
    "sounds good",
    "thx",
    "yep",
    "nope",
    "hmm",
    "wow",
    "really?",
    "haha ok",
    "i see",
    "makes sense",
    "let me think",
    "one sec",
    "ok bye",
    "byeee",
    "love it",
    "so cute",
    "great idea",
    "not sure",
    "what do you think",
    "exactly",
    "please",
    "hold on",
    "good luck",
    "congrats",
]


def compose_english_more(rows: list[dict], seen: set[str], serial) -> None:
    rng = random.Random(SEED + 2)  # noqa: S311 - reproducible sampling, not secrets

    def add(text: str, group: str) -> None:
        if text not in seen:
            seen.add(text)
            rows.append(
                {
                    "id": f"yl2-{next(serial):05d}",
                    "text": text,
                    "level": 0,
                    "categories": [],
                    "kind": "english_benign",
                    "group": group,
                }
            )

    for i, template in enumerate(EN_MORE):
        for topic in rng.sample(EN_TOPICS, 6):
            add(template.replace("{X}", topic) + rng.choice(EN_TAILS), f"en_more-{i:02d}")
    for i, line in enumerate(EN_SHORT):
        add(line, f"en_short-{i:02d}")
        add(line + rng.choice(["!", " :)", " lol", "?"]), f"en_short-{i:02d}")


def compose() -> list[dict]:
    rng = random.Random(SEED)  # noqa: S311 - reproducible sampling, not secrets
    rows: list[dict] = []
    seen: set[str] = set()
    serial = itertools.count(1)

    def add(text: str, level: int, categories: list[str], kind: str, group: str) -> None:
        if text in seen:
            return
        seen.add(text)
        rows.append(
            {
                "id": f"yl2-{next(serial):05d}",
                "text": text,
                "level": level,
                "categories": categories,
                "kind": kind,
                "group": group,
            }
        )

    for kind, level, categories, templates, extra in FAMILIES:
        for t_index, template in enumerate(templates):
            group = f"{kind}-{t_index:02d}"
            has_slots = "{" in template
            n = 9 if has_slots else 5
            for attempt in range(n * 3):
                if sum(1 for r in rows if r["group"] == group) >= n:
                    break
                core = fill(template, rng, **extra)
                if kind.startswith(("english", "shorthand")):
                    text = core if attempt % 2 == 0 else rng.choice(["", "honestly ", "ok so ", "idk "]) + core
                else:
                    text = fill(rng.choice(PREFIX), rng) + core + rng.choice(SUFFIX)
                add(text, level, categories, kind, group)
            # Two long messages per template: the risk is one clause among many.
            for _ in range(2):
                add(wrap_long(fill(template, rng, **extra), rng), level, categories, kind + "_long", group)

    for kind, level, templates, extra in NEGATIVES:
        for t_index, template in enumerate(templates):
            group = f"{kind}-{t_index:02d}"
            n = 10 if "{" in template else 7
            for _ in range(n * 3):
                if sum(1 for r in rows if r["group"] == group) >= n:
                    break
                text = fill(rng.choice(PREFIX), rng) + fill(template, rng, **extra) + rng.choice(SUFFIX)
                add(text, level, [], kind, group)
            for _ in range(2):
                add(wrap_long(fill(template, rng, **extra), rng), level, [], kind + "_long", group)

    # Plain ordinary chat: benign clauses alone and in pairs (each pair its own group).
    for i, clause in enumerate(BENIGN_CLAUSES):
        group = f"chat-{i:02d}"
        add(clause, 0, [], "chat", group)
        add(fill(rng.choice(PREFIX), rng) + clause + rng.choice(SUFFIX), 0, [], "chat", group)
        others = rng.sample(BENIGN_CLAUSES, 2)
        add(clause + "，" + others[0] + "，" + others[1], 0, [], "chat_long", group)
    compose_english_benign(rows, seen, serial)
    compose_english_more(rows, seen, serial)
    return rows


def main() -> None:
    rows = compose()
    with OUT.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} messages -> {OUT}")


if __name__ == "__main__":
    main()
