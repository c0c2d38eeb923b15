/**
 * @jest-environment jsdom
 */
// The safety component alone (miniprogram-simulate): the youth may fold the text away, never
// the numbers; a tap on a number calls it.

"use strict";

const path = require("path");
const simulate = require("miniprogram-simulate");
const i18n = require("../../miniprogram/lib/i18n.js");
const { makeWx } = require("./fake-wx.js");

const ROOT = path.resolve(__dirname, "..", "..", "miniprogram");
const HOTLINES = [
  { number: "110", label: "报警", urgent: true },
  { number: "12355", label: "青少年服务台", urgent: false },
];

function shown(comp) {
  const box = document.createElement("div");
  box.innerHTML = comp.dom.outerHTML;
  return box.textContent;
}

test("the text folds away and comes back, the numbers stay, a number is called with wx.makePhoneCall", async () => {
  i18n.setLanguage("zh-hans");
  const wx = makeWx();
  global.wx = wx;
  let expanded = true;
  const safety = () => ({ level: 4, title: "请马上拨打", body: "现在就打电话。", steps: ["离开危险的东西"], expanded });
  let comp;
  global.getApp = () => ({
    journey: {
      toggleSafety() {
        expanded = !expanded;
        comp.setData({ safety: safety() });
      },
    },
  });
  const id = simulate.load(path.join(ROOT, "components", "safety", "safety"), { rootPath: ROOT });
  comp = simulate.render(id, { safety: safety(), hotlines: HOTLINES });
  comp.attach(document.createElement("parent-wrapper"));
  expect(shown(comp)).toContain("请马上拨打");
  expect(shown(comp)).toContain("1. 离开危险的东西");
  expect(shown(comp)).toContain(i18n.gettext("Tap to call, any time:"));
  comp.querySelector(".safety-toggle").dispatchEvent("tap");
  await simulate.sleep(10);
  expect(shown(comp)).not.toContain("现在就打电话。");
  expect(shown(comp)).toContain("12355");
  expect(shown(comp)).toContain(i18n.gettext("Show the text again"));
  comp.querySelector(".safety-toggle").dispatchEvent("tap");
  await simulate.sleep(10);
  expect(shown(comp)).toContain("现在就打电话。");
  comp.querySelector("#safety-hotlines").querySelectorAll(".call")[0].dispatchEvent("tap");
  await simulate.sleep(10);
  expect(wx.calls).toContainEqual(["makePhoneCall", "110"]);
});
