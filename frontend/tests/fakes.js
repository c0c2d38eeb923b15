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
