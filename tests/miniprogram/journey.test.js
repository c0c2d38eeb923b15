// The youth's journey (miniprogram/lib/journey.js) over a fake wx: the frames a server sends,
// the frames it gets back, and the words the youth reads (zh-Hans, the web page's words).

"use strict";

const i18n = require("../../miniprogram/lib/i18n.js");
const { Journey, describeEta } = require("../../miniprogram/lib/journey.js");
const { makeWx, token, SERVER, settle } = require("./fake-wx.js");

const CONTENT = {
  language: "zh-hans",
  hotlines: [
    { number: "110", label: "报警", urgent: true },
    { number: "12355", label: "青少年服务台", urgent: false },
  ],
  safety_texts: [
    { level: 3, title: "我们很重视", body: "你不是一个人。", steps: [] },
    { level: 4, title: "请马上拨打", body: "现在就打电话。", steps: ["离开危险的东西", "找一个人陪你"] },
  ],
  main_line: "12355",
  retention_days: 1095,
};

function server(wx) {
  wx.handler = (options) => {
    const path = options.url.replace(SERVER.api, "");
    if (path === "/auth/youth") {
      wx.created = JSON.parse(options.data);
      return { statusCode: 201, data: { access: token("youth"), refresh: "r1", youth_id: 9 } };
    }
    if (path === "/helpline/content") return { statusCode: 200, data: CONTENT };
    if (path === "/service") return { statusCode: 200, data: { topics: ["psych", "legal", "aid"], open: true, service_hours: "08:00-22:00", hours: {}, open_topics: ["psych", "legal", "aid"] } };
    if (path === "/left-messages/mine") return { statusCode: 200, data: { left_message: null } };
    if (path === "/auth/logout") return { statusCode: 204, data: "" };
    return { statusCode: 404, data: { error: "not_found" } };
  };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

async function started() {
  i18n.setLanguage("zh-hans");
  const wx = makeWx();
  server(wx);
  const journey = new Journey({ wx, server: SERVER });
  journey.start();
  await settle(10);
  return { wx, journey };
}

async function talking() {
  const { wx, journey } = await started();
  await journey.begin({ topic: "psych", nickname: "小林" });
  await settle(10);
  wx.socket.open();
  wx.socket.deliver({ type: "auth.ok", role: "youth", user: 9, conversations: [] });
  wx.socket.deliver({ type: "queue.joined", conversation: 5, position: 1, eta_s: 0, eta_max_s: 0 });
  wx.socket.deliver({ type: "conversation.assigned", conversation: 5, counselor: { name: "王老师" } });
  return { wx, journey };
}

test("the welcome page says who reads what, and the helpline's numbers come from the server", async () => {
  const { journey } = await started();
  const view = journey.view();
  expect(view.screen).toBe("welcome");
  expect(view.privacy.title).toBe("谁会看到你写的内容");
  expect(view.privacy.points[3]).toMatch(/^对话会保存 3 年，之后删除。/);
  expect(view.hotlines.map((h) => h.number)).toEqual(["110", "12355"]);
  expect(view.topics.map((t) => t.name)).toEqual(["心理咨询", "法律咨询", "困难帮扶"]);
});

test("starting makes a miniprogram identity, asks for a counselor and shows the real place in the queue", async () => {
  const { wx, journey } = await started();
  expect(await journey.begin({ topic: "" })).toBe(false);
  expect(journey.view().errors.start).toBe(i18n.gettext("Please choose what you'd like to talk about."));
  await journey.begin({ topic: "legal", nickname: "小林" });
  await settle(10);
  expect(wx.created).toEqual({ channel: "miniprogram", nickname: "小林" });
  expect(journey.view().screen).toBe("chat");
  expect(journey.view().waiting.position).toBe("正在为你安排咨询师…");
  wx.socket.open();
  wx.socket.deliver({ type: "auth.ok", role: "youth", user: 9, conversations: [] });
  expect(wx.socket.frames("consult.request")).toEqual([{ type: "consult.request", topic: "legal" }]);
  wx.socket.deliver({ type: "queue.joined", conversation: 5, position: 3, eta_s: 240, eta_max_s: 600 });
  expect(journey.view().waiting).toEqual({ position: "你前面还有 2 位。", eta: "预计等待 4 到 10 分钟。" });
  expect(journey.view().header.title).toBe("正在等待咨询师");
  wx.socket.deliver({ type: "queue.position", conversation: 5, position: 1, eta_s: 30, eta_max_s: 50 });
  expect(journey.view().waiting).toEqual({ position: "下一位就是你。", eta: "咨询师很快就来，预计不到 1 分钟。" });
});

test("nobody online: leaving a message and calling are offered at once, and the place is kept", async () => {
  const { wx, journey } = await started();
  await journey.begin({ topic: "psych" });
  await settle(10);
  wx.socket.open();
  wx.socket.deliver({ type: "auth.ok", role: "youth", user: 9, conversations: [] });
  wx.socket.deliver({ type: "queue.joined", conversation: 5, position: 1, eta_s: 0, eta_max_s: 0, nobody_online: true });
  const view = journey.view();
  expect(view.unavailable.title).toBe(i18n.gettext("No counselor is online right now"));
  expect(view.unavailable.call).toEqual({ number: "12355", label: "现在拨打 12355" });
  expect(view.waiting.position).toBe(i18n.gettext("You're in the queue."));
  journey.keepWaiting();
  expect(journey.view().unavailable).toBe(null);
  // Leaving a message instead.
  journey.openLeave();
  expect(journey.view().screen).toBe("leave");
  const left = journey.leaveMessage({ text: "  我想找人说说  ", contact: "wx: abc" });
  expect(wx.socket.frames("leave_message")[0]).toEqual(expect.objectContaining({ conversation: 5, text: "我想找人说说", contact: "wx: abc" }));
  const { ref } = wx.socket.frames("leave_message")[0];
  wx.socket.deliver({ type: "leave_message.ok", conversation: 5, ref });
  expect(await left).toBe(true);
  expect(journey.view().screen).toBe("left");
});

test("outside the hours nothing is queued: the card says when, with no waiting", async () => {
  const { wx, journey } = await started();
  await journey.begin({ topic: "psych" });
  await settle(10);
  wx.socket.open();
  wx.socket.deliver({ type: "auth.ok", role: "youth", user: 9, conversations: [] });
  wx.socket.deliver({ type: "queue.unavailable", conversation: 6, reason: "outside_hours", service_hours: "08:00-22:00" });
  const view = journey.view();
  expect(view.unavailable.title).toBe("现在不在在线服务时间");
  expect(view.unavailable.text).toContain("08:00-22:00");
  expect(view.unavailable.keepWaiting).toBe(false);
  expect(view.waiting).toBe(null);
  expect(view.canWrite).toBe(false);
});

test("the chat: messages in seq order, mine shown as sending until stored, typing, never twice", async () => {
  const { wx, journey } = await talking();
  const view = journey.view();
  expect(view.header.title).toBe("王老师");
  expect(view.lines.map((l) => l.kind)).toEqual(["notice"]);
  expect(journey.sendText("   ")).toBe(false);
  journey.sendText("你好");
  const sent = wx.socket.frames("message.send")[0];
  expect(journey.view().lines.at(-1)).toEqual(expect.objectContaining({ kind: "mine", text: "你好", status: "发送中" }));
  wx.socket.deliver({ type: "typing", conversation: 5, role: "counselor" });
  expect(journey.view().typing).toBe("咨询师正在输入");
  wx.socket.deliver({ type: "message.ack", conversation: 5, client_id: sent.client_id, seq: 1 });
  wx.socket.deliver({ type: "message", conversation: 5, seq: 1, sender: "youth", text: "你好", client_id: sent.client_id, at: "" });
  wx.socket.deliver({ type: "message", conversation: 5, seq: 2, sender: "counselor", text: "<b>我在</b>", client_id: "", at: "" });
  wx.socket.deliver({ type: "message", conversation: 5, seq: 2, sender: "counselor", text: "<b>我在</b>", client_id: "", at: "" });
  const lines = journey.view().lines;
  expect(lines.map((l) => [l.kind, l.text, l.status])).toEqual([
    ["notice", i18n.gettext("A counselor is here now. Take your time. You can start whenever you're ready."), undefined],
    ["mine", "你好", ""],
    ["theirs", "<b>我在</b>", ""],
  ]);
  expect(journey.view().typing).toBe(""); // the message came
  // Typing frames are throttled.
  journey.typing();
  journey.typing();
  expect(wx.socket.frames("typing")).toHaveLength(1);
});

test("the safety response shows the helpline's text at once, keeps the numbers, never goes down", async () => {
  const { wx, journey } = await talking();
  wx.socket.deliver({ type: "safety.response", conversation: 5, level: 4 });
  expect(journey.view().safety).toEqual({ level: 4, title: "请马上拨打", body: "现在就打电话。", steps: ["离开危险的东西", "找一个人陪你"], expanded: true });
  journey.toggleSafety();
  expect(journey.view().safety.expanded).toBe(false);
  wx.socket.deliver({ type: "safety.response", conversation: 5, level: 3 });
  expect(journey.view().safety.level).toBe(4);
  // A returning youth: auth.ok says it too.
  const again = { wx: makeWx() };
  server(again.wx);
  again.wx.storage.set("yl.youth.access", token("youth"));
  again.wx.storage.set("yl.youth.refresh", "r1");
  again.journey = new Journey({ wx: again.wx, server: SERVER });
  again.journey.start();
  await settle(10);
  expect(again.journey.view().screen).toBe("loading");
  again.wx.socket.open();
  again.wx.socket.deliver({ type: "auth.ok", role: "youth", user: 9, conversations: [{ conversation: 5, status: "active", topic: "psych", last_seq: 2, safety_level: 3 }] });
  expect(again.journey.view().safety.title).toBe("我们很重视");
});

test("the end, the survey and thanks; a skipped survey is not asked again", async () => {
  const { wx, journey } = await talking();
  journey.end();
  expect(wx.socket.frames("conversation.end")).toEqual([{ type: "conversation.end", conversation: 5 }]);
  wx.socket.deliver({ type: "conversation.ended", conversation: 5, by: "counselor" });
  expect(journey.view().screen).toBe("survey");
  expect(journey.view().surveyNote).toBe(i18n.gettext("The counselor has ended this conversation."));
  expect(await journey.submitSurvey({ score: 0 })).toBe(false);
  expect(journey.view().errors.survey).toBe(i18n.gettext("Please choose from 1 to 5 stars."));
  const rated = journey.submitSurvey({ score: 5, comment: " 谢谢 " });
  const frame = wx.socket.frames("survey.submit")[0];
  expect(frame).toEqual(expect.objectContaining({ conversation: 5, score: 5, comment: "谢谢" }));
  wx.socket.deliver({ type: "survey.ok", conversation: 5, ref: frame.ref });
  expect(await rated).toBe(true);
  expect(journey.view().screen).toBe("thanks");
  journey.restart();
  expect(journey.view().screen).toBe("welcome");

  journey.state.surveyConversation = 8;
  journey.skipSurvey();
  wx.socket.cut(1006);
  journey.client.reconnectNow();
  await settle(10);
  wx.socket.open();
  wx.socket.deliver({ type: "auth.ok", role: "youth", user: 9, conversations: [{ conversation: 8, status: "ended", survey_due: true }] });
  expect(journey.view().screen).toBe("thanks");
});

test("cancelling while queued goes back to the start without a survey", async () => {
  const { wx, journey } = await started();
  await journey.begin({ topic: "psych" });
  await settle(10);
  wx.socket.open();
  wx.socket.deliver({ type: "auth.ok", role: "youth", user: 9, conversations: [] });
  wx.socket.deliver({ type: "queue.joined", conversation: 5, position: 2, eta_s: 100, eta_max_s: 200 });
  journey.cancel();
  expect(wx.socket.frames("consult.cancel")).toEqual([{ type: "consult.cancel", conversation: 5 }]);
  wx.socket.deliver({ type: "conversation.ended", conversation: 5, by: "youth" });
  expect(journey.view().screen).toBe("welcome");
  expect(journey.view().flash.text).toBe(i18n.gettext("You've left the queue. We're here whenever you want to talk."));
});

test("a returning youth resumes the open conversation: its history back, the outbox resent", async () => {
  const { wx, journey } = await talking();
  wx.socket.cut(1006);
  journey.sendText("断线时写的");
  expect(journey.view().lines.at(-1).status).toBe("发送中");
  journey.client.reconnectNow();
  await settle(10);
  wx.socket.open();
  wx.socket.deliver({ type: "auth.ok", role: "youth", user: 9, conversations: [{ conversation: 5, status: "active", topic: "psych", last_seq: 1, counselor: { name: "王老师" } }] });
  const [send, history] = wx.socket.sent;
  expect(send).toEqual(expect.objectContaining({ type: "message.send", text: "断线时写的" }));
  expect(history).toEqual({ type: "history", conversation: 5, after_seq: 0 });
  expect(journey.view().screen).toBe("chat");
});

test("quick exit removes everything the mini-program kept on the phone and closes it", async () => {
  const { wx, journey } = await talking();
  journey.sendText("还没发出去");
  wx.storage.set("other.app.key", "kept");
  journey.quickExit();
  expect([...wx.storage.keys()]).toEqual(["other.app.key"]);
  expect(wx.calls).toContainEqual(["exitMiniProgram"]);
  expect(journey.client.running).toBe(false);
  expect(journey.view().screen).toBe("welcome");
  expect(journey.view().lines).toEqual([]);
});

test("English second: the same texts in English after the switch", async () => {
  const { journey } = await started();
  journey.setLanguage("en");
  expect(journey.view().privacy.title).toBe("Who will read what you write");
  expect(describeEta(240, 600)).toBe("Estimated wait: 4 to 10 minutes.");
  expect(describeEta(120, 120)).toBe("Estimated wait: about 2 minutes.");
  journey.setLanguage("zh-hans");
  expect(describeEta(120, 120)).toBe("预计还需等待约 2 分钟。");
});
