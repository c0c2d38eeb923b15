// The composer every page shares: Enter sends, but never while an input method
// (pinyin, wubi…) is composing a word, never with Shift, and not where Enter is
// a new line (phones); text is trimmed, empty text is not sent, an over-long
// message is refused and kept; typing is announced at most every 3 s.

import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";

import { bindComposer } from "../static/frontend/js/shared/composer.js";
import { FakeClock } from "./fakes.js";

let clock;
let form;
let input;
let sent;
let typed;
let enterSends;

function key(fields) {
  return Object.assign(new Event("keydown", { cancelable: true }), { shiftKey: false, isComposing: false, keyCode: 13, ...fields });
}

beforeEach(() => {
  clock = new FakeClock().install();
  globalThis.document = { getElementById: () => null, documentElement: { lang: "zh-Hans" } };
  form = new EventTarget();
  form.submits = 0;
  form.requestSubmit = () => {
    form.submits += 1;
    form.dispatchEvent(new Event("submit", { cancelable: true }));
  };
  input = new EventTarget();
  Object.assign(input, { value: "", style: {}, scrollHeight: 40 });
  sent = [];
  typed = 0;
  enterSends = true;
  bindComposer(form, input, {
    send: (text) => {
      sent.push(text);
    },
    enterSends: () => enterSends,
    typing: () => {
      typed += 1;
    },
  });
});

afterEach(() => {
  clock.uninstall();
});

async function settle() {
  for (let i = 0; i < 3; i += 1) await Promise.resolve();
}

describe("Enter", () => {
  test("sends the trimmed text and empties the box", async () => {
    input.value = "  你好，我最近压力很大  ";
    const event = key({ key: "Enter" });
    input.dispatchEvent(event);
    await settle();
    assert.equal(event.defaultPrevented, true);
    assert.deepEqual(sent, ["你好，我最近压力很大"]);
    assert.equal(input.value, "");
  });

  test("does nothing while an input method is composing (isComposing, or keyCode 229 in older browsers)", async () => {
    input.value = "nihao";
    input.dispatchEvent(key({ key: "Enter", isComposing: true }));
    input.dispatchEvent(key({ key: "Enter", keyCode: 229 }));
    await settle();
    assert.equal(form.submits, 0);
    assert.deepEqual(sent, []);
    assert.equal(input.value, "nihao");
  });

  test("Shift+Enter is a new line", async () => {
    input.value = "line";
    const event = key({ key: "Enter", shiftKey: true });
    input.dispatchEvent(event);
    await settle();
    assert.equal(event.defaultPrevented, false);
    assert.equal(form.submits, 0);
  });

  test("where Enter is a new line (phones), only the send button sends", async () => {
    enterSends = false;
    input.value = "line";
    input.dispatchEvent(key({ key: "Enter" }));
    await settle();
    assert.equal(form.submits, 0);
    form.requestSubmit();
    await settle();
    assert.deepEqual(sent, ["line"]);
  });
});

describe("sending", () => {
  test("blank text is not sent", async () => {
    input.value = "   \n ";
    form.requestSubmit();
    await settle();
    assert.deepEqual(sent, []);
  });

  test("a message over 2000 characters is refused and kept in the box", async () => {
    input.value = "字".repeat(2001);
    form.requestSubmit();
    await settle();
    assert.deepEqual(sent, []);
    assert.equal(input.value.length, 2001);
    input.value = "字".repeat(2000);
    form.requestSubmit();
    await settle();
    assert.equal(sent.length, 1);
  });

  test("the box keeps its text when the page's send answers false", async () => {
    form = new EventTarget();
    form.requestSubmit = () => form.dispatchEvent(new Event("submit", { cancelable: true }));
    input = new EventTarget();
    Object.assign(input, { value: "whisper", style: {}, scrollHeight: 40 });
    bindComposer(form, input, { send: async () => false });
    form.requestSubmit();
    await settle();
    assert.equal(input.value, "whisper");
  });
});

describe("typing", () => {
  test("is announced at most every 3 s while there is text", () => {
    input.value = "我";
    input.dispatchEvent(new Event("input"));
    input.value = "我在";
    input.dispatchEvent(new Event("input"));
    assert.equal(typed, 1);
    clock.tick(3001);
    input.dispatchEvent(new Event("input"));
    assert.equal(typed, 2);
    input.value = "";
    clock.tick(3001);
    input.dispatchEvent(new Event("input"));
    assert.equal(typed, 2);
  });
});
