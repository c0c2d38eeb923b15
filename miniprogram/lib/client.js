// The mini-program's client of the wire contract (docs/protocol.md), shared by every page.
//
// It does what the web page's ws-client.js and api.js do, over WeChat's own APIs:
//
// - Session: the anonymous identity's tokens in wx storage (they survive a restart of the
//   mini-program), refreshed with wx.request a minute before the access token expires and
//   when the server refuses it. Refresh tokens rotate and a used one presented again revokes
//   the family, so a refresh is single-flight.
// - RealtimeClient: one socket (the platform allows five; we never need two), opened with
//   wx.connectSocket and the access token in the `Authorization` header, so `auth.ok` comes
//   unasked. Reconnects with exponential backoff and jitter when the socket drops, at once
//   when the app comes back from the background (WeChat cuts a backgrounded app's socket)
//   or the network returns; pings every 25 s and treats a silent socket as dead.
// - ConversationSync: the messages, keyed by seq (nothing shown twice, nothing out of
//   order); a seq jump or a reconnect asks `history` after the last contiguous seq (pages
//   of `more: true` followed); an outbox of unacknowledged messages kept with
//   wx.setStorageSync and sent again with the same client_id after a reconnect or a restart
//   (the server stores a client_id once); `busy` / `unavailable` answers hold the outbox for
//   a growing delay, then its messages go one at a time.
//
// Everything WeChat-specific comes in through `wx` (the global in the mini-program, a shim in
// the tests), so this module runs unchanged under node.

"use strict";

const PING_EVERY_MS = 25000;
const SILENCE_LIMIT_MS = PING_EVERY_MS + 10000;
const RESUME_PROBE_MS = 5000; // back from the background: a socket that says nothing is dead
const BACKOFF_FIRST_MS = 500;
const BACKOFF_CAP_MS = 10000;
const REQUEST_TIMEOUT_MS = 12000;
const REFRESH_MARGIN_MS = 60000;
const HISTORY_PAGE = 500;
const RESENT_ERROR_CODES = ["unavailable", "busy"];
const SEND_REF_PREFIX = "send:";

const CLOSE_UNAUTHORIZED = 4401;
const CLOSE_TOO_MANY_SOCKETS = 4409;
const CLOSE_FLOODING = 4429;

function noop() {}

function jitter(attempt, first, cap) {
  const ceiling = Math.min(cap, first * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** A random client id (RFC 4122 v4 shape); wx.getRandomValues is not everywhere. */
function uuid() {
  const bytes = [];
  for (let i = 0; i < 16; i += 1) bytes.push(Math.floor(Math.random() * 256));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** base64url without atob (not in the mini-program's JS engine everywhere). */
function base64UrlDecode(part) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const clean = part.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  const bytes = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = alphabet.indexOf(char);
    if (value < 0) throw new Error("bad base64");
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return decodeURIComponent(bytes.map((b) => `%${b.toString(16).padStart(2, "0")}`).join(""));
}

/** The JWT payload, unverified: only to read exp/iat for scheduling. */
function decodeJwt(token) {
  try {
    return JSON.parse(base64UrlDecode(String(token).split(".")[1]));
  } catch (error) {
    return null;
  }
}

class ApiError extends Error {
  constructor(status, body) {
    super((body && (body.detail || body.error)) || `HTTP ${status}`);
    this.status = status; // 0: the network failed, no answer
    this.code = (body && body.error) || (status === 0 ? "network" : "http");
    this.body = body || {};
  }
}

/** The identity is gone (refresh refused): the journey starts over. */
class SessionLost extends Error {
  constructor() {
    super("session lost");
    this.code = "session_lost";
  }
}

/** An error frame (or a local failure) as a rejection. */
class FrameError extends Error {
  constructor(frame) {
    super(frame.detail || frame.code);
    this.code = frame.code;
    this.frame = frame;
  }
}

/** An HTTP call to /api/v1/ with wx.request. */
function apiRequest(wx, server, path, { method = "GET", body, token, language } = {}) {
  return new Promise((resolve, reject) => {
    const header = { Accept: "application/json" };
    if (body !== undefined) header["Content-Type"] = "application/json";
    if (token) header.Authorization = `Bearer ${token}`;
    // The server reads the language from its cookie only (never Accept-Language: a phone set
    // to English is not a youth who asked for English); wx.request may set the Cookie header.
    if (language) header.Cookie = `django_language=${language}`;
    wx.request({
      url: `${server.api}${path}`,
      method,
      header,
      data: body === undefined ? undefined : JSON.stringify(body),
      dataType: "json",
      timeout: REQUEST_TIMEOUT_MS,
      success(res) {
        let data = res.data;
        if (typeof data === "string" && data) {
          try {
            data = JSON.parse(data);
          } catch (error) {
            data = { error: "bad_response", detail: data.slice(0, 200) };
          }
        }
        if (res.statusCode >= 200 && res.statusCode < 300) resolve(res.statusCode === 204 ? null : data);
        else reject(new ApiError(res.statusCode, data && typeof data === "object" ? data : null));
      },
      fail(err) {
        reject(new ApiError(0, { error: "network", detail: (err && err.errMsg) || "request failed" }));
      },
    });
  });
}

/** Tokens in wx storage, one key each under a prefix. */
class TokenStore {
  constructor(wx, prefix = "yl.youth") {
    this.wx = wx;
    this.prefix = prefix;
  }

  get(key) {
    try {
      const value = this.wx.getStorageSync(`${this.prefix}.${key}`);
      return value === "" || value === undefined ? null : value;
    } catch (error) {
      return null;
    }
  }

  set(key, value) {
    try {
      if (value === null || value === undefined) this.wx.removeStorageSync(`${this.prefix}.${key}`);
      else this.wx.setStorageSync(`${this.prefix}.${key}`, String(value));
    } catch (error) {
      /* storage full: the tokens live until the app is closed */
    }
  }

  get access() {
    return this.get("access");
  }

  get refresh() {
    return this.get("refresh");
  }

  get hasIdentity() {
    return Boolean(this.refresh);
  }

  save({ access, refresh, youth_id: youthId }) {
    this.set("access", access);
    if (refresh) this.set("refresh", refresh);
    if (youthId !== undefined) this.set("user", youthId);
    // A phone's clock can be minutes off: schedule in the server's time, measured by iat.
    const payload = decodeJwt(access);
    if (payload && payload.iat) this.set("skew", Date.now() - payload.iat * 1000);
  }

  clear() {
    for (const key of ["access", "refresh", "user", "skew", "nickname"]) this.set(key, null);
  }

  accessValidFor() {
    const payload = this.access ? decodeJwt(this.access) : null;
    if (!payload || !payload.exp) return 0;
    return payload.exp * 1000 + (Number(this.get("skew")) || 0) - Date.now();
  }
}

class Session {
  constructor(wx, server, { tokens, onLost } = {}) {
    this.wx = wx;
    this.server = server;
    this.tokens = tokens || new TokenStore(wx);
    this.onLost = onLost || noop;
    this.inflight = null;
    this.timer = null;
  }

  get hasIdentity() {
    return this.tokens.hasIdentity;
  }

  /** A new anonymous identity (POST /auth/youth, channel "miniprogram"). */
  async createIdentity({ nickname } = {}) {
    const body = { channel: "miniprogram" };
    if (nickname) body.nickname = nickname;
    const answer = await apiRequest(this.wx, this.server, "/auth/youth", { method: "POST", body });
    this.adopt(answer);
    this.tokens.set("nickname", nickname || "");
    return answer;
  }

  adopt(answer) {
    this.tokens.save(answer);
    this.schedule();
  }

  async accessToken(margin = REFRESH_MARGIN_MS) {
    if (this.tokens.access && this.tokens.accessValidFor() > margin) return this.tokens.access;
    await this.refresh();
    return this.tokens.access;
  }

  /** Refresh now; one at a time (a rotated refresh token must never be presented twice). */
  refresh({ force = false } = {}) {
    if (!this.inflight) {
      this.inflight = this.refreshOnce(force).finally(() => {
        this.inflight = null;
      });
    }
    return this.inflight;
  }

  async refreshOnce(force) {
    if (!force && this.tokens.access && this.tokens.accessValidFor() > REFRESH_MARGIN_MS) return;
    const refresh = this.tokens.refresh;
    if (!refresh) {
      this.lost();
      throw new SessionLost();
    }
    let answer;
    try {
      answer = await apiRequest(this.wx, this.server, "/auth/refresh", { method: "POST", body: { refresh } });
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
        this.lost();
        throw new SessionLost();
      }
      throw error; // the network: keep the identity, try again later
    }
    this.tokens.save(answer);
    this.schedule();
  }

  lost() {
    this.tokens.clear();
    clearTimeout(this.timer);
    this.onLost();
  }

  /** Refresh a minute before the access token expires. */
  schedule() {
    clearTimeout(this.timer);
    if (!this.tokens.access) return;
    const delay = Math.max(5000, this.tokens.accessValidFor() - REFRESH_MARGIN_MS);
    this.timer = setTimeout(() => {
      this.refresh().catch(() => {
        this.timer = setTimeout(() => this.schedule(), 15000);
      });
    }, Math.min(delay, 2 ** 31 - 1));
  }

  /** An authorized call; one retry after a refresh if the access token was refused. */
  async fetch(path, options = {}) {
    const token = await this.accessToken();
    try {
      return await apiRequest(this.wx, this.server, path, { ...options, token });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      await this.refresh({ force: true });
      return apiRequest(this.wx, this.server, path, { ...options, token: this.tokens.access });
    }
  }

  /** Forget the identity here and revoke it on the server (best effort). */
  async logout() {
    const refresh = this.tokens.refresh;
    clearTimeout(this.timer);
    this.tokens.clear();
    if (!refresh) return;
    try {
      await apiRequest(this.wx, this.server, "/auth/logout", { method: "POST", body: { refresh } });
    } catch (error) {
      /* gone from this phone either way */
    }
  }

  stop() {
    clearTimeout(this.timer);
  }
}

class Emitter {
  constructor() {
    this.handlers = new Map();
  }

  on(type, handler) {
    if (!this.handlers.has(type)) this.handlers.set(type, new Set());
    this.handlers.get(type).add(handler);
    return () => this.handlers.get(type).delete(handler);
  }

  emit(type, ...args) {
    const handlers = this.handlers.get(type);
    if (!handlers) return;
    for (const handler of [...handlers]) {
      try {
        handler(...args);
      } catch (error) {
        console.error(`handler for ${type} failed`, error);
      }
    }
  }
}

class RealtimeClient extends Emitter {
  /**
   * @param wx the WeChat API (or a shim)
   * @param {Session} session
   * @param {{socketUrl: string}} server
   */
  constructor(wx, session, server) {
    super();
    this.wx = wx;
    this.session = session;
    this.url = server.socket;
    this.task = null; // the one SocketTask
    this.ready = false;
    this.epoch = 0; // counts authenticated connections
    this.attempt = 0;
    this.running = false;
    this.opening = false;
    this.generation = 0;
    this.state = "idle";
    this.reconnectTimer = null;
    this.pingTimer = null;
    this.probeTimer = null;
    this.lastFrameAt = 0;
    this.pending = new Map();
    this.nextRef = 1;
    this.authRefused = 0;
    this.foreground = true;

    // WeChat closes a backgrounded app's socket after a few seconds; back in front, do not
    // wait out a backoff delay, and do not trust a socket that looks open but may be dead.
    if (typeof wx.onAppShow === "function") wx.onAppShow(() => this.resume());
    if (typeof wx.onAppHide === "function") wx.onAppHide(() => this.suspend());
    if (typeof wx.onNetworkStatusChange === "function") {
      wx.onNetworkStatusChange((res) => {
        if (res && res.isConnected) this.reconnectNow();
      });
    }
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.emit("state", state);
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.connect();
  }

  stop() {
    this.running = false;
    this.generation += 1;
    this.opening = false;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.probeTimer);
    this.stopPing();
    const task = this.task;
    this.task = null;
    this.ready = false;
    if (task) this.closeTask(task, 1000);
    this.failPending("stopped");
    this.setState("stopped");
  }

  closeTask(task, code) {
    try {
      task.close({ code, reason: "" });
    } catch (error) {
      /* already closed */
    }
  }

  async connect() {
    if (!this.running || this.opening || this.task) return;
    clearTimeout(this.reconnectTimer);
    this.setState(this.epoch === 0 && this.attempt === 0 ? "connecting" : "reconnecting");
    this.opening = true;
    const generation = this.generation;
    let token;
    try {
      token = await this.session.accessToken();
    } catch (error) {
      this.opening = false;
      if (generation !== this.generation) return;
      if (error instanceof SessionLost) {
        this.running = false;
        this.setState("lost");
        this.emit("lost");
        return;
      }
      this.scheduleReconnect(); // the refresh failed on the network: later
      return;
    }
    this.opening = false;
    if (generation !== this.generation) {
      if (this.running) this.connect();
      return;
    }
    if (!this.running || this.task) return;
    let task;
    try {
      task = this.wx.connectSocket({ url: this.url, header: { Authorization: `Bearer ${token}` }, timeout: 15000 });
    } catch (error) {
      this.scheduleReconnect();
      return;
    }
    if (!task) {
      this.scheduleReconnect();
      return;
    }
    this.task = task;
    task.onOpen(() => {
      if (this.task === task) this.lastFrameAt = Date.now();
    });
    task.onMessage((res) => {
      if (this.task === task) this.receive(res && res.data);
    });
    task.onClose((res) => {
      if (this.task === task) this.closed({ code: (res && res.code) || 1006 });
    });
    task.onError(() => {
      // A failed handshake may fire only onError: treat it as a close.
      if (this.task === task) {
        this.closed({ code: 1006 });
        this.closeTask(task, 1000);
      }
    });
  }

  receive(data) {
    this.lastFrameAt = Date.now();
    clearTimeout(this.probeTimer);
    let frame;
    try {
      frame = JSON.parse(data);
    } catch (error) {
      return;
    }
    if (!frame || typeof frame.type !== "string") return;
    if (frame.type === "auth.ok") {
      this.ready = true;
      this.attempt = 0;
      this.authRefused = 0;
      this.epoch += 1;
      this.startPing();
      this.setState("open");
      this.emit("auth.ok", frame);
      this.emit("ready", frame);
      return;
    }
    this.settle(frame);
    this.emit(frame.type, frame);
    this.emit("*", frame);
  }

  closed(event) {
    const wasReady = this.ready;
    this.task = null;
    this.ready = false;
    this.stopPing();
    clearTimeout(this.probeTimer);
    this.failPending("disconnected");
    this.emit("closed", { code: event.code, wasReady });
    if (!this.running) return;
    if (event.code === CLOSE_UNAUTHORIZED) {
      // The access token was refused: refresh, then try again at once (twice at most).
      this.authRefused += 1;
      this.setState("reconnecting");
      this.session
        .refresh({ force: true })
        .then(() => {
          if (this.authRefused > 2) this.scheduleReconnect();
          else this.connect();
        })
        .catch((error) => {
          if (error instanceof SessionLost) {
            this.running = false;
            this.setState("lost");
            this.emit("lost");
          } else this.scheduleReconnect();
        });
      return;
    }
    if (event.code === CLOSE_FLOODING || event.code === CLOSE_TOO_MANY_SOCKETS) this.attempt = Math.max(this.attempt, 4);
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    if (!this.running) return;
    clearTimeout(this.reconnectTimer);
    const delay = jitter(this.attempt, BACKOFF_FIRST_MS, BACKOFF_CAP_MS);
    this.attempt += 1;
    this.setState("reconnecting");
    // In the background WeChat would cut a new socket too: wait for onAppShow.
    if (!this.foreground) return;
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  reconnectNow() {
    if (!this.running || this.ready || this.opening || this.task) return;
    this.attempt = 0;
    this.connect();
  }

  suspend() {
    this.foreground = false;
    clearTimeout(this.reconnectTimer);
  }

  resume() {
    this.foreground = true;
    if (!this.running) return;
    if (!this.ready) {
      // A socket still opening is left alone; anything else starts again now.
      if (!this.task) this.reconnectNow();
      return;
    }
    // It looks open: ask, and drop it if nothing answers.
    this.send({ type: "ping" });
    clearTimeout(this.probeTimer);
    this.probeTimer = setTimeout(() => this.drop(), RESUME_PROBE_MS);
  }

  /** Force a reconnect (a silent socket; a test cutting the line). */
  drop() {
    const task = this.task;
    if (!task) return;
    this.closed({ code: 4000 });
    this.closeTask(task, 4000);
  }

  startPing() {
    this.stopPing();
    this.pingTimer = setInterval(() => {
      if (this.ready && Date.now() - this.lastFrameAt > SILENCE_LIMIT_MS) {
        this.drop();
        return;
      }
      if (this.ready) this.send({ type: "ping" });
    }, PING_EVERY_MS);
  }

  stopPing() {
    clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  /** Send a frame now; false if the socket is not ready. */
  send(frame) {
    if (!this.ready || !this.task) return false;
    try {
      this.task.send({ data: JSON.stringify(frame) });
    } catch (error) {
      return false;
    }
    return true;
  }

  /** Send a frame and wait for its answer: the frame echoing our ref, or the first `expect` frame. */
  request(frame, { expect, match, timeoutMs = REQUEST_TIMEOUT_MS } = {}) {
    const ref = `r${this.nextRef}`;
    this.nextRef += 1;
    return new Promise((resolve, reject) => {
      if (!this.send({ ...frame, ref })) {
        reject(new FrameError({ code: "offline", detail: "not connected" }));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(new FrameError({ code: "timeout", detail: "no answer" }));
      }, timeoutMs);
      this.pending.set(ref, { resolve, reject, expect, match, timer });
    });
  }

  settle(frame) {
    if (frame.ref !== undefined && this.pending.has(String(frame.ref))) {
      const waiter = this.pending.get(String(frame.ref));
      this.pending.delete(String(frame.ref));
      clearTimeout(waiter.timer);
      if (frame.type === "error") waiter.reject(new FrameError(frame));
      else waiter.resolve(frame);
      return;
    }
    if (frame.type === "error") return;
    for (const [ref, waiter] of this.pending) {
      if (waiter.expect === frame.type && (!waiter.match || waiter.match(frame))) {
        this.pending.delete(ref);
        clearTimeout(waiter.timer);
        waiter.resolve(frame);
        return;
      }
    }
  }

  failPending(code) {
    for (const waiter of this.pending.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(new FrameError({ code, detail: code }));
    }
    this.pending.clear();
  }
}

/** One conversation's messages as this client knows them. */
class ConversationLog {
  constructor(id) {
    this.id = id;
    this.messages = new Map(); // seq -> MESSAGE
    this.contiguous = 0; // every seq up to this one is here
    this.highest = 0;
    this.historyEpoch = -1; // the connection a history request is in flight on
    this.syncedEpoch = -1;
  }

  add(message) {
    if (this.messages.has(message.seq)) return false;
    this.messages.set(message.seq, message);
    this.highest = Math.max(this.highest, message.seq);
    while (this.messages.has(this.contiguous + 1)) this.contiguous += 1;
    return true;
  }

  get hasGap() {
    return this.highest > this.contiguous;
  }

  /** The messages in seq order. */
  ordered() {
    return [...this.messages.values()].sort((a, b) => a.seq - b.seq);
  }
}

class ConversationSync extends Emitter {
  /**
   * @param {RealtimeClient} client
   * @param {{wx, key?: string}} options where the outbox is kept (wx storage: a restart resends)
   */
  constructor(client, { wx, key = "yl.youth.outbox" }) {
    super();
    this.client = client;
    this.wx = wx;
    this.key = key;
    this.logs = new Map();
    this.outbox = this.loadOutbox();
    this.refused = new Set(); // client_ids held after busy/unavailable, sent again one at a time
    this.holdTimer = null;
    this.holdAttempt = 0;
    this.held = false;

    client.on("ready", () => {
      for (const log of this.logs.values()) this.catchUp(log);
    });
    client.on("message", (frame) => this.receiveMessage(frame));
    client.on("history", (frame) => this.receiveHistory(frame));
    client.on("message.ack", (frame) => this.receiveAck(frame));
    client.on("error", (frame) => this.receiveError(frame));
    client.on("closed", () => {
      for (const log of this.logs.values()) log.historyEpoch = -1;
    });
  }

  loadOutbox() {
    try {
      const stored = this.wx.getStorageSync(this.key);
      const items = Array.isArray(stored) ? stored : JSON.parse(stored || "[]");
      return Array.isArray(items) ? items.filter((item) => item && item.client_id && item.conversation) : [];
    } catch (error) {
      return [];
    }
  }

  saveOutbox() {
    try {
      if (this.outbox.length) this.wx.setStorageSync(this.key, JSON.stringify(this.outbox));
      else this.wx.removeStorageSync(this.key);
    } catch (error) {
      /* storage full: the outbox still lives in memory */
    }
  }

  pendingFor(conversation) {
    return this.outbox.filter((item) => item.conversation === conversation);
  }

  track(conversation, { fetchHistory = true } = {}) {
    let log = this.logs.get(conversation);
    if (!log) {
      log = new ConversationLog(conversation);
      this.logs.set(conversation, log);
    }
    if (fetchHistory) this.catchUp(log);
    else log.syncedEpoch = this.client.epoch;
    return log;
  }

  untrack(conversation) {
    this.logs.delete(conversation);
    this.dropOutbox(conversation);
  }

  dropOutbox(conversation) {
    this.outbox = this.outbox.filter((item) => item.conversation !== conversation);
    this.saveOutbox();
  }

  /** Keep only the outbox of these conversations (the others ended while we were away). */
  pruneOutbox(keep) {
    const wanted = new Set(keep);
    this.outbox = this.outbox.filter((item) => wanted.has(item.conversation));
    this.saveOutbox();
  }

  log(conversation) {
    return this.logs.get(conversation);
  }

  /** Resend what was not acknowledged, then ask what we missed. Once per connection. */
  catchUp(log) {
    if (!this.client.ready || log.syncedEpoch === this.client.epoch) return;
    log.syncedEpoch = this.client.epoch;
    for (const item of this.pendingFor(log.id)) if (!this.refused.has(item.client_id)) this.sendItem(item);
    this.requestHistory(log);
  }

  requestHistory(log) {
    if (!this.client.ready || log.historyEpoch === this.client.epoch) return;
    if (this.client.send({ type: "history", conversation: log.id, after_seq: log.contiguous })) {
      log.historyEpoch = this.client.epoch;
    }
  }

  /** Queue a message: shown at once as sending, sent now or after the reconnect. */
  send(conversation, text) {
    const item = { conversation, client_id: uuid(), text, at: new Date().toISOString() };
    this.outbox.push(item);
    this.saveOutbox();
    this.emit("pending", item);
    if (this.holdTimer !== null || this.refused.size > 0) this.refused.add(item.client_id);
    else this.sendItem(item);
    return item;
  }

  sendItem(item) {
    return this.client.send({
      type: "message.send",
      conversation: item.conversation,
      client_id: item.client_id,
      text: item.text,
      ref: SEND_REF_PREFIX + item.client_id,
    });
  }

  /** `busy` / `unavailable`: nothing was stored; hold the outbox, then resend one at a time. */
  receiveError(frame) {
    if (!RESENT_ERROR_CODES.includes(frame.code) || typeof frame.ref !== "string" || !frame.ref.startsWith(SEND_REF_PREFIX)) return;
    const clientId = frame.ref.slice(SEND_REF_PREFIX.length);
    if (!this.outbox.some((item) => item.client_id === clientId)) return;
    this.refused.add(clientId);
    if (this.holdTimer !== null) return;
    if (!this.held) {
      this.held = true;
      this.emit("held", true);
    }
    const delay = jitter(this.holdAttempt, BACKOFF_FIRST_MS, BACKOFF_CAP_MS);
    this.holdAttempt += 1;
    this.holdTimer = setTimeout(() => {
      this.holdTimer = null;
      this.sendNextRefused();
    }, delay);
  }

  sendNextRefused() {
    const item = this.outbox.find((entry) => this.refused.has(entry.client_id));
    if (!item) {
      this.refused.clear();
      return;
    }
    this.refused.delete(item.client_id);
    this.sendItem(item);
  }

  settleOutbox(clientId) {
    this.refused.delete(clientId);
    const index = this.outbox.findIndex((item) => item.client_id === clientId);
    if (index === -1) return false;
    this.outbox.splice(index, 1);
    this.saveOutbox();
    if (this.held && this.refused.size === 0 && this.holdTimer === null) {
      this.held = false;
      this.emit("held", false);
    }
    this.holdAttempt = 0;
    if (this.holdTimer === null && this.refused.size > 0) this.sendNextRefused();
    return true;
  }

  ingest(log, message, fromHistory) {
    if (typeof message.seq !== "number") return;
    if (!log.add(message)) return;
    if (message.client_id) this.settleOutbox(message.client_id);
    this.emit("message", log.id, message, { fromHistory });
  }

  receiveMessage(frame) {
    const log = this.logs.get(frame.conversation);
    if (!log) return;
    const jumped = frame.seq > log.contiguous + 1;
    this.ingest(log, frame, false);
    if (jumped) this.requestHistory(log); // the fan-out is a notification; the record fills holes
  }

  receiveHistory(frame) {
    const log = this.logs.get(frame.conversation);
    if (!log) return;
    log.historyEpoch = -1;
    const messages = Array.isArray(frame.messages) ? frame.messages : [];
    for (const message of messages) this.ingest(log, { ...message, conversation: frame.conversation }, true);
    this.emit("history", log.id, messages.length);
    if ((frame.more === true && messages.length > 0) || messages.length >= HISTORY_PAGE || (log.hasGap && messages.length > 0)) {
      this.requestHistory(log);
    }
  }

  receiveAck(frame) {
    this.settleOutbox(frame.client_id);
    this.emit("ack", frame.conversation, frame.client_id, frame.seq);
  }
}

module.exports = {
  ApiError,
  ConversationLog,
  ConversationSync,
  FrameError,
  RealtimeClient,
  Session,
  SessionLost,
  TokenStore,
  apiRequest,
  decodeJwt,
  uuid,
  CLOSE_UNAUTHORIZED,
};
