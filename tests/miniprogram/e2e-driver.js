#!/usr/bin/env node
// Drives the mini-program's real Journey and client module (miniprogram/lib/) over the
// ws-backed wx shim against a live server, for tests/integration/test_miniprogram_e2e.py.
//
//   node tests/miniprogram/e2e-driver.js SERVER_URL STORAGE_FILE
//
// Reads one JSON command a line on stdin, answers one JSON line on stdout:
//   {"cmd": "begin", "topic", "nickname"}       {"cmd": "send", "text"}
//   {"cmd": "wait", "until": PREDICATE, "timeout"?}  (a JS expression over `view`, `journey`)
//   {"cmd": "cut"} {"cmd": "background"} {"cmd": "foreground"}
//   {"cmd": "end"} {"cmd": "survey", "score", "comment"} {"cmd": "view"} {"cmd": "quit"}
// Every answer carries the view (what the pages would draw) and the sockets opened so far.

"use strict";

const path = require("path");
const readline = require("readline");
const { makeWx } = require("./wx-shim.js");

const MINIPROGRAM = path.resolve(__dirname, "..", "..", "miniprogram");
const { serverFor } = require(path.join(MINIPROGRAM, "config.js"));
const { Journey } = require(path.join(MINIPROGRAM, "lib", "journey.js"));

const [serverUrl, storageFile] = process.argv.slice(2);
const wx = makeWx(storageFile);
const journey = new Journey({ wx, server: serverFor("develop", serverUrl) });
journey.start();

function snapshot() {
  return {
    view: journey.view(),
    sockets: wx.sockets.length,
    open_sockets: wx.openSockets(),
    connection: journey.connection,
    conversation: journey.state.conversation,
    outbox: journey.sync.outbox.map((item) => item.text),
  };
}

function waitUntil(source, timeout = 20000) {
  // A test-written predicate over what the pages would draw; the test is the only author.
  const predicate = new Function("view", "journey", "wx", `return (${source});`);
  const deadline = Date.now() + timeout;
  return new Promise((resolve, reject) => {
    const check = () => {
      let done = false;
      try {
        done = Boolean(predicate(journey.view(), journey, wx));
      } catch (error) {
        done = false;
      }
      if (done) resolve();
      else if (Date.now() > deadline) reject(new Error(`not within ${timeout} ms: ${source}`));
      else setTimeout(check, 20);
    };
    check();
  });
}

async function run(command) {
  switch (command.cmd) {
    case "begin":
      return journey.begin({ topic: command.topic, nickname: command.nickname || "" });
    case "send":
      return journey.sendText(command.text);
    case "wait":
      return waitUntil(command.until, command.timeout);
    case "cut":
      return wx.cut();
    case "background":
      return wx.background();
    case "foreground":
      return wx.foreground();
    case "end":
      return journey.end();
    case "survey":
      return journey.submitSurvey({ score: command.score, comment: command.comment || "" });
    case "view":
      return null;
    case "quit":
      // A phone that kills the app: nothing is closed neatly, the storage file stays.
      process.stdout.write(`${JSON.stringify({ ok: true, ...snapshot() })}\n`, () => process.exit(0));
      return "exiting";
    default:
      throw new Error(`unknown command ${command.cmd}`);
  }
}

const lines = readline.createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on("line", (line) => {
  queue = queue.then(async () => {
    let command;
    try {
      command = JSON.parse(line);
      const result = await run(command);
      if (result === "exiting") return;
      process.stdout.write(`${JSON.stringify({ ok: true, result: result === undefined ? null : result, ...snapshot() })}\n`);
    } catch (error) {
      process.stdout.write(`${JSON.stringify({ ok: false, error: String(error && error.message), ...snapshot() })}\n`);
    }
  });
});
lines.on("close", () => process.exit(0));
