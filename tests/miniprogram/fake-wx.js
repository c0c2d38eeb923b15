// A `wx` for the unit and component tests: storage in memory, wx.request answered by a
// handler the test gives, sockets the test opens, closes and speaks through, and the app's
// show/hide events. Nothing is sent anywhere.

"use strict";

class FakeSocketTask {
  constructor(wx, options) {
    this.wx = wx;
    this.url = options.url;
    this.header = options.header || {};
    this.sent = [];
    this.state = "connecting";
    this.handlers = { open: [], message: [], close: [], error: [] };
  }

  onOpen(fn) {
    this.handlers.open.push(fn);
  }

  onMessage(fn) {
    this.handlers.message.push(fn);
  }

  onClose(fn) {
    this.handlers.close.push(fn);
  }

  onError(fn) {
    this.handlers.error.push(fn);
  }

  send({ data }) {
    if (this.state !== "open") throw new Error("not open");
    this.sent.push(JSON.parse(data));
  }

  close({ code = 1000 } = {}) {
    if (this.state === "closed") return;
    this.state = "closed";
    this.closedWith = code;
  }

  // ── the test's side ──
  open() {
    this.state = "open";
    for (const fn of this.handlers.open) fn({});
  }

  deliver(frame) {
    for (const fn of this.handlers.message) fn({ data: JSON.stringify(frame) });
  }

  /** The server (or the network, or WeChat) closes it. */
  cut(code = 1006) {
    this.state = "closed";
    for (const fn of this.handlers.close) fn({ code, reason: "" });
  }

  frames(type) {
    return this.sent.filter((frame) => !type || frame.type === type);
  }
}

function makeWx({ request } = {}) {
  const storage = new Map();
  const listeners = { show: [], hide: [], network: [] };
  const wx = {
    sockets: [],
    requests: [],
    calls: [],
    modalAnswer: true,
    handler: request || (() => ({ statusCode: 404, data: { error: "not_found" } })),
    getStorageSync(key) {
      return storage.has(key) ? storage.get(key) : "";
    },
    setStorageSync(key, value) {
      storage.set(key, value);
    },
    removeStorageSync(key) {
      storage.delete(key);
    },
    getStorageInfoSync() {
      return { keys: [...storage.keys()] };
    },
    request(options) {
      wx.requests.push(options);
      Promise.resolve()
        .then(() => wx.handler(options))
        .then((answer) => {
          if (!answer) options.fail && options.fail({ errMsg: "request:fail" });
          else options.success && options.success({ statusCode: answer.statusCode, data: answer.data });
        });
    },
    connectSocket(options) {
      const task = new FakeSocketTask(wx, options);
      wx.sockets.push(task);
      return task;
    },
    onAppShow(fn) {
      listeners.show.push(fn);
    },
    onAppHide(fn) {
      listeners.hide.push(fn);
    },
    onNetworkStatusChange(fn) {
      listeners.network.push(fn);
    },
    showModal(options) {
      wx.calls.push(["showModal", options]);
      options.success && options.success({ confirm: wx.modalAnswer, cancel: !wx.modalAnswer });
    },
    showToast(options) {
      wx.calls.push(["showToast", options]);
    },
    reLaunch(options) {
      wx.calls.push(["reLaunch", options.url]);
      options.complete && options.complete();
    },
    makePhoneCall(options) {
      wx.calls.push(["makePhoneCall", options.phoneNumber]);
    },
    exitMiniProgram() {
      wx.calls.push(["exitMiniProgram"]);
    },
    setNavigationBarTitle() {},
    vibrateShort() {},
    vibrateLong() {},
    // ── the test's side ──
    storage,
    /** Forget everything (the page tests keep one wx: the pages' modules hold on to it). */
    reset() {
      storage.clear();
      for (const list of Object.values(listeners)) list.length = 0;
      wx.sockets = [];
      wx.requests = [];
      wx.calls = [];
      wx.modalAnswer = true;
    },
    background() {
      for (const fn of listeners.hide) fn();
    },
    foreground() {
      for (const fn of listeners.show) fn({});
    },
    network(isConnected) {
      for (const fn of listeners.network) fn({ isConnected });
    },
    get socket() {
      return wx.sockets[wx.sockets.length - 1];
    },
    openSockets() {
      return wx.sockets.filter((s) => s.state !== "closed");
    },
  };
  return wx;
}

/** An unsigned JWT with exp/iat: the client only reads them to schedule a refresh. */
function token(name, { ttl = 900 } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const body = Buffer.from(JSON.stringify({ sub: name, iat: now, exp: now + ttl })).toString("base64url");
  return `h.${body}.${name}`;
}

const SERVER = { api: "https://yl.test/api/v1", socket: "wss://yl.test/ws/v1/" };

/** Let promise callbacks run (wx.request answers, token reads). */
async function settle(times = 5) {
  for (let i = 0; i < times; i += 1) await Promise.resolve();
}

module.exports = { makeWx, token, SERVER, settle };
