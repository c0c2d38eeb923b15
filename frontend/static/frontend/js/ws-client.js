// The WebSocket client every page shares: /ws/v1/ as docs/protocol.md defines it.
//
// RealtimeClient: the socket. Sends the auth frame, reconnects with
// exponential backoff and jitter, pings every 25 s and treats a silent socket
// as dead, refreshes the access token before it expires and on a 4401 close,
// and dispatches frames by type.
//
// ConversationSync: the messages. Keyed by seq, so nothing is shown twice;
// a seq jump or a reconnect asks `history` after the last contiguous seq, so
// nothing is missing; messages not yet acknowledged stay in an outbox kept in
// storage and are sent again with the same client_id (the server stores a
// client_id once), so nothing is lost, even across a reload. A history answer
// with `more: true` (pages are cut to fit one frame) is followed by the next
// page; a message.send answered `unavailable` (the database was unreachable)
// or `busy` (the server was saturated) holds the whole outbox for a backoff,
// then its messages go again one at a time, each after the last was stored.

import { SessionLost } from "./api.js";

const PING_EVERY_MS = 25_000;
const SILENCE_LIMIT_MS = PING_EVERY_MS + 10_000;
const BACKOFF_FIRST_MS = 500;
const BACKOFF_CAP_MS = 10_000;
const REQUEST_TIMEOUT_MS = 12_000;
const HISTORY_PAGE = 500;
// message.send answered `unavailable`: sent again after 0.5 s, 1 s, 2 s ... up to 10 s, with jitter.
const RESEND_FIRST_MS = 500;
// Answers to message.send after which the same message is sent again from the outbox.
const RESENT_ERROR_CODES = new Set(["unavailable", "busy"]);
const RESEND_CAP_MS = 10_000;
const SEND_REF_PREFIX = "send:";

export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FLOODING = 4429;
export const CLOSE_TOO_MANY_SOCKETS = 4409;
export const CLOSE_SLOW_READER = 4408;

/** A random client id; crypto.randomUUID exists only in secure contexts. */
export function uuid() {
  if (globalThis.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  if (globalThis.crypto && typeof crypto.getRandomValues === "function") crypto.getRandomValues(bytes);
  else for (let i = 0; i < 16; i += 1) bytes[i] = Math.floor(Math.random() * 256);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function defaultSocketUrl() {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}/ws/v1/`;
}

/** An error frame (or a local failure) as a rejection. */
export class FrameError extends Error {
  constructor(frame) {
    super(frame.detail || frame.code);
    this.code = frame.code;
    this.frame = frame;
  }
}

export class RealtimeClient {
  /**
   * @param {import("./api.js").Session} session
   * @param {{url?: string, onLost?: () => void}} options
   */
  constructor(session, { url = defaultSocketUrl(), onLost } = {}) {
    this.session = session;
    this.url = url;
    this.onLost = onLost || (() => {});
    this.handlers = new Map();
    this.socket = null;
    this.ready = false; // authenticated and usable
    this.epoch = 0; // counts authenticated connections
    this.attempt = 0;
    this.running = false;
    this.state = "idle";
    this.reconnectTimer = null;
    this.pingTimer = null;
    this.lastFrameAt = 0;
    this.pending = new Map(); // ref -> {resolve, reject, expect, match, timer}
    this.nextRef = 1;
    this.authRefused = 0;
    this.opening = false; // between asking for a token and having a socket
    this.generation = 0; // bumped by stop(), so a connect() begun before it gives up

    // A phone that comes back online or to the foreground should not wait
    // out a backoff delay: its socket was probably killed in the background.
    window.addEventListener("online", () => this.reconnectNow());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") {
        if (!this.ready) this.reconnectNow();
        else this.checkAlive();
      }
    });
    window.addEventListener("pagehide", () => {
      if (this.socket) this.socket.close(1000);
    });
  }

  /** Subscribe to a frame type, or to "ready", "state", "closed", "*". Returns an unsubscribe function. */
  on(type, handler) {
    if (!this.handlers.has(type)) this.handlers.set(type, new Set());
    this.handlers.get(type).add(handler);
    return () => this.handlers.get(type).delete(handler);
  }

  emit(type, payload) {
    const handlers = this.handlers.get(type);
    if (!handlers) return;
    for (const handler of [...handlers]) {
      try {
        handler(payload);
      } catch (error) {
        console.error(`handler for ${type} failed`, error);
      }
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
    this.stopPing();
    if (this.socket) {
      this.socket.close(1000);
      this.socket = null;
    }
    this.ready = false;
    this.failPending("stopped");
    this.setState("stopped");
  }

  async connect() {
    // One attempt at a time: "online", "visible" and the backoff timer may all fire together.
    if (!this.running || this.opening) return;
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) return;
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
        this.onLost();
        return;
      }
      this.scheduleReconnect(); // refresh failed on the network: later
      return;
    }
    this.opening = false;
    if (generation !== this.generation) {
      // stop() (and maybe start() with another identity) happened while we waited for the token.
      if (this.running) this.connect();
      return;
    }
    if (!this.running) return;
    let socket;
    try {
      socket = new WebSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.addEventListener("open", () => {
      if (this.socket !== socket) return;
      this.lastFrameAt = Date.now();
      socket.send(JSON.stringify({ type: "auth", token }));
    });
    socket.addEventListener("message", (event) => {
      if (this.socket === socket) this.receive(event.data);
    });
    socket.addEventListener("close", (event) => {
      if (this.socket === socket) this.closed(event);
    });
  }

  receive(data) {
    this.lastFrameAt = Date.now();
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
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
    this.socket = null;
    this.ready = false;
    this.stopPing();
    this.failPending("disconnected");
    this.emit("closed", { code: event.code, wasReady });
    if (!this.running) return;
    if (event.code === CLOSE_UNAUTHORIZED) {
      // The access token was refused (expired, or the server restarted with
      // a new clock): refresh, then try again without waiting.
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
            this.onLost();
          } else this.scheduleReconnect();
        });
      return;
    }
    // Too many sockets of this identity: others are open (tabs); retry slowly, never in a burst.
    if (event.code === CLOSE_FLOODING || event.code === CLOSE_TOO_MANY_SOCKETS) this.attempt = Math.max(this.attempt, 4);
    this.scheduleReconnect();
  }

  /** Full jitter on an exponential delay, capped at 10 s. */
  scheduleReconnect() {
    if (!this.running) return;
    clearTimeout(this.reconnectTimer);
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_FIRST_MS * 2 ** this.attempt);
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.attempt += 1;
    this.setState(navigator.onLine === false ? "offline" : "reconnecting");
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  reconnectNow() {
    if (!this.running || this.ready || this.opening) return;
    if (this.socket && this.socket.readyState === WebSocket.CONNECTING) return;
    this.attempt = 0;
    this.connect();
  }

  /** Force a reconnect, e.g. after a socket went silent. */
  drop() {
    if (this.socket) {
      const socket = this.socket;
      // Call closed() ourselves: a dead TCP connection may not fire "close" for minutes.
      this.closed({ code: 4000 });
      try {
        socket.close(4000);
      } catch {
        /* already closed */
      }
    }
  }

  startPing() {
    this.stopPing();
    this.pingTimer = setInterval(() => {
      this.checkAlive();
      if (this.ready) this.send({ type: "ping" });
    }, PING_EVERY_MS);
  }

  stopPing() {
    clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  checkAlive() {
    if (this.ready && Date.now() - this.lastFrameAt > SILENCE_LIMIT_MS) this.drop();
  }

  /** Send a frame now; false if the socket is not ready (the caller decides what that means). */
  send(frame) {
    if (!this.ready || !this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  /**
   * Send a frame and wait for its answer: the frame echoing our `ref`, or the
   * first frame of type `expect` that `match` accepts. Rejects with a
   * FrameError on an error frame with our ref, when offline, or on timeout.
   */
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
export class ConversationLog {
  constructor(id) {
    this.id = id;
    this.messages = new Map(); // seq -> MESSAGE
    this.contiguous = 0; // every seq up to this one is here
    this.highest = 0;
    this.historyEpoch = -1; // the connection a history request is in flight on
    this.syncedEpoch = -1;
  }

  /** Store a message; false if this seq was already here. */
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
}

export class ConversationSync {
  /**
   * @param {RealtimeClient} client
   * @param {{storage: Storage, key: string, autoTrack?: boolean, resync?: (id, log) => void}} options
   *   storage/key: where the outbox is kept (localStorage for the youth, so a
   *   reload still resends); autoTrack: start a log for a message of an
   *   unknown conversation; resync: how to catch up a conversation after a
   *   reconnect (default: `history` after the last contiguous seq).
   */
  constructor(client, { storage, key, autoTrack = true, resync } = {}) {
    this.client = client;
    this.storage = storage;
    this.key = key;
    this.autoTrack = autoTrack;
    this.customResync = resync || null;
    this.logs = new Map();
    this.outbox = this.loadOutbox();
    this.settled = new Set(); // client ids the server has stored
    this.droppedConversations = new Set(); // conversations whose outbox no longer matters
    this.listeners = { message: new Set(), ack: new Set(), pending: new Set(), history: new Set(), held: new Set() };

    client.on("ready", () => {
      for (const log of this.logs.values()) this.catchUp(log);
    });
    client.on("message", (frame) => this.receiveMessage(frame));
    client.on("history", (frame) => this.receiveHistory(frame));
    client.on("message.ack", (frame) => this.receiveAck(frame));
    client.on("error", (frame) => this.receiveError(frame));
    client.on("conversation.assigned", (frame) => {
      // A counselor's assignment carries the first page of the history; the page that
      // handles the frame tracks the conversation and takes that page, then we ask on.
      if (frame.more === true) {
        queueMicrotask(() => {
          const log = this.logs.get(frame.conversation);
          if (log) this.requestHistory(log);
        });
      }
    });
    client.on("closed", () => {
      for (const log of this.logs.values()) log.historyEpoch = -1;
    });
    // After `busy` or `unavailable`: the refused messages (and those written meanwhile) wait
    // until the hold ends, then go one at a time; `holdAttempt` grows the hold each time.
    this.refused = new Set(); // client_ids to send again, in outbox order
    this.holdTimer = null;
    this.holdAttempt = 0;
    this.heldShown = false; // "held" was emitted (true) and not yet undone
  }

  on(kind, listener) {
    this.listeners[kind].add(listener);
    return () => this.listeners[kind].delete(listener);
  }

  emit(kind, ...args) {
    for (const listener of [...this.listeners[kind]]) {
      try {
        listener(...args);
      } catch (error) {
        console.error(`sync listener ${kind} failed`, error);
      }
    }
  }

  loadOutbox() {
    try {
      const stored = JSON.parse(this.storage.getItem(this.key) || "[]");
      return Array.isArray(stored) ? stored.filter((item) => item && item.client_id && item.conversation) : [];
    } catch {
      return [];
    }
  }

  /**
   * Write the outbox back. Another tab of the same youth shares this storage and may have
   * queued messages of its own since we read it: keep those, unless we know they are settled.
   */
  saveOutbox() {
    const mine = new Set(this.outbox.map((item) => item.client_id));
    const theirs = this.loadOutbox().filter(
      (item) => !mine.has(item.client_id) && !this.settled.has(item.client_id) && !this.droppedConversations.has(item.conversation),
    );
    try {
      const merged = [...this.outbox, ...theirs];
      if (merged.length) this.storage.setItem(this.key, JSON.stringify(merged));
      else this.storage.removeItem(this.key);
    } catch {
      /* storage full: the outbox still lives in memory */
    }
  }

  /** Unacknowledged messages of a conversation, oldest first. */
  pendingFor(conversation) {
    return this.outbox.filter((item) => item.conversation === conversation);
  }

  /**
   * Follow a conversation: its messages are collected and, once the socket
   * is ready, the outbox is resent and the history fetched.
   */
  track(conversation, { fetchHistory = true } = {}) {
    this.droppedConversations.delete(conversation);
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
    this.droppedConversations.add(conversation);
    this.outbox = this.outbox.filter((item) => item.conversation !== conversation);
    this.saveOutbox();
  }

  /** Keep only the outbox of these conversations (the others ended while we were away). */
  pruneOutbox(keep) {
    const wanted = new Set(keep);
    for (const item of [...this.outbox, ...this.loadOutbox()]) {
      if (!wanted.has(item.conversation)) this.droppedConversations.add(item.conversation);
    }
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
    // Held after a refusal: those wait their turn (sendNextRefused), the rest go now.
    for (const item of this.pendingFor(log.id)) if (!this.refused.has(item.client_id)) this.sendItem(item);
    if (this.customResync) this.customResync(log.id, log);
    else this.requestHistory(log);
  }

  requestHistory(log) {
    if (!this.client.ready || log.historyEpoch === this.client.epoch) return;
    if (this.client.send({ type: "history", conversation: log.id, after_seq: log.contiguous })) {
      log.historyEpoch = this.client.epoch;
    }
  }

  /** Queue a message: shown at once as pending, sent now or after the reconnect. */
  send(conversation, text) {
    const item = { conversation, client_id: uuid(), text, at: new Date().toISOString() };
    this.outbox.push(item);
    this.saveOutbox();
    this.emit("pending", item);
    // Held after a refusal: it waits its turn behind the refused ones (and keeps its order).
    if (this.holdTimer !== null || this.refused.size > 0) this.refused.add(item.client_id);
    else this.sendItem(item);
    return item;
  }

  /** The ref names the message, so an error answer can be matched to it. */
  sendItem(item) {
    return this.client.send({
      type: "message.send", conversation: item.conversation, client_id: item.client_id, text: item.text,
      ref: SEND_REF_PREFIX + item.client_id,
    });
  }

  /**
   * `unavailable`: the server could not reach its database and stored nothing for sure;
   * `busy`: the server was saturated and did not admit the message (it stored nothing).
   * The message stays in the outbox. The whole outbox is held for a growing delay (0.5 s,
   * 1 s, 2 s ... 10 s, with jitter), then the oldest refused message goes again alone, and
   * each acknowledgement sends the next: a saturated server meets one message from this
   * page at a time, not every message retried on its own timer (a resend is safe: the
   * server stores a client_id once). Other errors are the page's to show.
   */
  receiveError(frame) {
    if (!RESENT_ERROR_CODES.has(frame.code) || typeof frame.ref !== "string" || !frame.ref.startsWith(SEND_REF_PREFIX)) return;
    const clientId = frame.ref.slice(SEND_REF_PREFIX.length);
    if (!this.outbox.some((item) => item.client_id === clientId)) return; // stored meanwhile
    this.refused.add(clientId);
    if (this.holdTimer !== null) return;
    // The page may say why its messages wait (the server is busy), not only that they do.
    if (!this.heldShown) {
      this.heldShown = true;
      this.emit("held", true);
    }
    const ceiling = Math.min(RESEND_CAP_MS, RESEND_FIRST_MS * 2 ** this.holdAttempt);
    this.holdAttempt += 1;
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.holdTimer = setTimeout(() => {
      this.holdTimer = null;
      this.sendNextRefused();
    }, delay);
  }

  /** The oldest message waiting after a refusal, sent alone (not connected: the reconnect's catch-up sends it). */
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
    this.settled.add(clientId);
    this.refused.delete(clientId);
    const index = this.outbox.findIndex((item) => item.client_id === clientId);
    if (index === -1) return false;
    this.outbox.splice(index, 1);
    this.saveOutbox();
    // Stored: the server keeps up again; the next held message goes.
    if (this.heldShown && this.refused.size === 0 && this.holdTimer === null) {
      this.heldShown = false;
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
    let log = this.logs.get(frame.conversation);
    if (!log) {
      if (!this.autoTrack) return;
      log = this.track(frame.conversation, { fetchHistory: false });
    }
    const jumped = frame.seq > log.contiguous + 1;
    this.ingest(log, frame, false);
    // The live fan-out is only a notification: fill any hole from the record.
    if (jumped) this.requestHistory(log);
  }

  receiveHistory(frame) {
    const log = this.logs.get(frame.conversation);
    if (!log) return;
    log.historyEpoch = -1;
    const messages = Array.isArray(frame.messages) ? frame.messages : [];
    for (const message of messages) this.ingest(log, { ...message, conversation: frame.conversation }, true);
    this.emit("history", log.id, messages.length);
    // `more`: the server cut the page to fit a frame; a full page (servers before
    // `more`) may have more too; a hole that this answer narrowed is asked again
    // (an empty answer with a hole left would only loop).
    if ((frame.more === true && messages.length > 0) || messages.length >= HISTORY_PAGE || (log.hasGap && messages.length > 0)) {
      this.requestHistory(log);
    }
  }

  receiveAck(frame) {
    this.settleOutbox(frame.client_id);
    this.emit("ack", frame.conversation, frame.client_id, frame.seq);
  }
}
