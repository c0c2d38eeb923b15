// Small fakes of the browser pieces the WebSocket client touches: a socket whose
// server side the test plays, window/document as event targets, navigator,
// Web Storage, and a session that hands out tokens. Installed on globalThis,
// because ws-client.js uses the globals the browser gives it.

export class FakeSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  /** Every socket the client opened, oldest first. */
  static all = [];

  constructor(url) {
    this.url = url;
    this.readyState = FakeSocket.CONNECTING;
    this.sent = [];
    this.listeners = new Map();
    this.closedWith = null;
    FakeSocket.all.push(this);
  }

  static get last() {
    return FakeSocket.all[FakeSocket.all.length - 1];
  }

  addEventListener(type, listener) {
    if (!this.listeners.has(type)) this.listeners.set(type, []);
    this.listeners.get(type).push(listener);
  }

  fire(type, event = {}) {
    for (const listener of this.listeners.get(type) || []) listener(event);
  }

  send(data) {
    if (this.readyState !== FakeSocket.OPEN) throw new Error("send on a socket that is not open");
    this.sent.push(JSON.parse(data));
  }

  close(code = 1000) {
    this.closedWith = code;
    this.readyState = FakeSocket.CLOSED;
  }

  // ── the server's side ──
  open() {
    this.readyState = FakeSocket.OPEN;
    this.fire("open");
  }

  receive(frame) {
    this.fire("message", { data: JSON.stringify(frame) });
  }

  /** The server (or the network) closes the socket. */
  drop(code = 1006) {
    this.readyState = FakeSocket.CLOSED;
    this.fire("close", { code });
  }

  /** Frames the client sent, of one type. */
  sentOfType(type) {
    return this.sent.filter((frame) => frame.type === type);
  }
}

export class MemoryStorage {
  constructor() {
    this.map = new Map();
  }
  getItem(key) {
    return this.map.has(key) ? this.map.get(key) : null;
  }
  setItem(key, value) {
    this.map.set(key, String(value));
  }
  removeItem(key) {
    this.map.delete(key);
  }
}

export class FakeSession {
  constructor() {
    this.token = "access-1";
    this.refreshes = [];
  }
  async accessToken() {
    return this.token;
  }
  async refresh(options = {}) {
    this.refreshes.push(options);
    this.token = `access-${this.refreshes.length + 1}`;
  }
}

/** Put fresh window, document, navigator and WebSocket on globalThis. */
export function installBrowser() {
  FakeSocket.all = [];
  const window = new EventTarget();
  window.location = { protocol: "http:", host: "helpline.test" };
  const document = new EventTarget();
  document.visibilityState = "visible";
  globalThis.window = window;
  globalThis.document = document;
  Object.defineProperty(globalThis, "navigator", { value: { onLine: true }, configurable: true, writable: true });
  globalThis.WebSocket = FakeSocket;
  return {
    window,
    document,
    goOnline() {
      globalThis.navigator.onLine = true;
      window.dispatchEvent(new Event("online"));
    },
    setVisibility(state) {
      document.visibilityState = state;
      document.dispatchEvent(new Event("visibilitychange"));
    },
  };
}

/** Let pending promise callbacks run (the client awaits the token before it opens a socket). */
export async function settle() {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
}

/** Open the newest socket and answer its auth frame. */
export async function connectAndAuth(frame = {}) {
  await settle();
  const socket = FakeSocket.last;
  socket.open();
  socket.receive({ type: "auth.ok", role: "youth", conversations: [], ...frame });
  return socket;
}

/**
 * A clock the test moves by hand: setTimeout, setInterval, their clear functions and
 * Date.now on globalThis (what ws-client.js and the composer use), without node's
 * experimental mock.timers, which node 18 (Debian's) lacks for Date.
 */
export class FakeClock {
  constructor(now = 1_000_000) {
    this.now = now;
    this.timers = new Map(); // id -> {at, fn, every}
    this.nextId = 1;
    this.saved = null;
  }

  install() {
    const g = globalThis;
    this.saved = {
      setTimeout: g.setTimeout, clearTimeout: g.clearTimeout,
      setInterval: g.setInterval, clearInterval: g.clearInterval, now: Date.now,
    };
    g.setTimeout = (fn, ms = 0, ...args) => this.add(() => fn(...args), ms, null);
    g.setInterval = (fn, ms = 0, ...args) => this.add(() => fn(...args), ms, Math.max(1, ms));
    g.clearTimeout = (id) => this.timers.delete(id);
    g.clearInterval = (id) => this.timers.delete(id);
    Date.now = () => this.now;
    return this;
  }

  uninstall() {
    if (!this.saved) return;
    Object.assign(globalThis, {
      setTimeout: this.saved.setTimeout, clearTimeout: this.saved.clearTimeout,
      setInterval: this.saved.setInterval, clearInterval: this.saved.clearInterval,
    });
    Date.now = this.saved.now;
    this.saved = null;
  }

  add(fn, ms, every) {
    const id = this.nextId;
    this.nextId += 1;
    this.timers.set(id, { at: this.now + Math.max(0, Number(ms) || 0), fn, every });
    return id;
  }

  /** Move the clock forward, running each timer that falls due, in order. */
  tick(ms) {
    const end = this.now + ms;
    for (;;) {
      let due = null;
      for (const [id, timer] of this.timers) {
        if (timer.at <= end && (!due || timer.at < due[1].at)) due = [id, timer];
      }
      if (!due) break;
      const [id, timer] = due;
      this.now = timer.at;
      if (timer.every) timer.at += timer.every;
      else this.timers.delete(id);
      timer.fn();
    }
    this.now = end;
  }

  /** Jump the clock without running timers (a phone that slept). */
  setTime(now) {
    this.now = now;
  }
}
