// A `wx` backed by real network calls, for the end-to-end test: wx.connectSocket is a real
// WebSocket (the `ws` package) to the live server, with the handshake a mini-program makes (the
// Authorization header, WeChat's Referer and User-Agent, no Origin); wx.request is node's
// http; storage is a JSON file, so a second process with the same file is the mini-program
// started again. background() and foreground() do what WeChat does: onAppHide, then the
// socket cut; onAppShow.

"use strict";

const fs = require("fs");
const http = require("http");
const https = require("https");
const WebSocket = require("ws");

const REFERER = "https://servicewechat.com/wx0000000000000000/devtools/page-frame.html";
const USER_AGENT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0.50 miniProgram";

function makeWx(storageFile) {
  const load = () => {
    try {
      return JSON.parse(fs.readFileSync(storageFile, "utf8"));
    } catch (error) {
      return {};
    }
  };
  const store = load();
  const save = () => fs.writeFileSync(storageFile, JSON.stringify(store));
  const listeners = { show: [], hide: [] };
  const sockets = [];

  const wx = {
    sockets,
    getStorageSync: (key) => (key in store ? store[key] : ""),
    setStorageSync(key, value) {
      store[key] = value;
      save();
    },
    removeStorageSync(key) {
      delete store[key];
      save();
    },
    getStorageInfoSync: () => ({ keys: Object.keys(store) }),
    request({ url, method = "GET", header = {}, data, success, fail }) {
      const target = new URL(url);
      const body = data === undefined ? undefined : typeof data === "string" ? data : JSON.stringify(data);
      const headers = { ...header, Referer: REFERER, "User-Agent": USER_AGENT };
      if (body !== undefined) headers["Content-Length"] = Buffer.byteLength(body);
      const lib = target.protocol === "https:" ? https : http;
      const req = lib.request(target, { method, headers, timeout: 10000 }, (res) => {
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed = text;
          try {
            parsed = text ? JSON.parse(text) : "";
          } catch (error) {
            /* left as text, as wx.request does */
          }
          success && success({ statusCode: res.statusCode, data: parsed, header: res.headers });
        });
      });
      req.on("error", (error) => fail && fail({ errMsg: `request:fail ${error.message}` }));
      req.on("timeout", () => req.destroy(new Error("timeout")));
      if (body !== undefined) req.write(body);
      req.end();
    },
    connectSocket({ url, header = {} }) {
      const socket = new WebSocket(url, { headers: { ...header, Referer: REFERER, "User-Agent": USER_AGENT } });
      const handlers = { open: [], message: [], close: [], error: [] };
      const task = {
        socket,
        onOpen: (fn) => handlers.open.push(fn),
        onMessage: (fn) => handlers.message.push(fn),
        onClose: (fn) => handlers.close.push(fn),
        onError: (fn) => handlers.error.push(fn),
        send({ data }) {
          socket.send(data);
        },
        close({ code = 1000 } = {}) {
          try {
            socket.close(code >= 4000 || code === 1000 ? code : 1000);
          } catch (error) {
            socket.terminate();
          }
        },
      };
      socket.on("open", () => handlers.open.forEach((fn) => fn({})));
      socket.on("message", (data) => handlers.message.forEach((fn) => fn({ data: data.toString("utf8") })));
      socket.on("close", (code) => handlers.close.forEach((fn) => fn({ code, reason: "" })));
      socket.on("error", (error) => handlers.error.forEach((fn) => fn({ errMsg: error.message })));
      sockets.push(task);
      return task;
    },
    onAppShow: (fn) => listeners.show.push(fn),
    onAppHide: (fn) => listeners.hide.push(fn),
    onNetworkStatusChange() {},
    vibrateShort() {},
    vibrateLong() {},
    exitMiniProgram() {},
    // ── the test's side ──
    /** The line is cut (no close handshake): what a train tunnel does. */
    cut() {
      for (const task of sockets) if (task.socket.readyState <= WebSocket.OPEN) task.socket.terminate();
    },
    background() {
      listeners.hide.forEach((fn) => fn());
      wx.cut(); // WeChat closes a backgrounded mini-program's socket
    },
    foreground() {
      listeners.show.forEach((fn) => fn({ scene: 1001 }));
    },
    openSockets: () => sockets.filter((task) => task.socket.readyState <= WebSocket.OPEN).length,
  };
  return wx;
}

module.exports = { makeWx };
