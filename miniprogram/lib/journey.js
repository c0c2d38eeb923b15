// The youth's journey in the mini-program, as the web page has it (frontend/static/frontend/
// js/youth/): welcome (privacy notice, topic) → waiting (the real position and estimate) →
// chat → survey → thanks, or leaving a message when nobody can answer; the safety response
// on every screen once a message showed a risk to life; quick exit at any time.
//
// It follows the server's frames and keeps one state; the pages only draw `view()` and call
// the actions. Nothing here touches a page, so it is tested under node (tests/miniprogram).
// The transcript is never written to storage (a shared phone must not keep it): only the
// tokens, the outbox of unsent messages and the skipped surveys are.

"use strict";

const { ConversationSync, RealtimeClient, Session, ApiError, apiRequest } = require("./client.js");
const i18n = require("./i18n.js");

const { gettext, ngettext, interpolate } = i18n;

const TYPING_SHOWN_MS = 6000;
const TYPING_EVERY_MS = 3000;
const SKIPPED_SURVEYS_KEY = "yl.youth.skippedSurveys";
const CONTENT_KEY = "yl.content"; // the helpline's numbers and safety texts, per language
const LEFT_NOTE_DAYS = 30;
const LIMITS = { message: 2000, surveyComment: 500, nickname: 32, contact: 100 };

/** Until the server has told us its own (GET /helpline/content), the numbers everyone knows. */
function fallbackContent() {
  return {
    hotlines: [
      { number: "110", label: gettext("Police"), urgent: true },
      { number: "120", label: gettext("Ambulance"), urgent: true },
      { number: "12355", label: gettext("Youth hotline"), urgent: false },
    ],
    safety_texts: [],
    main_line: "12355",
    retention_days: 3 * 365,
  };
}

function topicLabel(topic) {
  return (
    {
      psych: gettext("Psychological counseling"),
      legal: gettext("Legal advice"),
      aid: gettext("Hardship support"),
    }[topic] ||
    topic ||
    ""
  );
}

function topics() {
  return [
    { value: "psych", name: gettext("Psychological counseling"), desc: gettext("Stress, mood, school, friends, family") },
    { value: "legal", name: gettext("Legal advice"), desc: gettext("Bullying, violence at home, your rights") },
    { value: "aid", name: gettext("Hardship support"), desc: gettext("Money, school support, work, daily life") },
  ];
}

/** The estimated wait as a range of minutes (the server measures it from recent chats). */
function describeEta(low, high) {
  if (typeof low !== "number" || low < 0) return "";
  const top = typeof high === "number" && high > low ? high : low;
  if (top < 60) return gettext("A counselor should be with you in less than a minute.");
  const from = Math.max(1, Math.round(low / 60));
  const to = Math.max(from, Math.round(top / 60));
  if (from === to) {
    return interpolate(ngettext("Estimated wait: about %(n)s minute.", "Estimated wait: about %(n)s minutes.", to), { n: to });
  }
  return interpolate(gettext("Estimated wait: %(from)s to %(to)s minutes."), { from, to });
}

function describeYouthFailure(problem) {
  const offline = problem && ["offline", "disconnected", "timeout"].includes(problem.code);
  return offline
    ? gettext("You're offline right now. Please try again when the connection is back.")
    : gettext("Something went wrong on our side. Please try again in a moment.");
}

function describeYouthHttpError(problem) {
  if (problem instanceof ApiError && problem.status === 429) {
    return gettext("Too many tries in a short time. Please wait a minute and try again.");
  }
  if (problem instanceof ApiError && problem.status === 0) {
    return gettext("We can't reach the service. Please check your network and try again.");
  }
  return gettext("Something went wrong on our side. Please try again in a moment.");
}

/** "12月3日 09:12" / "December 3, 09:12". */
function readMoment(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const hh = String(date.getHours()).padStart(2, "0");
  const mm = String(date.getMinutes()).padStart(2, "0");
  if (i18n.getLanguage() === "en") {
    const months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    return `${months[date.getMonth()]} ${date.getDate()}, ${hh}:${mm}`;
  }
  return `${date.getMonth() + 1}月${date.getDate()}日 ${hh}:${mm}`;
}

function freshState() {
  return {
    screen: "loading",
    conversation: null,
    status: null, // "queued" | "active" | "closed" | "ended"
    topic: null,
    counselor: null,
    everAssigned: false,
    pendingTopic: null,
    surveyConversation: null,
    surveyNote: "",
    leaveConversation: null,
    waiting: null, // {position, eta, etaMax, nobodyOnline}
    unavailableReason: null,
    unavailableDismissed: null,
    serviceHours: "",
    typingRole: null,
    notices: [], // local lines in the chat: {key, afterSeq, text}
    errors: { start: "", leave: "", survey: "", chat: "" },
    flash: null, // a passing sentence (a toast): {id, text}
    starting: false,
    left: false, // "we got your message"
  };
}

class Journey {
  /**
   * @param {{wx, server: {api, socket}, storage?}} options
   */
  constructor({ wx, server }) {
    this.wx = wx;
    this.server = server;
    this.listeners = new Set();
    this.state = freshState();
    this.safetyLevel = 0; // kept for the rest of the visit, on every screen
    this.safetyExpanded = true;
    this.connection = "idle";
    this.held = false;
    this.service = null;
    this.content = this.cachedContent();
    this.leftNote = "";
    this.typingTimer = null;
    this.lastTypingSent = 0;
    this.flashId = 0;
    this.noticeId = 0;
    this.session = new Session(wx, server, { onLost: () => this.identityLost() });
    this.client = new RealtimeClient(wx, this.session, server);
    this.sync = new ConversationSync(this.client, { wx });
    this.bind();
  }

  // ── wiring ─────────────────────────────────────────────────────────────

  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed() {
    for (const listener of [...this.listeners]) {
      try {
        listener(this);
      } catch (error) {
        console.error("journey listener failed", error);
      }
    }
  }

  setScreen(screen) {
    this.state.screen = screen;
  }

  flash(text) {
    this.flashId += 1;
    this.state.flash = { id: this.flashId, text };
  }

  notice(text) {
    const log = this.state.conversation ? this.sync.log(this.state.conversation) : null;
    this.noticeId += 1;
    this.state.notices.push({ key: `n${this.noticeId}`, afterSeq: log ? log.highest : 0, text });
  }

  /** Launch: a returning youth's identity resumes whatever is open (auth.ok says). */
  start() {
    this.loadContent();
    if (this.session.hasIdentity) {
      this.setScreen("loading");
      this.client.start();
      this.loadLeftNote();
    } else this.setScreen("welcome");
    this.changed();
  }

  bind() {
    const c = this.client;
    c.on("state", (state) => {
      this.connection = state;
      this.changed();
    });
    c.on("auth.ok", (frame) => this.onAuthOk(frame));
    c.on("queue.joined", (frame) => this.onQueueJoined(frame));
    c.on("queue.position", (frame) => {
      if (frame.conversation !== this.state.conversation || this.state.status !== "queued") return;
      this.showWaiting(place(frame));
      this.changed();
    });
    c.on("queue.unavailable", (frame) => this.onUnavailable(frame));
    c.on("conversation.assigned", (frame) => this.onAssigned(frame));
    c.on("conversation.transferred", (frame) => {
      const s = this.state;
      if (frame.conversation !== s.conversation) return;
      s.topic = frame.topic || s.topic;
      s.counselor = null;
      this.notice(
        interpolate(gettext("We're connecting you with a counselor for %(topic)s. Please wait a moment."), { topic: topicLabel(s.topic) }),
      );
      this.showWaiting({ position: null });
      this.changed();
    });
    c.on("conversation.ended", (frame) => this.onEnded(frame));
    c.on("leave_message.ok", () => this.messageLeft());
    c.on("safety.response", (frame) => {
      this.showSafety(frame.level, { live: true });
      this.changed();
    });
    c.on("survey.ok", () => {
      this.setScreen("thanks");
      this.changed();
    });
    c.on("typing", (frame) => {
      if (frame.conversation !== this.state.conversation || frame.role === "youth") return;
      this.state.typingRole = frame.role;
      clearTimeout(this.typingTimer);
      this.typingTimer = setTimeout(() => {
        this.state.typingRole = null;
        this.changed();
      }, TYPING_SHOWN_MS);
      this.changed();
    });
    c.on("error", (frame) => {
      if (frame.ref !== undefined) return; // a request's own answer
      if (frame.code === "rate_limited") this.flash(gettext("You're sending very fast. Please wait a moment."));
      else if (frame.code === "too_large") this.flash(gettext("That message is too long. Please split it into shorter ones."));
      else return;
      this.changed();
    });

    const sy = this.sync;
    sy.on("message", (conversation, message) => {
      if (conversation !== this.state.conversation) return;
      if (message.sender !== "youth") this.clearTyping();
      this.changed();
    });
    sy.on("pending", () => this.changed());
    sy.on("ack", () => this.changed());
    sy.on("history", () => this.changed());
    sy.on("held", (held) => {
      this.held = held;
      this.changed();
    });
  }

  clearTyping() {
    clearTimeout(this.typingTimer);
    this.state.typingRole = null;
  }

  // ── frames ─────────────────────────────────────────────────────────────

  onAuthOk(frame) {
    const s = this.state;
    const conversations = Array.isArray(frame.conversations) ? frame.conversations : [];
    const open = conversations.find((c) => c.status === "queued" || c.status === "active");
    const skipped = this.skippedSurveys();
    const surveyDue = conversations.find((c) => c.status === "ended" && c.survey_due && !skipped.includes(c.conversation));
    this.sync.pruneOutbox(open ? [open.conversation] : []);
    for (const c of conversations) this.showSafety(c.safety_level);

    if (open) {
      this.adopt(open);
      this.setScreen("chat");
      if (open.status === "queued") {
        this.showWaiting({ position: null });
        this.requestConsult(open.topic || s.topic); // answered with queue.joined: the place now
      } else this.showActive();
    } else if (["leave", "left", "thanks"].includes(s.screen) || (s.screen === "survey" && s.surveyConversation)) {
      // Stay where the youth is.
    } else if (surveyDue) {
      this.showSurvey(surveyDue.conversation, "");
    } else if (s.pendingTopic) {
      this.requestConsult(s.pendingTopic);
    } else {
      if (s.screen === "chat" && s.conversation) {
        this.forgetConversation();
        this.flash(gettext("This conversation has ended."));
      }
      this.setScreen("welcome");
    }
    this.changed();
  }

  onQueueJoined(frame) {
    const s = this.state;
    if (s.conversation !== frame.conversation) {
      this.adopt({ conversation: frame.conversation, status: "queued", topic: s.pendingTopic || s.topic });
    }
    s.pendingTopic = null;
    s.status = "queued";
    this.setScreen("chat");
    this.showWaiting(place(frame));
    this.changed();
  }

  onUnavailable(frame) {
    const s = this.state;
    if (s.conversation !== frame.conversation) {
      s.conversation = frame.conversation;
      s.notices = [];
      this.sync.track(frame.conversation, { fetchHistory: false });
    }
    s.pendingTopic = null;
    s.leaveConversation = frame.conversation;
    this.setScreen("chat");
    this.showUnavailable(frame.reason, frame.service_hours);
    this.changed();
  }

  onAssigned(frame) {
    const s = this.state;
    if (frame.conversation !== s.conversation) this.adopt({ conversation: frame.conversation, status: "active", topic: s.topic });
    s.counselor = (frame.counselor && frame.counselor.name) || s.counselor;
    s.everAssigned = true;
    this.setScreen("chat");
    this.showActive();
    this.notice(gettext("A counselor is here now. Take your time. You can start whenever you're ready."));
    if (this.safetyLevel) this.safetyExpanded = false; // someone is here: fold the text, keep the numbers
    if (typeof this.wx.vibrateShort === "function") this.wx.vibrateShort({ type: "medium" });
    this.changed();
  }

  onEnded(frame) {
    const s = this.state;
    if (frame.conversation !== s.conversation) return;
    this.clearTyping();
    if (!s.everAssigned && frame.by === "youth") {
      this.forgetConversation();
      this.setScreen("welcome");
      this.flash(gettext("You've left the queue. We're here whenever you want to talk."));
      this.changed();
      return;
    }
    const note =
      frame.by === "counselor" || frame.by === "supervisor"
        ? gettext("The counselor has ended this conversation.")
        : frame.by === "youth"
          ? ""
          : gettext("This conversation has ended.");
    this.showSurvey(frame.conversation, note);
    this.changed();
  }

  // ── what the frames change ─────────────────────────────────────────────

  adopt(summary) {
    const s = this.state;
    if (s.conversation !== summary.conversation) {
      s.notices = [];
      s.conversation = summary.conversation;
    }
    s.topic = summary.topic || s.topic;
    s.status = summary.status;
    if (summary.counselor && summary.counselor.name) s.counselor = summary.counselor.name;
    if (summary.status === "active") s.everAssigned = true;
    s.pendingTopic = null;
    this.sync.track(summary.conversation);
  }

  forgetConversation() {
    const s = this.state;
    if (s.conversation) this.sync.untrack(s.conversation);
    s.conversation = null;
    s.status = null;
    s.counselor = null;
    s.everAssigned = false;
    s.notices = [];
    s.waiting = null;
    s.unavailableReason = null;
    this.clearTyping();
  }

  showWaiting({ position, eta, etaMax, nobodyOnline = false }) {
    const s = this.state;
    s.status = s.conversation ? "queued" : s.status;
    s.waiting = { position, eta, etaMax, nobodyOnline };
    if (typeof position === "number" && nobodyOnline) this.showUnavailable("nobody_online");
    else if (typeof position === "number" && s.unavailableReason === "nobody_online") s.unavailableReason = null;
  }

  showActive() {
    this.state.status = "active";
    this.state.waiting = null;
    this.state.unavailableReason = null;
  }

  showUnavailable(reason, serviceHours) {
    const s = this.state;
    if (reason !== "outside_hours" && s.unavailableDismissed === reason) return; // "keep waiting" was chosen
    s.unavailableReason = reason;
    if (serviceHours) s.serviceHours = serviceHours;
    if (reason === "outside_hours") {
      s.waiting = null;
      s.status = "closed";
    }
  }

  /** The safety response of `level` (3 or 4): shown at once, kept for the visit, never lowered. */
  showSafety(level, { live = false } = {}) {
    if (typeof level !== "number" || level < 3 || level <= this.safetyLevel) return;
    this.safetyLevel = level;
    this.safetyExpanded = true; // a higher level opens the text again
    if (live && typeof this.wx.vibrateLong === "function") this.wx.vibrateLong({});
  }

  showSurvey(conversation, note) {
    const s = this.state;
    if (s.conversation === conversation) this.sync.untrack(conversation);
    s.surveyConversation = conversation;
    s.surveyNote = note || "";
    s.conversation = null;
    s.status = "ended";
    s.notices = [];
    s.waiting = null;
    s.unavailableReason = null;
    s.errors.survey = "";
    this.setScreen("survey");
  }

  messageLeft() {
    this.forgetConversation();
    this.state.errors.leave = "";
    this.setScreen("left");
    this.changed();
  }

  requestConsult(topic) {
    this.client.send({ type: "consult.request", topic });
  }

  /** The refresh token was refused: that identity is gone; if the youth was asking, ask again. */
  async identityLost() {
    const s = this.state;
    const wasTalking = s.screen === "chat" && Boolean(s.conversation);
    const topic = s.pendingTopic || (wasTalking ? s.topic : null);
    this.sync.pruneOutbox([]);
    this.forgetConversation();
    if (!topic) {
      if (wasTalking) this.flash(gettext("Your session expired. Please start again; we're still here."));
      this.setScreen("welcome");
      this.changed();
      return;
    }
    try {
      await this.newIdentity(this.session.tokens.get("nickname") || "");
      s.pendingTopic = topic;
      s.topic = topic;
      this.showWaiting({ position: null });
      this.client.start();
    } catch (problem) {
      this.setScreen("welcome");
      s.errors.start = describeYouthHttpError(problem);
    }
    this.changed();
  }

  async newIdentity(nickname) {
    const hadOne = this.session.hasIdentity;
    if (hadOne) await this.session.logout(); // the old identity's tokens are of no use any more
    this.client.stop();
    this.sync.pruneOutbox([]);
    await this.session.createIdentity({ nickname });
  }

  // ── actions (the pages call these) ──────────────────────────────────────

  async begin({ topic, nickname = "" }) {
    const s = this.state;
    s.errors.start = "";
    if (!topic) {
      s.errors.start = gettext("Please choose what you'd like to talk about.");
      this.changed();
      return false;
    }
    const name = String(nickname || "").trim().slice(0, LIMITS.nickname);
    s.starting = true;
    this.changed();
    try {
      // A new nickname is a new identity: the protocol has no renaming, and a fresh identity
      // keeps consultations apart, the safer default.
      if (!this.session.hasIdentity || (name && name !== (this.session.tokens.get("nickname") || ""))) {
        await this.newIdentity(name);
      }
    } catch (problem) {
      s.starting = false;
      s.errors.start = describeYouthHttpError(problem);
      this.changed();
      return false;
    }
    s.starting = false;
    s.pendingTopic = topic;
    s.topic = topic;
    s.everAssigned = false;
    s.unavailableDismissed = null;
    s.notices = [];
    this.showWaiting({ position: null });
    this.setScreen("chat");
    if (this.client.ready) this.requestConsult(topic);
    else this.client.start();
    this.changed();
    return true;
  }

  sendText(text) {
    const s = this.state;
    const clean = String(text || "").trim();
    if (!clean || !s.conversation) return false;
    if (clean.length > LIMITS.message) {
      this.flash(gettext("That message is too long. Please split it into shorter ones."));
      this.changed();
      return false;
    }
    this.sync.send(s.conversation, clean);
    return true;
  }

  /** Throttled: the counselor sees "typing" at most every few seconds. */
  typing() {
    const s = this.state;
    const now = Date.now();
    if (!s.conversation || s.status !== "active" || now - this.lastTypingSent < TYPING_EVERY_MS) return;
    if (this.client.send({ type: "typing", conversation: s.conversation })) this.lastTypingSent = now;
  }

  end() {
    if (!this.state.conversation) return false;
    if (!this.client.send({ type: "conversation.end", conversation: this.state.conversation })) {
      this.flash(gettext("You're offline right now. Please try again when the connection is back."));
      this.changed();
      return false;
    }
    return true;
  }

  cancel() {
    const s = this.state;
    if (!s.conversation) {
      s.pendingTopic = null;
      this.setScreen("welcome");
      this.changed();
      return true;
    }
    if (!this.client.send({ type: "consult.cancel", conversation: s.conversation })) {
      this.flash(gettext("You're offline right now. Please try again when the connection is back."));
      this.changed();
      return false;
    }
    return true;
  }

  keepWaiting() {
    const s = this.state;
    s.unavailableDismissed = s.unavailableReason;
    s.unavailableReason = null;
    this.flash(gettext("Thank you for your patience. We'll be with you as soon as we can."));
    this.changed();
  }

  openLeave() {
    this.state.leaveConversation = this.state.conversation || this.state.leaveConversation;
    this.state.errors.leave = "";
    this.setScreen("leave");
    this.changed();
  }

  backFromLeave() {
    this.setScreen("chat");
    this.changed();
  }

  async leaveMessage({ text, contact = "" }) {
    const s = this.state;
    const body = String(text || "").trim();
    s.errors.leave = "";
    if (!body) {
      s.errors.leave = gettext("Please write a few words first.");
      this.changed();
      return false;
    }
    const frame = { type: "leave_message", conversation: s.leaveConversation || s.conversation, text: body };
    const reach = String(contact || "").trim();
    if (reach) frame.contact = reach.slice(0, LIMITS.contact);
    try {
      await this.client.request(frame, { expect: "leave_message.ok" });
      return true;
    } catch (problem) {
      s.errors.leave = describeYouthFailure(problem);
      this.changed();
      return false;
    }
  }

  async submitSurvey({ score, comment = "" }) {
    const s = this.state;
    s.errors.survey = "";
    if (!(score >= 1 && score <= 5)) {
      s.errors.survey = gettext("Please choose from 1 to 5 stars.");
      this.changed();
      return false;
    }
    const frame = { type: "survey.submit", conversation: s.surveyConversation, score: Number(score) };
    const said = String(comment || "").trim();
    if (said) frame.comment = said.slice(0, LIMITS.surveyComment);
    try {
      await this.client.request(frame, { expect: "survey.ok" });
      return true;
    } catch (problem) {
      if (problem.code === "invalid") {
        this.setScreen("thanks"); // rated already: nothing is lost
        this.changed();
        return true;
      }
      s.errors.survey = describeYouthFailure(problem);
      this.changed();
      return false;
    }
  }

  skippedSurveys() {
    try {
      const stored = this.wx.getStorageSync(SKIPPED_SURVEYS_KEY);
      const list = Array.isArray(stored) ? stored : JSON.parse(stored || "[]");
      return Array.isArray(list) ? list : [];
    } catch (error) {
      return [];
    }
  }

  skipSurvey() {
    const s = this.state;
    const skipped = this.skippedSurveys();
    if (s.surveyConversation && !skipped.includes(s.surveyConversation)) {
      skipped.push(s.surveyConversation);
      try {
        this.wx.setStorageSync(SKIPPED_SURVEYS_KEY, JSON.stringify(skipped.slice(-20)));
      } catch (error) {
        /* it only spares the youth the question next time */
      }
    }
    this.setScreen("thanks");
    this.changed();
  }

  restart() {
    const s = this.state;
    this.forgetConversation();
    s.surveyConversation = null;
    s.leaveConversation = null;
    s.pendingTopic = null;
    s.unavailableDismissed = null;
    this.setScreen("welcome");
    this.changed();
  }

  toggleSafety() {
    this.safetyExpanded = !this.safetyExpanded;
    this.changed();
  }

  /**
   * Quick exit (快速离开): what the mini-program keeps on this phone (the identity's tokens,
   * the unsent messages, the cached texts) is removed and the mini-program closes. The
   * conversation stays on the server; nobody can resume it from this phone.
   */
  quickExit() {
    try {
      this.client.stop();
      this.session.stop();
    } catch (error) {
      /* leaving matters more than closing neatly */
    }
    try {
      const info = this.wx.getStorageInfoSync();
      for (const key of info.keys || []) if (String(key).startsWith("yl.")) this.wx.removeStorageSync(key);
    } catch (error) {
      /* nothing kept to remove */
    }
    this.sync.outbox = [];
    this.state = freshState();
    this.state.screen = "welcome";
    this.safetyLevel = 0;
    this.changed();
    if (typeof this.wx.exitMiniProgram === "function") this.wx.exitMiniProgram({});
  }

  setLanguage(code) {
    i18n.saveLanguage(this.wx, code);
    this.content = this.cachedContent();
    this.loadContent();
    this.changed();
  }

  // ── what the server says before anyone asks ─────────────────────────────

  cachedContent() {
    try {
      const stored = this.wx.getStorageSync(`${CONTENT_KEY}.${i18n.getLanguage()}`);
      const content = typeof stored === "string" && stored ? JSON.parse(stored) : stored;
      if (content && Array.isArray(content.hotlines) && content.hotlines.length) return content;
    } catch (error) {
      /* the fallback */
    }
    return null;
  }

  /** GET /service (is it open, the topics' hours) and GET /helpline/content (numbers, texts). */
  loadContent() {
    const language = i18n.getLanguage();
    const asked = [
      apiRequest(this.wx, this.server, "/helpline/content", { language }).then((content) => {
        if (i18n.getLanguage() !== language || !content) return;
        this.content = content;
        try {
          this.wx.setStorageSync(`${CONTENT_KEY}.${language}`, JSON.stringify(content));
        } catch (error) {
          /* shown anyway */
        }
      }),
      apiRequest(this.wx, this.server, "/service", { language }).then((info) => {
        this.service = info;
      }),
    ];
    return Promise.all(asked.map((p) => p.catch(() => null))).then(() => this.changed());
  }

  /** A message left earlier that a counselor has read (GET /left-messages/mine). */
  loadLeftNote() {
    return this.session.fetch("/left-messages/mine").then(
      (answer) => {
        const left = answer && answer.left_message;
        if (!left || Date.now() - new Date(left.left_at).getTime() > LEFT_NOTE_DAYS * 86400000) return;
        this.leftNote = left.read_at ? { read: true, at: left.read_at } : { read: false };
        this.changed();
      },
      () => {},
    );
  }

  // ── what the pages draw ────────────────────────────────────────────────

  /** The chat's lines: the stored messages by seq, our notices, then what is still sending. */
  lines() {
    const s = this.state;
    if (!s.conversation) return [];
    const log = this.sync.log(s.conversation);
    const rows = [];
    const stored = log ? log.ordered() : [];
    const settledIds = new Set(stored.map((m) => m.client_id).filter(Boolean));
    const notices = [...s.notices];
    const name = {
      counselor: s.counselor || gettext("Counselor"),
      supervisor: gettext("Supervisor"),
      youth: gettext("You"),
    };
    const pushNotices = (upTo) => {
      while (notices.length && notices[0].afterSeq <= upTo) {
        const n = notices.shift();
        rows.push({ key: n.key, kind: "notice", text: n.text });
      }
    };
    for (const m of stored) {
      pushNotices(m.seq - 1);
      rows.push({
        key: `m${m.seq}`,
        kind: m.sender === "system" ? "system" : m.sender === "youth" ? "mine" : "theirs",
        sender: m.sender,
        name: m.sender === "supervisor" ? name.supervisor : "",
        text: m.text,
        seq: m.seq,
        status: "",
      });
    }
    pushNotices(Infinity);
    for (const item of this.sync.pendingFor(s.conversation)) {
      if (settledIds.has(item.client_id)) continue;
      rows.push({
        key: `p${item.client_id}`,
        kind: "mine",
        sender: "youth",
        name: "",
        text: item.text,
        seq: null,
        status: this.held ? gettext("Many people are writing now: your message will go by itself") : gettext("Sending"),
      });
    }
    return rows;
  }

  waitingView() {
    const w = this.state.waiting;
    if (!w) return null;
    if (typeof w.position !== "number") return { position: gettext("Finding a counselor for you…"), eta: "" };
    if (w.nobodyOnline) {
      return { position: gettext("You're in the queue."), eta: gettext("As soon as a counselor comes online, you'll be connected.") };
    }
    const ahead = w.position - 1;
    return {
      position:
        w.position <= 1
          ? gettext("You're next in line.")
          : interpolate(ngettext("There is %(n)s person ahead of you.", "There are %(n)s people ahead of you.", ahead), { n: ahead }),
      eta: describeEta(w.eta, w.etaMax),
    };
  }

  unavailableView() {
    const s = this.state;
    const reason = s.unavailableReason;
    if (!reason) return null;
    const main = this.hotlineContent().main_line;
    const call = reason !== "wait_too_long" && main ? { number: main, label: interpolate(gettext("Call %(number)s now"), { number: main }) } : null;
    if (reason === "outside_hours") {
      return {
        title: gettext("We're not online right now"),
        text: interpolate(
          gettext("Online counseling is open %(hours)s every day. You can leave us a message now, and a counselor will read it as soon as the service opens."),
          { hours: s.serviceHours || "" },
        ),
        keepWaiting: false,
        call,
      };
    }
    if (reason === "nobody_online") {
      return {
        title: gettext("No counselor is online right now"),
        text: gettext("You can leave us a message and a counselor will read it, or call the hotline now and talk to someone right away."),
        keepWaiting: true,
        call,
      };
    }
    return {
      title: gettext("Many people are reaching out right now"),
      text: gettext("We're sorry to keep you waiting. You can keep waiting for a counselor, or leave us a message and we'll get back to you as soon as we can."),
      keepWaiting: true,
      call: null,
    };
  }

  hotlineContent() {
    return this.content || fallbackContent();
  }

  safetyView() {
    if (!this.safetyLevel) return null;
    const texts = (this.hotlineContent().safety_texts || []).filter((t) => t.level <= this.safetyLevel);
    const chosen = texts.sort((a, b) => b.level - a.level)[0] || null;
    return {
      level: this.safetyLevel,
      title: chosen ? chosen.title : "",
      body: chosen ? chosen.body : "",
      steps: chosen ? chosen.steps || [] : [],
      expanded: this.safetyExpanded,
    };
  }

  headerView() {
    const s = this.state;
    if (s.status === "active") {
      return {
        title: s.counselor || gettext("Your counselor"),
        subtitle: s.counselor ? `${gettext("Your counselor")} · ${topicLabel(s.topic)}` : topicLabel(s.topic),
        canEnd: true,
      };
    }
    if (s.status === "closed") return { title: gettext("Online counseling is closed now"), subtitle: topicLabel(s.topic), canEnd: false };
    return { title: gettext("Waiting for a counselor"), subtitle: topicLabel(s.topic), canEnd: false };
  }

  closedNotice() {
    const info = this.service;
    if (!info || info.open !== false) return "";
    return interpolate(
      gettext("Online counseling is open %(hours)s every day. You can still leave us a message now, and a counselor will read it when the service opens."),
      { hours: info.service_hours || "" },
    );
  }

  topicsView() {
    const info = this.service;
    const openTopics = info && Array.isArray(info.open_topics) ? info.open_topics : null;
    return topics().map((t) => {
      const closed = openTopics !== null && info.open && !openTopics.includes(t.value);
      return {
        ...t,
        closedNote: closed ? interpolate(gettext("Answered %(hours)s; you can leave a message now."), { hours: (info.hours || {})[t.value] || "" }) : "",
      };
    });
  }

  privacyView() {
    const days = this.hotlineContent().retention_days || 3 * 365;
    const kept =
      days % 365 === 0
        ? interpolate(ngettext("The chat is kept for %(years)s year, then deleted.", "The chat is kept for %(years)s years, then deleted.", days / 365), { years: days / 365 })
        : interpolate(ngettext("The chat is kept for %(days)s day, then deleted.", "The chat is kept for %(days)s days, then deleted.", days), { days });
    return {
      title: gettext("Who will read what you write"),
      points: [
        gettext("The counselor who talks with you reads your messages. Supervisors may read them too, to help the counselor and keep you safe."),
        gettext("Later, a quality reviewer may read the chat with your name and contact details hidden, to make sure you were helped well."),
        gettext("If your life or someone else's is in danger, we may pass on what is needed to the police (110) or an ambulance (120)."),
        `${kept} ${gettext("If it was passed on to the police, an ambulance or a service to protect you, it is kept as long as that case needs it.")}`,
      ],
    };
  }

  connectionText() {
    if (["open", "stopped", "idle", "lost", "connecting"].includes(this.connection)) return "";
    return this.connection === "offline"
      ? gettext("You seem to be offline. We'll reconnect as soon as the network is back.")
      : gettext("The connection is unstable. Reconnecting…");
  }

  leftNoteText() {
    if (!this.leftNote) return "";
    return this.leftNote.read
      ? interpolate(gettext("Your message has been read by a counselor (%(time)s)."), { time: readMoment(this.leftNote.at) })
      : gettext("Your message has been received. A counselor will read it as soon as they can.");
  }

  /** Everything a page draws, as plain data for setData. */
  view() {
    const s = this.state;
    const content = this.hotlineContent();
    return {
      screen: s.screen,
      language: i18n.getLanguage(),
      connection: this.connectionText(),
      flash: s.flash,
      hotlines: content.hotlines,
      safety: this.safetyView(),
      header: this.headerView(),
      waiting: this.waitingView(),
      unavailable: this.unavailableView(),
      lines: this.lines(),
      typing: s.typingRole ? (s.typingRole === "supervisor" ? gettext("The supervisor is typing") : gettext("The counselor is typing")) : "",
      canWrite: Boolean(s.conversation) && s.status !== "closed",
      composerPlaceholder: s.status === "active" ? gettext("Write what's on your mind…") : gettext("While you wait, you can write here first…"),
      status: s.status,
      topics: this.topicsView(),
      privacy: this.privacyView(),
      closedNotice: this.closedNotice(),
      leftNote: this.leftNoteText(),
      surveyNote: s.surveyNote,
      errors: { ...s.errors },
      starting: s.starting,
    };
  }
}

function place(frame) {
  return { position: frame.position, eta: frame.eta_s, etaMax: frame.eta_max_s, nobodyOnline: Boolean(frame.nobody_online) };
}

module.exports = { Journey, describeEta, topicLabel, LIMITS };
