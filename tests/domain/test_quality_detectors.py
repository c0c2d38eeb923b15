"""The pre-screen's detectors on labelled examples (issue 10): the direct risk question on
counselor messages, and boundary problems. Precision and recall are printed (`-s`) and held to a
floor; every example is a counselor's message as it would be stored."""

from __future__ import annotations

import pytest

from quality.detectors import asks_about_safety, boundary_problems

ASKS = [
    # zh-Hans: asked in so many words
    "你有没有想过自杀？",
    "你有没有想过结束自己的生命？",
    "你现在安全吗？",
    "有没有伤害自己的想法？",
    "你有具体的计划吗？",
    "药在你身边吗？",
    "我想直接问你，你有没有想过自杀",
    "你最近有过想死的念头吗？",
    "你会不会有不想活的想法？",
    "你现在是在一个安全的地方吗",
    "你之前有没有伤害过自己？",
    "你是否有过自残的行为？",
    "你说的“消失”，是指想结束生命吗？",
    "你有没有想过用什么方法？",
    "你现在手边有刀吗？",
    "你家里有没有存药？",
    "你今晚会不会伤害自己？",
    "这些想法里，有没有想去死的念头？",
    "我需要问你一个很重要的问题：你有自杀的想法吗？",
    "你现在在天台吗？",
    "你刚才吃了多少药？",
    "你是不是在想自杀的事情？",
    "听起来你很痛苦，你有没有想过轻生？",
    "你有没有割过自己",
    "现在你身边安全吗？",
    "你有打算什么时候做吗？你准备怎么做？",
    "你有具体的方法了吗",
    "安眠药在你手上吗？",
    "你最近有没有自伤？",
    "你有没有想过离开这个世界？",
    "我想认真问问你，你有没有活不下去的感觉",
    "你现在人在哪里，安全吗？",
    "你是否有伤害自己的念头？",
    "你想过跳楼吗？",
    "我得问你：你想过死吗？你想死吗？",
    "这个念头出现的时候，你有没有想过具体的计划？",
    "你有没有准备了药？",
    "你身边有绳子吗？",
    "你会想弄伤自己吗？",
    "你现在有没有危险？",
    # English
    "Are you thinking about suicide?",
    "Have you had thoughts of ending your life?",
    "Are you safe right now?",
    "Do you have any thoughts of hurting yourself?",
    "Do you have a plan?",
    "Are the pills near you?",
    "I want to ask you directly: are you thinking of killing yourself?",
    "Have you ever harmed yourself?",
    "Do you wish you were dead?",
    "Are you somewhere safe tonight?",
    "Have you thought about how you would do it?",
    "Is there a knife with you right now?",
    "Do you have access to pills at home?",
    "Sometimes people who feel this way think about suicide. Is that true for you?",
    "Have you been cutting yourself?",
    "Do you feel safe where you are?",
    "When you say you want to disappear, do you mean you want to die?",
    "Are you having suicidal thoughts right now?",
    "Have you ever tried to take your own life?",
    "Do you have a specific plan?",
    "Is anyone hurting you, are you safe at home?",
    "I'm wondering if you have thought about self-harm.",
    "Do you not want to wake up anymore?",
    "Would you say you feel unsafe right now, are you safe?",
    "Can I ask, have you thought about ending your life?",
]
DOES_NOT_ASK = [
    # zh-Hans: questions about other things, and statements about risk
    "你好，我是今天陪你聊天的老师。",
    "你今天上学了吗？",
    "你愿意多说一点吗？",
    "这个计划你觉得怎么样？",
    "你有什么学习计划吗？",
    "你吃饭了吗？",
    "你最近睡得好吗？",
    "自杀不能解决问题。",
    "很多人都有过这样的感受，你不是一个人。",
    "如果你有伤害自己的想法，可以随时拨打12355。",
    "我们的聊天是保密的。",
    "谢谢你愿意告诉我这些。",
    "听起来你和妈妈吵架了，很难受。",
    "你觉得是什么让你这么累？",
    "考试的压力确实很大。",
    "你和同学的关系怎么样？",
    "你有没有可以信任的朋友？",
    "你平时喜欢做什么？",
    "你想聊聊学校的事情吗？",
    "我们一起慢慢吸气，再慢慢呼气。",
    "今天就聊到这里，照顾好自己。",
    "你可以再讲讲那天发生了什么吗？",
    "你有没有和老师说过这件事？",
    "你打算周末怎么过？",
    "你的暑假计划是什么？",
    "这是一个很勇敢的决定。",
    "你愿意和父母谈谈吗？",
    "我听到你说很孤独。",
    "有需要的话，随时回来找我们。",
    "你按时吃饭了吗？",
    "你觉得这个方法有用吗？",
    "你现在心情怎么样？",
    "你是在家里吗？",
    "你有没有去看过医生？",
    "最近发生了什么让你不开心的事吗？",
    "你能告诉我你几岁吗？",
    "你是不是觉得没人理解你？",
    "我理解你的感受。",
    "失眠的时候你一般会做什么？",
    "你想不想试试写日记？",
    # English
    "Hello, my name is Lin and I'm here to listen.",
    "How was school today?",
    "Would you like to tell me more?",
    "Do you have a plan for the exam?",
    "What are your plans for the weekend?",
    "Suicide is never the only way out.",
    "If you ever have thoughts of hurting yourself, call 12355.",
    "Thank you for sharing that with me.",
    "That sounds really hard.",
    "Have you talked to your teacher about it?",
    "Do you have friends you can trust?",
    "What do you like to do in your free time?",
    "It sounds like you and your mum had a fight.",
    "Let's take a slow breath together.",
    "Take care of yourself, and come back any time.",
    "Did you eat today?",
    "How are you sleeping?",
    "Is there someone at home you can talk to?",
    "What happened after that?",
    "Are you still at school?",
    "Have you seen a doctor recently?",
    "Do you want to talk about your friends?",
    "I'm here for you.",
    "Everything you tell me stays private, unless your life is in danger.",
    "Would writing a diary help, do you think?",
]


def _rates(predict, positives, negatives):
    tp = sum(predict(t) for t in positives)
    fp = sum(predict(t) for t in negatives)
    precision = tp / (tp + fp) if tp + fp else 1.0
    return precision, tp / len(positives)


def test_the_labelled_sets_are_large_enough():
    assert len(ASKS) >= 60 and len(DOES_NOT_ASK) >= 60
    assert not set(ASKS) & set(DOES_NOT_ASK)


def test_the_risk_question_detector_on_labelled_examples():
    precision, recall = _rates(asks_about_safety, ASKS, DOES_NOT_ASK)
    missed = [t for t in ASKS if not asks_about_safety(t)]
    false = [t for t in DOES_NOT_ASK if asks_about_safety(t)]
    print(
        f"\nrisk question: {len(ASKS)} positives, {len(DOES_NOT_ASK)} negatives, "
        f"precision {precision:.3f}, recall {recall:.3f}; missed {missed}; false {false}"
    )
    assert precision >= 0.95 and recall >= 0.9, (missed, false)


@pytest.mark.parametrize("text", ["你有没有想过自杀？", "Are you safe right now?", "药在你身边吗？"])
def test_the_named_examples_are_found(text):
    assert asks_about_safety(text)


BOUNDARY = [
    ("contact", "加我微信吧，私下聊"),
    ("contact", "我的手机号是13912345678"),
    ("contact", "你的微信是多少？"),
    ("contact", "留个电话给我"),
    ("contact", "Add me on WeChat, it's easier"),
    ("contact", "What's your number?"),
    ("contact", "My personal number is 555 0199"),
    ("offline", "我们可以见个面聊"),
    ("offline", "周末出来坐坐吧"),
    ("offline", "我去找你"),
    ("offline", "We could meet up after school"),
    ("offline", "Let's grab a coffee sometime"),
    ("secrecy", "我保证不会告诉任何人"),
    ("secrecy", "这是我们之间的秘密"),
    ("secrecy", "I won't tell anyone, I promise"),
    ("secrecy", "It stays between us"),
]
NO_BOUNDARY = [
    "你可以拨打12355，也可以打110。",
    "我们的聊天是保密的，但如果你有生命危险，我们必须联系能保护你的人。",
    "Everything you say stays between us, unless your life is in danger.",
    "你可以和信任的大人见面聊聊。",
    "你和同学见面的时候会紧张吗？",
    "你可以跟妈妈说说。",
    "If you need us, the hotline is 12355.",
    "Meeting new people can be scary.",
    "学校的心理老师可以帮到你。",
    "你的感受很重要。",
]


def test_boundary_problems_on_labelled_examples():
    for kind, text in BOUNDARY:
        assert kind in {p.kind for p in boundary_problems(text)}, text
    false = [t for t in NO_BOUNDARY if boundary_problems(t)]
    print(f"\nboundaries: {len(BOUNDARY)} positives found, false on {len(false)} of {len(NO_BOUNDARY)}: {false}")
    assert false == []


# Written after the detector was settled and not tuned on: a fairer estimate than the sets above
# (which the patterns were written against). Printed, held to a lower floor.
HELD_OUT_ASKS = [
    "你刚才说活着没意思，是想到要自杀了吗？",
    "你现在有没有要伤害自己的打算？",
    "你是不是已经准备好了要用的东西？",
    "今晚你一个人在家安全吗？",
    "你想过用什么方式结束生命吗？",
    "你之前有没有尝试过自杀？",
    "你身上现在有伤口吗，是你自己弄的吗？",
    "你说想消失，是想死的意思吗？",
    "你有没有把药藏起来？",
    "我很担心你，你会不会做傷害自己的事？",
    "Are you thinking about ending things tonight?",
    "Have you hurt yourself today?",
    "Do you feel like you might act on these thoughts, do you have a plan?",
    "Is there anything at home you could use to hurt yourself?",
    "Have you ever attempted suicide before?",
    "Are you safe to stay on the line with me?",
    "When you say you can't go on, are you thinking of killing yourself?",
    "Do you have the pills with you now?",
    "Have the thoughts of dying got stronger this week?",
    "Are you cutting again?",
]
HELD_OUT_OTHER = [
    "你平时压力大的时候会找谁聊？",
    "你今天还好吗？",
    "你们班主任知道这件事吗？",
    "你想先聊哪件事？",
    "睡不着的时候你会做些什么？",
    "你觉得家里人会支持你吗？",
    "你最近有没有好好吃饭？",
    "有什么事情让你觉得开心一点吗？",
    "你愿意试着和妈妈沟通吗？",
    "考试结束后你有什么安排？",
    "How did your mum react?",
    "What would help you most right now?",
    "Do you want to tell me about your friends at school?",
    "Is your teacher someone you trust?",
    "Have you been sleeping okay?",
    "Would you like some ideas for calming down?",
    "Are you still living with your dad?",
    "What do you usually do after school?",
    "Is it okay if I ask about your family?",
    "Did anything good happen this week?",
]


def test_the_risk_question_detector_on_held_out_examples():
    precision, recall = _rates(asks_about_safety, HELD_OUT_ASKS, HELD_OUT_OTHER)
    missed = [t for t in HELD_OUT_ASKS if not asks_about_safety(t)]
    false = [t for t in HELD_OUT_OTHER if asks_about_safety(t)]
    print(
        f"\nrisk question, held out: {len(HELD_OUT_ASKS)} positives, {len(HELD_OUT_OTHER)} negatives, "
        f"precision {precision:.3f}, recall {recall:.3f}; missed {missed}; false {false}"
    )
    assert precision >= 0.8 and recall >= 0.6, (missed, false)
