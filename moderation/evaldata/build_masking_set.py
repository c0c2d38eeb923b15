"""Builds `masking_labelled.jsonl`: realistic youth-chat lines with gold spans of personal data.

    .venv/bin/python moderation/evaldata/build_masking_set.py

Deterministic (fixed seeds). Each line: {"id", "split": "dev"|"test", "template", "text",
"spans": [{"start", "end", "kind"}]}. Values come from Faker's zh_CN data (names, provinces,
cities, districts, streets, e-mail) and from generators below (ID numbers with and without a valid
checksum, Luhn and non-Luhn bank cards, phones in the ways people type them); the sentences are
handwritten templates. Lines without personal data are handwritten counseling lines plus a sample
of SmileChat client turns (CC0, ../shared/data/smilechat). The split is fixed by template: even
template numbers are dev, odd ones test, so that the test split holds sentence shapes never seen
while tuning; SmileChat lines are split by dialogue number.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from pathlib import Path

from faker import Faker

HERE = Path(__file__).resolve().parent
OUT = HERE / "masking_labelled.jsonl"
SMILECHAT = HERE.parents[2] / "shared" / "data" / "smilechat" / "client_turns.jsonl"

fake = Faker("zh_CN")
fake.seed_instance(20261203)
rng = random.Random(20261203)  # noqa: S311 - test data, not secrets

FULLWIDTH = {ord(str(d)): ord(str(d)) + 0xFEE0 for d in range(10)}


def fw(s: str) -> str:
    return s.translate(FULLWIDTH)


def spaced(digits: str, groups: list[int], sep: str) -> str:
    out, i = [], 0
    for g in groups:
        out.append(digits[i : i + g])
        i += g
    if i < len(digits):
        out.append(digits[i:])
    return sep.join(p for p in out if p)


def mobile() -> str:
    d = rng.choice(["13", "15", "17", "18", "19", "14", "16"]) + "".join(rng.choice("0123456789") for _ in range(9))
    style = rng.random()
    if style < 0.45:
        return d
    if style < 0.6:
        return spaced(d, [3, 4, 4], " ")
    if style < 0.72:
        return spaced(d, [3, 4, 4], "-")
    if style < 0.8:
        return "+86 " + d if rng.random() < 0.5 else "+86" + d
    if style < 0.9:
        return fw(d)
    return spaced(d, [3, 3, 5], " ")


def fixed_line() -> str:
    area = rng.choice(["010", "021", "020", "022", "023", "0571", "0755", "0731", "027", "028", "0591", "0351"])
    n = 8 if len(area) == 3 else rng.choice([7, 8])
    local = str(rng.randint(2, 8)) + "".join(rng.choice("0123456789") for _ in range(n - 1))
    style = rng.random()
    if style < 0.5:
        return f"{area}-{local}"
    if style < 0.7:
        return f"({area}){local}"
    if style < 0.85:
        return f"{area} {local}"
    return area + local


WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_card() -> str:
    base = fake.ssn()
    style = rng.random()
    if style < 0.35:
        v = base
    elif style < 0.55:  # a mistyped one: checksum wrong
        last = base[-1]
        v = base[:-1] + rng.choice([c for c in "0123456789" if c != last])
    elif style < 0.7:  # ends in X
        body = base[:17]
        total = sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True))
        v = body + ("X" if "10X98765432"[total % 11] == "X" else rng.choice("Xx"))
    elif style < 0.8:  # 15 digits (old cards)
        v = base[:6] + base[8:17]
    elif style < 0.9:
        v = spaced(base, [6, 8, 4], " ")
    else:
        v = fw(base)
    return v


def luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def bank_card() -> str:
    n = rng.choice([16, 16, 19, 19, 18, 17])
    prefix = rng.choice(["62", "622", "6217", "6222", "4367", "5218", "6228"])
    body = prefix + "".join(rng.choice("0123456789") for _ in range(n - 1 - len(prefix)))
    d = body + (luhn_digit(body) if rng.random() < 0.7 else rng.choice("0123456789"))
    style = rng.random()
    if style < 0.55:
        return d
    if style < 0.8:
        return spaced(d, [4, 4, 4, 4, 4], " ")
    if style < 0.9:
        return spaced(d, [4, 4, 4, 4, 4], "-")
    return fw(d)


def email() -> str:
    style = rng.random()
    if style < 0.4:
        return fake.email()
    if style < 0.7:
        return str(rng.randint(10000, 9999999999)) + "@qq.com"
    user = fake.user_name() + rng.choice(["", str(rng.randint(1, 2010)), "_" + str(rng.randint(1, 99))])
    return user + "@" + rng.choice(["163.com", "126.com", "sina.com", "foxmail.com", "outlook.com", "gmail.com"])


def qq() -> str:
    d = str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(rng.randint(4, 10)))
    return fw(d) if rng.random() < 0.1 else d


def wechat() -> str:
    style = rng.random()
    if style < 0.3:
        return "wxid_" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(rng.randint(8, 14)))
    if style < 0.7:
        return fake.user_name() + str(rng.randint(0, 2010))
    if style < 0.85:
        return rng.choice(["xiao", "da", "Amy", "Jack", "lily", "zz", "yy"]) + "_" + str(rng.randint(1, 99999))
    return rng.choice("abcdefghijklmnopqrstuvwxyz") + "".join(
        rng.choice("abcdefghijklmnopqrstuvwxyz0123456789_-") for _ in range(rng.randint(6, 12))
    )


COMPOUND = ["欧阳", "司马", "诸葛", "上官", "东方", "慕容", "皇甫", "令狐"]


def name() -> str:
    r = rng.random()
    if r < 0.07:
        return rng.choice(COMPOUND) + fake.first_name()
    if r < 0.2:
        return fake.last_name() + fake.first_name()[:1]
    return fake.name()


def given_plus() -> str:
    return name()


SCHOOL_SUFFIX = [
    "中学",
    "第一中学",
    "第二中学",
    "第三中学",
    "实验中学",
    "实验小学",
    "小学",
    "第一小学",
    "高级中学",
    "外国语学校",
    "职业技术学校",
    "职高",
    "一中",
    "二中",
    "十一中",
    "实验学校",
    "中心小学",
    "师范大学",
    "大学",
    "理工大学",
    "职业技术学院",
    "附属中学",
    "第八中学",
    "初级中学",
]
SCHOOL_NAMES = [
    "育才",
    "育英",
    "希望",
    "阳光",
    "春晖",
    "明德",
    "启明",
    "新华",
    "红星",
    "东风",
    "光明",
    "朝阳",
    "向阳",
    "树人",
    "博雅",
    "文汇",
]


def city_short() -> str:
    c = fake.city_name()
    return c


def school() -> str:
    r = rng.random()
    suffix = rng.choice(SCHOOL_SUFFIX)
    if r < 0.45:
        return city_short() + ("市" if rng.random() < 0.3 else "") + suffix
    if r < 0.7:
        return rng.choice(SCHOOL_NAMES) + rng.choice(["小学", "中学", "实验学校", "学校", "初级中学"])
    if r < 0.85:
        return fake.district() + "区" + rng.choice(["实验小学", "第二中学", "中学", "外国语学校"])
    return city_short() + rng.choice(["大学", "师范学院", "科技大学", "一中", "二中", "实验中学"])


def street() -> str:
    s = fake.street_name()
    return s + rng.choice(["路", "街", "大道", "巷", "路", "路"]) if not s.endswith(("路", "街")) else s


def address() -> str:
    r = rng.random()
    num = f"{rng.randint(1, 999)}号"
    unit = f"{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元{rng.randint(1, 30)}{rng.randint(0, 2)}{rng.randint(1, 9)}室"
    estate = rng.choice([*SCHOOL_NAMES, "幸福", "和平", "锦绣", "金色", "翠苑", "碧桂园", "万科"]) + rng.choice(
        ["小区", "花园", "家园", "新村", "公寓"]
    )
    if r < 0.2:
        return fake.province() + fake.city() + fake.district() + "区" + street() + num
    if r < 0.4:
        return fake.city() + fake.district() + "区" + street() + num + (unit if rng.random() < 0.5 else "")
    if r < 0.55:
        return street() + num
    if r < 0.7:
        return estate + unit
    if r < 0.8:
        return fake.district() + "区" + estate + f"{rng.randint(1, 30)}号楼"
    if r < 0.9:
        return fake.city() + fake.district() + "县" + fake.last_name() + rng.choice(["家村", "庄村", "村"])
    return street() + num + estate + f"{rng.randint(1, 30)}栋"


GEN: dict[str, Callable[[], str]] = {
    "mobile": mobile,
    "fixed": fixed_line,
    "id_card": id_card,
    "bank_card": bank_card,
    "email": email,
    "qq": qq,
    "wechat": wechat,
    "name": name,
    "school": school,
    "address": address,
    "faker_address": fake.address,
    "faker_card": fake.credit_card_number,
    "faker_phone": fake.phone_number,
}
SLOT_KIND = {
    "mobile": "phone",
    "fixed": "phone",
    "faker_address": "address",
    "faker_card": "bank_card",
    "faker_phone": "phone",
}

# Handwritten templates. {slot} is a value; everything else is the line as a youth or counselor
# might type it. Numbering decides the split: even dev, odd test.
TEMPLATES = [
    "我手机号是{mobile}，你们能给我打电话吗",
    "我电话{mobile}",
    "有事打我电话 {mobile} 晚上十点以后别打",
    "你可以加我手机{mobile}，我妈不在的时候我会接",
    "这是我爸的号码{mobile}，他打我的时候我就想逃",
    "老师说有事打{fixed}找她",
    "我家座机{fixed}，别打，我爸会接",
    "我们学校心理室的电话是{fixed}吗？",
    "我身份证号{id_card}，你们会告诉我爸妈吗",
    "身份证：{id_card}",
    "网上有人让我报身份证{id_card}然后说可以借钱",
    "实名认证要身份证，我填的是{id_card}，是不是泄露了",
    "我把卡号{bank_card}发给他了，他说会还我钱",
    "他让我转账到{bank_card}，说是押金",
    "银行卡 {bank_card} 里的钱是我攒的压岁钱",
    "我的卡{bank_card}被冻结了怎么办",
    "我邮箱{email}，可以发资料给我吗",
    "能不能把那个测评结果发到{email}",
    "email: {email} 谢谢老师",
    "我QQ是{qq}，加我吧",
    "qq{qq}",
    "扣扣：{qq} 我只在晚上上线",
    "我企鹅号{qq}，别告诉我班主任",
    "他一直用QQ {qq} 骚扰我",
    "我微信{wechat}",
    "加我vx：{wechat}，这里说话不方便",
    "wx: {wechat} 有空聊",
    "那个人的微信号是{wechat}，他老是发奇怪的照片",
    "V信{wechat}，备注树洞",
    "我叫{name}，今年初二",
    "我是{name}，上次跟你聊过的",
    "我们班的{name}总是欺负我",
    "我同学{name}也想来咨询",
    "{name}老师今天又当着全班骂我",
    "我妈叫{name}，她根本不听我说话",
    "我爸{name}喝了酒就打人",
    "我最好的朋友{name}转学了，我好难过",
    "班主任{name}说要叫家长",
    "你能帮我跟{name}说一下吗，她不理我了",
    "我在{school}读初三，压力好大",
    "我是{school}的学生",
    "我们{school}每天晚自习到十点",
    "我以前在{school}被人孤立过",
    "明年想考{school}，可是成绩不够",
    "我高中在{school}，住校",
    "我家住在{address}",
    "地址：{address}，我想离家出走",
    "我现在在{address}附近，不敢回家",
    "快递寄到{address}就行",
    "我外婆家在{address}，暑假我会去那",
    "我叫{name}，电话{mobile}，在{school}上学",
    "我叫{name}，住{address}，身份证{id_card}",
    "我同学{name}的QQ是{qq}，她说想自杀",
    "我叫{name}，微信{wechat}，手机号{mobile}",
    "他叫{name}，在{school}读高二，家在{address}",
    "我是{school}的{name}，我最近睡不着",
    "嗯嗯，我手机是{mobile}，qq是{qq}",
    "邮箱{email}或者扣扣{qq}都可以找到我",
    "我的身份证号是{id_card}，卡号{bank_card}",
    "我就是{name}啊，{school}的",
    "我妈妈{name}的电话{mobile}",
    "那个骗子的卡号 {bank_card}，手机 {mobile}",
    "我们班主任是{name}，她的微信是{wechat}",
    "我在{address}的网吧，身上没钱了",
    "喂喂，我是{name}，刚刚断线了",
    "你好，我是{school}初一的，我叫{name}",
    "我表姐{name}说你们这里可以倾诉",
    "我家{address}，楼下就是车站",
    "你打这个{mobile}能找到我姐",
    "我读的是{school}，老师都很凶",
    "我的邮箱是 {email} 有什么可以发给我",
    "我弟叫{name}，他才五岁",
    "加微信吧{wechat}",
    "我QQ号码：{qq}，微信：{wechat}",
    "身份证号码{id_card}，这是我的",
    "{name}，你还记得我吗",
    "转学前我在{school}，转到了{school}",
    "我住{address}，旁边是{school}",
    "联系电话：{fixed}",
    "手机:{mobile}  姓名:{name}",
    # Round 2 (written after the first test measurement, before any further tuning; appended, so the
    # earlier lines are unchanged).
    "我们班的{name}又在群里骂我",
    "隔壁班的{name}说要在放学后堵我",
    "我喜欢的人是{name}，可是他不知道",
    "昨天{name}跟我说她不想活了",
    "我和{name}是从小一起长大的",
    "我跟{name}吵架了，她把我拉黑了",
    "是{name}先动手的，老师却只骂我",
    "我真名{name}，网名就不说了",
    "本人{name}，女，14岁",
    "姓名：{name} 年级：初二",
    "我舍友{name}每天半夜打电话",
    "我的班主任{name}老师人挺好的",
    "我姐姐{name}在外地上班",
    "{name}说我是个废物",
    "{name}一直在学校门口等我",
    "我初中同学{name}现在在{school}",
    "我转到了{school}，新同学都不认识",
    "{school}的心理老师让我来找你们",
    "我们是{school}初二（3）班的",
    "我妹妹在{school}上三年级",
    "我男朋友在{school}读大一",
    "我们{school}下周开家长会",
    "放学后我不想从{school}门口走",
    "我住在{address}，一个人在家",
    "家庭住址：{address}",
    "我奶奶家是{address}",
    "你们能来{address}接我吗",
    "我现在在{address}楼下，不敢上去",
    "他说他住{address}，让我去找他",
    "我们搬到了{address}",
    "收货地址{address}，收件人{name}，电话{mobile}",
    "我爸的手机是{mobile}，别告诉他我找过你们",
    "紧急联系人：{name} {mobile}",
    "回拨这个号：{mobile}",
    "打{fixed}可以找到我妈单位",
    "他的身份证是{id_card}，我在他钱包里看到的",
    "我借了网贷，身份证号{id_card}，银行卡{bank_card}",
    "他要我把{bank_card}这张卡的密码告诉他",
    "我的qq邮箱{email}",
    "我小号QQ：{qq}",
    "加我QQ{qq}，备注12355",
    "他的vx是{wechat}，一直发消息威胁我",
    "我微信叫{wechat}，头像是一只猫",
    # Round 3: Faker's own address, card and phone formats as they come (appended).
    "我家地址是{faker_address}，别告诉别人",
    "寄到{faker_address}",
    "他家在{faker_address}，我去过",
    "我的住址：{faker_address}",
    "卡号{faker_card}，是我妈的卡",
    "他让我往{faker_card}打钱",
    "我电话{faker_phone}",
    "联系我：{faker_phone}",
    # Round 4: names in more places, with and without a cue word (appended).
    "{name}今天没来上学",
    "昨天我看见{name}在厕所哭",
    "我恨{name}",
    "{name}和{name}一起孤立我",
    "上次那个{name}又来找我了",
    "听说{name}要转学",
    "老师把我和{name}分开坐了",
    "我给{name}发消息她不回",
    "我梦见{name}了",
    "{name}的妈妈来学校闹了",
    "我的网友{name}约我见面",
    "班上的{name}、{name}都笑我",
    "对，我就是{name}",
    "{name}他们几个人打我",
    "我被{name}推下楼梯了",
    "我爷爷{name}住院了",
    "数学老师{name}总针对我",
    "我想让{name}消失",
    # Round 5: names in yet more places (appended after the round-4 measurement).
    "{name}上课的时候一直踢我椅子",
    "那天{name}把我的书扔了",
    "全班只有{name}愿意跟我说话",
    "我不敢告诉{name}",
    "我把这件事告诉了{name}",
    "后来{name}也不理我了",
    "我特别羡慕{name}",
    "{name}比我高一个头",
    "妈妈总拿我和{name}比",
    "她叫我离{name}远一点",
    "要是{name}知道了怎么办",
    "可能{name}也有苦衷吧",
    "我暗恋{name}三年了",
    "上周{name}在朋友圈骂我",
    "为什么{name}总是针对我",
    "我最怕的人就是{name}",
]

NEGATIVE = [
    "我最近真的很焦虑，晚上睡不着，老是想考试的事",
    "老师，我不知道该怎么跟妈妈说",
    "学校里没有人理我，我觉得自己很多余",
    "我们班主任特别严，每天都要检查作业",
    "我今年15岁，上初三，这次月考考了580分",
    "我爸妈总是吵架，我好害怕",
    "心理老师说我可以打12355试试",
    "我已经三天没去学校了",
    "我觉得活着没有意思",
    "谢谢你听我说这些，我感觉好一点了",
    "我想转学，可是爸爸不同意",
    "期末考试还有20天，我一点都没复习",
    "同学们都在背后说我坏话",
    "我妈说我再玩手机就把手机摔了",
    "我每天晚上11点才写完作业，第二天6点就要起床",
    "我在学校被人欺负了，不敢告诉老师",
    "我喜欢一个男生，但他好像不喜欢我",
    "奶奶去世了，我好想她",
    "我是高二的学生，选科选错了",
    "我们宿舍有6个人，她们都不跟我说话",
    "我上周去医院看了，医生说是轻度抑郁",
    "老师您好，我想问一下怎么缓解压力",
    "我第一次打这种电话，有点紧张",
    "妈妈，我错了，我不该那样说你",
    "我有时候会用小刀划自己",
    "中考还有100天，我好慌",
    "学校的心理咨询室周三下午才开",
    "我跟我姐关系不太好",
    "我觉得我们学校的老师都不喜欢我",
    "我爸说考不上一中就别回家",
    "上次在网上认识了一个人，他要我的照片",
    "每次考试前我都会肚子疼",
    "我想学画画，但是家里人觉得没用",
    "班长总是针对我，在班群里发我的糗事",
    "我在家里待了两个月了，哪也不想去",
    "我这次排名第35名，退步了10名",
    "晚上12点了我还是睡不着",
    "我家养了一只猫，它是我唯一的朋友",
    "我想找个人说说话",
    "你们是真人吗还是机器人",
    "我打了好几次12355都占线",
    "我们家住在城里，爷爷奶奶住在村里",
    "我上学要坐40分钟公交",
    "我下周一要去北京参加比赛",
    "我们老师让我们每个人写800字的作文",
    "我初一的时候成绩还挺好的",
    "我跟同桌闹翻了",
    "我有点不想活了，但又怕疼",
    "我爸爸很少回家，他在外地打工",
    "这学期我们换了新的数学老师",
    "我今天被叫到办公室了",
    "我想去大学里看看，感觉那里很自由",
    "我在小区楼下坐了一个小时",
    "我们学校在市中心，放学路上很堵",
    "我妈让我考985",
    "我的分数是620，不知道能上什么学校",
    "老师今天表扬我了，我挺开心的",
    "我是不是有病啊",
    "我每个月只有200块零花钱",
    "我晚上9点到家",
    "我们班有45个人",
    "下课铃响了，我先走了",
    "体育课跑800米我总是最后一名",
    "我好累，真的好累",
    "我哥哥在上大学，他很少理我",
    "我已经哭了一个晚上了",
    "他说如果我不给他钱就把照片发到网上",
    "我把事情告诉了闺蜜，结果她告诉了全班",
    "我想报警但是不知道该怎么说",
    "我手机被妈妈没收了，现在用的是平板",
    "我不敢回家，怕被骂",
    "王者荣耀我打到王者了，但是成绩下降了",
    "我是留守儿童，跟外婆住",
    "我们这里是小县城，没有心理医生",
    "我住校，一个月回一次家",
    "他们说我胖，叫我外号",
    "我在学校门口的奶茶店打工",
    "明天还要上学，我先睡了，谢谢你",
    "我高一，16岁，女生",
    "我的QQ被盗了，好多人收到奇怪的消息",
    "我不想加他微信，可他一直问",
    "老师让我们填身份证号，我不知道填不填",
    "我的银行卡是爸爸办的",
    "我还没有手机号，用的是我妈的手机",
    "我给你发邮件可以吗",
    "他加了我的QQ以后就一直发消息",
    "微信上有人说可以帮我代写作业",
    "我在家里排第二，上面有个姐姐",
    "我们班主任姓王，很凶",
    "我的好朋友小雨转学了",
    "我跟张老师说过这件事",
    "我和李同学吵架了",
    "我妈妈是医生，爸爸是警察",
    "我想去南方读大学",
    "我周末要去补课，数学和英语",
    "学校规定手机要交给老师",
    "这周五有家长会，我好怕",
    "考试我考了第1名，可是妈妈还是不满意",
    "我的生日是3月15号",
    "我们在3楼上课",
    "我在301宿舍",
    "我已经连续7天失眠了",
    "距离高考还有180天",
    "凌晨2点了，睡不着",
    "我们学校有2000多个学生",
    "我要坐8路公交回家",
    # Round 2 (appended as for the templates).
    "王老师让我明天去办公室",
    "我跟李老师说了，她说会帮我保密",
    "张同学，你还好吗？这是咨询师的话",
    "我们小区楼下有个小公园，我常去那里坐",
    "我家在农村，离县城很远",
    "我在北京读书，家在外地",
    "我想考上海的大学",
    "我在学校门口等了很久",
    "我们村里的人都知道我家的事",
    "我们这个中学管得特别严",
    "我想离开这个城市",
    "我们初二有12个班",
    "我初三了，中考要考700分才能上重点",
    "我打了110但没人来",
    "妈妈说我再这样就送我去寄宿学校",
    "大学生活是什么样的",
    "我上的是职高，别人都看不起我",
    "我老是梦见小学时候的事",
    "周老师今天没来上课",
    "我们宿舍楼在学校最里面",
    "他住在我家对面",
    "我想回老家，那里有我的朋友",
    "我手机号不能告诉你吧",
    "你们会不会把我的身份证号给别人",
    "我明白了，谢谢你，我会试着跟爸妈沟通",
    "高兴的时候我也会想哭",
    "我和妈妈吵了一架",
    "我跟爸爸说了，他不理我",
    "文明礼貌月要写作文",
    "我在马路边坐了一会儿",
    "方便的话能再聊一会吗",
    "我和同学一起去了图书馆",
    "常常一个人发呆",
    "我的成绩从第5名掉到第40名",
    "学校里的心理老师姓刘",
    "我家住六楼，有时候会想跳下去",
    "我是在网上搜到你们的",
    "叶子落了，我也好难过",
    "江湖上说的那种朋友我没有",
    "安全感是什么，我从来没有",
    # Round 4 (appended).
    "今天好累，想早点睡",
    "我恨我自己",
    "上次那个事情又来了",
    "听说要分班了",
    "我给妈妈发消息她不回",
    "我梦见外婆了",
    "我们班的同学都笑我",
    "他们几个人打我",
    "我被推下楼梯了",
    "我爷爷住院了",
    "数学老师总针对我",
    "高考完了我想去旅行",
    "金子总会发光的，老师这么说",
    "白天还好，晚上就很难受",
    "江老师人很好",
    "我想让这一切都消失",
    "黄昏的时候最难过",
    "我和朋友分开坐了",
    "万一考砸了怎么办",
    "马上就要期末了",
]


# The first template and negative line of round 2 (see the comments in the lists).
ROUND2_TEMPLATE = TEMPLATES.index("我们班的{name}又在群里骂我")
ROUND2_NEGATIVE = NEGATIVE.index("王老师让我明天去办公室")
ROUND3_TEMPLATE = TEMPLATES.index("我家地址是{faker_address}，别告诉别人")
ROUND4_TEMPLATE = TEMPLATES.index("{name}今天没来上学")
ROUND4_NEGATIVE = NEGATIVE.index("今天好累，想早点睡")
ROUND5_TEMPLATE = TEMPLATES.index("{name}上课的时候一直踢我椅子")


def fill(template: str) -> tuple[str, list[dict[str, object]]]:
    text, spans, pos = "", [], 0
    for m in re.finditer(r"\{(\w+)\}", template):
        text += template[pos : m.start()]
        slot = m.group(1)
        value = GEN[slot]()
        spans.append({"start": len(text), "end": len(text) + len(value), "kind": SLOT_KIND.get(slot, slot)})
        text += value
        pos = m.end()
    text += template[pos:]
    return text, spans


def smilechat_sample(n: int) -> list[tuple[int, str]]:
    if not SMILECHAT.exists():
        return []
    lines = [json.loads(x) for x in SMILECHAT.read_text(encoding="utf-8").splitlines()]
    pool = [x for x in lines if 6 <= len(x["text"]) <= 80]
    pick = random.Random(7).sample(pool, n)  # noqa: S311
    return [(x["dialogue"], x["text"]) for x in pick]


def main() -> None:
    rows: list[dict[str, object]] = []
    per_template = 14
    for t_no, template in enumerate(TEMPLATES):
        for k in range(per_template):
            text, spans = fill(template)
            rows.append(
                {
                    "id": f"t{t_no:03d}-{k:02d}",
                    "split": "dev" if t_no % 2 == 0 else "test",
                    "template": t_no,
                    "round": sum(
                        t_no >= first for first in (ROUND2_TEMPLATE, ROUND3_TEMPLATE, ROUND4_TEMPLATE, ROUND5_TEMPLATE)
                    )
                    + 1,
                    "text": text,
                    "spans": spans,
                }
            )
    for n_no, text in enumerate(NEGATIVE):
        rows.append(
            {
                "id": f"n{n_no:03d}",
                "split": "dev" if n_no % 2 == 0 else "test",
                "template": -1,
                "round": 4 if n_no >= ROUND4_NEGATIVE else 2 if n_no >= ROUND2_NEGATIVE else 1,
                "text": text,
                "spans": [],
            }
        )
    for i, (dialogue, text) in enumerate(smilechat_sample(400)):
        rows.append(
            {
                "id": f"s{i:03d}",
                "split": "dev" if dialogue % 2 == 0 else "test",
                "template": -2,
                "round": 1,
                "text": text,
                "spans": [],
            }
        )
    with OUT.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} lines -> {OUT}")


if __name__ == "__main__":
    main()
