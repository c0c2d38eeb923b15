/**
 * @jest-environment jsdom
 */
// Component tests of the pages and components (miniprogram-simulate renders the real WXML,
// WXSS and JS), each over a real Journey on a fake wx: what the youth sees and what a tap does.

"use strict";

const path = require("path");
const simulate = require("miniprogram-simulate");
const i18n = require("../../miniprogram/lib/i18n.js");
const { Journey } = require("../../miniprogram/lib/journey.js");
const { makeWx, token, SERVER, settle } = require("./fake-wx.js");

const ROOT = path.resolve(__dirname, "..", "..", "miniprogram");
const CONTENT = {
  language: "zh-hans",
  hotlines: [
    { number: "110", label: "报警", urgent: true },
    { number: "12355", label: "青少年服务台", urgent: false },
  ],
  safety_texts: [{ level: 4, title: "请马上拨打", body: "现在就打电话。", steps: ["离开危险的东西"] }],
  main_line: "12355",
  retention_days: 1095,
};

const wx = makeWx(); // one for the whole file: the pages' modules keep the wx they were loaded with
global.wx = wx;
let journey;

beforeEach(async () => {
  i18n.setLanguage("zh-hans");
  wx.reset();
  wx.handler = (options) => {
    const p = options.url.replace(SERVER.api, "");
    if (p === "/auth/youth") return { statusCode: 201, data: { access: token("y"), refresh: "r", youth_id: 3 } };
    if (p === "/helpline/content") return { statusCode: 200, data: CONTENT };
    if (p === "/service") return { statusCode: 200, data: { open: true, service_hours: "08:00-22:00", hours: {}, open_topics: ["psych", "legal", "aid"] } };
    return { statusCode: 404, data: {} };
  };
  journey = new Journey({ wx, server: SERVER });
  global.getApp = () => ({ journey });
  journey.start();
  await settle(10);
});

const rendered = [];

afterEach(() => {
  while (rendered.length) rendered.pop().detach();
  journey.client.stop();
  journey.session.stop();
});

function page(name) {
  // Each load runs the page's and its components' modules afresh (jest would keep them, and a
  // definition whose Component() did not run renders nothing).
  let id;
  jest.isolateModules(() => {
    id = simulate.load(path.join(ROOT, "pages", name, name), { rootPath: ROOT });
  });
  const comp = simulate.render(id);
  comp.attach(document.createElement("parent-wrapper"));
  rendered.push(comp);
  comp.instance.onLoad();
  return comp;
}

/** j-component runs a handler after the event's dispatch returns: wait for it. */
async function fire(node, type, detail) {
  node.dispatchEvent(type, detail);
  await simulate.sleep(10);
  await settle(5);
}

/** What a custom component shows (its own tree is a shadow root: textContent does not reach it). */
function shown(node) {
  const box = document.createElement("div");
  box.innerHTML = node.dom.outerHTML;
  return box.textContent;
}

function text(comp, selector) {
  const node = comp.querySelector(selector);
  return node ? node.dom.textContent.trim() : null;
}

async function inChat() {
  await journey.begin({ topic: "psych" });
  await settle(10);
  wx.socket.open();
  wx.socket.deliver({ type: "auth.ok", role: "youth", user: 3, conversations: [] });
  wx.socket.deliver({ type: "queue.joined", conversation: 5, position: 2, eta_s: 120, eta_max_s: 120 });
}

// First: j-component fills a custom component's changed properties reliably on a page's first render.
test("the safety response on the chat page: the helpline's text and the numbers, at once", async () => {
  await inChat();
  const comp = page("chat");
  expect(shown(comp)).not.toContain("随时可以点击拨打");
  wx.socket.deliver({ type: "safety.response", conversation: 5, level: 4 });
  await simulate.sleep(10);
  const page_ = shown(comp);
  expect(page_).toContain("请马上拨打");
  expect(page_).toContain("离开危险的东西");
  expect(page_).toContain("随时可以点击拨打");
  expect(page_).toContain("110");
});

test("welcome: the privacy notice, the numbers to call, the topics; starting goes to the chat", async () => {
  const comp = page("index");
  expect(text(comp, "#welcome-title")).toBe("我们在这里陪着你。");
  expect(text(comp, "#privacy-notice")).toContain("谁会看到你写的内容");
  expect(text(comp, "#privacy-notice")).toContain("对话会保存 3 年，之后删除。");
  expect(comp.dom.textContent).toContain("12355");
  expect(comp.dom.textContent).toContain("快速离开");
  await fire(comp.querySelector("#start-button"), "tap");
  await settle(10);
  expect(text(comp, "#start-error")).toBe(i18n.gettext("Please choose what you'd like to talk about."));
  await fire(comp.querySelector("#topic-legal"), "tap");
  await simulate.sleep(10);
  expect(comp.querySelector("#topic-legal").dom.className).toContain("is-checked");
  await fire(comp.querySelector("#start-button"), "tap");
  await settle(20);
  expect(journey.view().screen).toBe("chat");
  expect(wx.calls).toContainEqual(["reLaunch", "/pages/chat/chat"]);
});

test("a tap on a number calls it with wx.makePhoneCall", async () => {
  const comp = page("index");
  const call = comp.querySelector("#welcome-hotlines").querySelectorAll(".call")[1];
  await fire(call, "tap");
  expect(wx.calls).toContainEqual(["makePhoneCall", "12355"]);
});

test("chat: the waiting card with the position and estimate, then messages with their sending state", async () => {
  await inChat();
  const comp = page("chat");
  expect(text(comp, "#chat-title")).toBe("正在等待咨询师");
  expect(text(comp, "#queue-position")).toBe("你前面还有 1 位。");
  expect(text(comp, "#queue-eta")).toBe("预计还需等待约 2 分钟。");
  wx.socket.deliver({ type: "conversation.assigned", conversation: 5, counselor: { name: "王老师" } });
  await simulate.sleep(10);
  expect(comp.querySelector("#waiting-card")).toBe(undefined);
  expect(text(comp, "#chat-title")).toBe("王老师");
  await fire(comp.querySelector("#composer-input"), "input", { detail: { value: "你好" } });
  await fire(comp.querySelector("#send-button"), "tap");
  await simulate.sleep(10);
  const sent = wx.socket.frames("message.send")[0];
  expect(sent.text).toBe("你好");
  expect(comp.querySelector(".msg--mine .msg-status").dom.textContent).toBe("发送中");
  wx.socket.deliver({ type: "message.ack", conversation: 5, client_id: sent.client_id, seq: 1 });
  wx.socket.deliver({ type: "message", conversation: 5, seq: 1, sender: "youth", text: "你好", client_id: sent.client_id, at: "" });
  wx.socket.deliver({ type: "typing", conversation: 5, role: "counselor" });
  await simulate.sleep(10);
  expect(comp.querySelector(".msg--mine .msg-status")).toBe(undefined);
  expect(text(comp, "#typing")).toBe("咨询师正在输入");
  wx.socket.deliver({ type: "message", conversation: 5, seq: 2, sender: "counselor", text: "<img src=x>我在", client_id: "", at: "" });
  await simulate.sleep(10);
  // Text, never markup.
  expect(comp.querySelector(".msg--theirs .msg-text").dom.textContent).toBe("<img src=x>我在");
  expect(comp.dom.querySelector("img")).toBe(null);
});

test("chat: ending asks first; the survey page rates and thanks", async () => {
  await inChat();
  wx.socket.deliver({ type: "conversation.assigned", conversation: 5, counselor: { name: "王老师" } });
  const chat = page("chat");
  await fire(chat.querySelector("#end-button"), "tap");
  await settle(5);
  const modal = wx.calls.find((c) => c[0] === "showModal")[1];
  expect(modal.title).toBe(i18n.gettext("End this conversation?"));
  expect(modal.confirmText).toBe("结束咨询");
  expect(wx.socket.frames("conversation.end")).toHaveLength(1);
  wx.socket.deliver({ type: "conversation.ended", conversation: 5, by: "youth" });
  const survey = page("survey");
  expect(text(survey, "#survey-title")).toBe(i18n.gettext("How was this conversation for you?"));
  await fire(survey.querySelector("#star-4"), "tap");
  await simulate.sleep(10);
  expect(text(survey, "#star-caption")).toBe(i18n.gettext("Helpful"));
  await fire(survey.querySelector("#survey-send"), "tap");
  await settle(5);
  const frame = wx.socket.frames("survey.submit")[0];
  expect(frame).toEqual(expect.objectContaining({ conversation: 5, score: 4 }));
  wx.socket.deliver({ type: "survey.ok", conversation: 5, ref: frame.ref });
  await simulate.sleep(10);
  expect(text(survey, "#thanks-title")).toBe(i18n.gettext("Thank you for talking with us."));
});

test("nobody online: leave a message, then 'we got your message'", async () => {
  await journey.begin({ topic: "psych" });
  await settle(10);
  wx.socket.open();
  wx.socket.deliver({ type: "auth.ok", role: "youth", user: 3, conversations: [] });
  wx.socket.deliver({ type: "queue.joined", conversation: 5, position: 1, eta_s: 0, eta_max_s: 0, nobody_online: true });
  const chat = page("chat");
  expect(text(chat, "#unavailable-title")).toBe(i18n.gettext("No counselor is online right now"));
  expect(text(chat, "#call-hotline-button")).toBe("现在拨打 12355");
  await fire(chat.querySelector("#leave-message-button"), "tap");
  expect(wx.calls).toContainEqual(["reLaunch", "/pages/leave/leave"]);
  const leave = page("leave");
  await fire(leave.querySelector("#leave-send"), "tap");
  await settle(5);
  expect(text(leave, "#leave-error")).toBe(i18n.gettext("Please write a few words first."));
  await fire(leave.querySelector("#leave-text"), "input", { detail: { value: "我想找人说说" } });
  await fire(leave.querySelector("#leave-send"), "tap");
  await settle(5);
  const frame = wx.socket.frames("leave_message")[0];
  expect(frame).toEqual(expect.objectContaining({ conversation: 5, text: "我想找人说说" }));
  wx.socket.deliver({ type: "leave_message.ok", conversation: 5, ref: frame.ref });
  await settle(5);
  expect(text(leave, "#left-title")).toBe(i18n.gettext("We got your message."));
});

test("the language switch and quick exit, on every page", async () => {
  const comp = page("index");
  const topbar = comp.querySelector("#topbar");
  await fire(topbar.querySelectorAll(".language")[1], "tap");
  await simulate.sleep(10);
  expect(text(comp, "#welcome-title")).toBe("We're here with you.");
  expect(shown(topbar)).toContain("Quick exit");
  await fire(topbar.querySelector("#quick-exit"), "tap");
  expect(wx.calls).toContainEqual(["exitMiniProgram"]);
  expect([...wx.storage.keys()].filter((k) => k.startsWith("yl."))).toEqual([]);
});
