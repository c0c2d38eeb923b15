// The youth page: welcome → topic → waiting → chat → survey → thank you.
//
// The refresh token is kept in localStorage so that a reload (or a language
// switch, which reloads) keeps the same anonymous identity and conversation:
// auth.ok lists the open conversation, `history` after seq 0 brings the
// transcript back, and the outbox resends whatever was not acknowledged.
// The transcript itself is never written to storage: a shared phone must not
// keep it.

import { gettext, ngettext, interpolate } from "./i18n.js";
import { ApiError, Session, TokenStore, createYouthIdentity, safeStorage, serviceInfo } from "./api.js";
import { ConversationSync, RealtimeClient } from "./ws-client.js";
import { MessageListView } from "./chat-view.js";
import { $, $$, autoGrow, bindConnectionBanner, confirmDialog, flashTitle, toast, topicLabel } from "./ui.js";

const storage = safeStorage("local");
const tokens = new TokenStore(storage, "yl.youth");
const SKIPPED_SURVEYS_KEY = "yl.youth.skippedSurveys";
const TYPING_EVERY_MS = 3000;
const TYPING_SHOWN_MS = 6000;

const app = $("#app");
const state = {
  screen: "loading",
  conversation: null,
  status: null, // "queued" | "active" | "ended"
  topic: null,
  counselor: null,
  everAssigned: false, // a counselor took it at least once: a survey is due at the end
  pendingTopic: null, // asked for before the socket was ready
  surveyConversation: null,
  leaveConversation: null,
  identityWasLost: false,
};

const session = new Session(tokens, { onLost: identityLost });
const client = new RealtimeClient(session);
const sync = new ConversationSync(client, { storage, key: "yl.youth.outbox" });
const view = new MessageListView($("#messages"), {
  scroller: $("#chat-scroll"),
  own: "youth",
  senderName: (sender) =>
    ({
      counselor: state.counselor || gettext("Counselor"),
      supervisor: gettext("Supervisor"),
      youth: gettext("You"),
    })[sender] || "",
  showSender: (sender) => sender === "supervisor",
});

// ── screens ─────────────────────────────────────────────────────────────

function showScreen(name, { focus = true } = {}) {
  const changed = state.screen !== name;
  state.screen = name;
  app.dataset.screen = name;
  document.body.classList.toggle("is-chat", name === "chat");
  for (const section of $$(".screen", app)) section.hidden = section.dataset.screen !== name;
  if (changed && focus) {
    const heading = $(`.screen[data-screen="${name}"] h1`, app);
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
    window.scrollTo(0, 0);
  }
  if (name === "welcome") loadServiceInfo();
}

function channel() {
  const inMiniProgram = /miniProgram/i.test(navigator.userAgent) || window.__wxjs_environment === "miniprogram";
  return inMiniProgram ? "miniprogram" : "web";
}

// ── welcome ─────────────────────────────────────────────────────────────

let serviceInfoLoaded = false;

async function loadServiceInfo() {
  if (serviceInfoLoaded) return;
  try {
    const info = await serviceInfo();
    serviceInfoLoaded = true;
    const notice = $("#closed-notice");
    if (info && info.open === false) {
      $("#closed-notice-text").textContent = interpolate(
        gettext("Online counseling is open %(hours)s every day. You can still leave us a message now, and a counselor will read it when the service opens."),
        { hours: info.service_hours || "" },
      );
      notice.hidden = false;
    } else notice.hidden = true;
  } catch {
    // Not knowing the hours changes nothing: the queue will say if it is closed.
  }
}

for (const input of $$(".topic-input")) {
  input.addEventListener("change", () => {
    for (const card of $$(".topic-card")) card.classList.toggle("is-checked", card.contains($(".topic-input:checked")));
    $("#start-error").textContent = "";
  });
}

$("#start-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const chosen = $(".topic-input:checked");
  const error = $("#start-error");
  error.textContent = "";
  if (!chosen) {
    error.textContent = gettext("Please choose what you'd like to talk about.");
    $(".topic-input").focus();
    return;
  }
  const nickname = $("#nickname").value.trim().slice(0, 32);
  const button = $("#start-button");
  button.disabled = true;
  try {
    // A new nickname is a new identity: the protocol has no renaming, and a
    // fresh identity keeps consultations apart, which is the safer default.
    if (!tokens.hasIdentity || (nickname && nickname !== (tokens.get("nickname") || ""))) {
      await newIdentity(nickname);
    }
  } catch (problem) {
    button.disabled = false;
    error.textContent = describeHttpError(problem);
    return;
  }
  button.disabled = false;
  state.pendingTopic = chosen.value;
  state.topic = chosen.value;
  state.everAssigned = false;
  view.clear();
  showWaiting({ position: null });
  showScreen("chat");
  if (client.ready) requestConsult(chosen.value);
  else client.start();
});

async function newIdentity(nickname) {
  const previous = tokens.refresh;
  const answer = await createYouthIdentity({ channel: channel(), nickname });
  if (previous) {
    // Best effort: the old identity's tokens are of no use any more.
    session.logout().catch(() => {});
  }
  client.stop();
  sync.pruneOutbox([]);
  session.adopt(answer);
  tokens.set("nickname", nickname || "");
}

function describeHttpError(problem) {
  if (problem instanceof ApiError && problem.status === 429) {
    return gettext("Too many tries in a short time. Please wait a minute and try again.");
  }
  if (problem instanceof ApiError && problem.status === 0) {
    return gettext("We can't reach the service. Please check your network and try again.");
  }
  return gettext("Something went wrong on our side. Please try again in a moment.");
}

function requestConsult(topic) {
  client.send({ type: "consult.request", topic });
}

// ── the conversation ────────────────────────────────────────────────────

function adopt(summary) {
  if (state.conversation !== summary.conversation) {
    view.clear();
    state.conversation = summary.conversation;
  }
  state.topic = summary.topic || state.topic;
  state.status = summary.status;
  if (summary.counselor && summary.counselor.name) state.counselor = summary.counselor.name;
  if (summary.status === "active") state.everAssigned = true;
  state.pendingTopic = null;
  sync.track(summary.conversation);
  for (const item of sync.pendingFor(summary.conversation)) view.addPending(item);
}

function renderHeader() {
  const title = $("#chat-title");
  const subtitle = $("#chat-subtitle");
  const endButton = $("#end-button");
  if (state.status === "active") {
    title.textContent = state.counselor || gettext("Your counselor");
    subtitle.textContent = state.counselor
      ? `${gettext("Your counselor")} · ${topicLabel(state.topic)}`
      : topicLabel(state.topic);
    endButton.hidden = false;
  } else if (state.status === "closed") {
    title.textContent = gettext("Online counseling is closed now");
    subtitle.textContent = topicLabel(state.topic);
    endButton.hidden = true;
  } else {
    title.textContent = gettext("Waiting for a counselor");
    subtitle.textContent = topicLabel(state.topic);
    endButton.hidden = true;
  }
  // Outside the service hours nothing is queued: a message goes through "leave a message".
  $("#composer").hidden = state.status === "closed";
  const input = $("#composer-input");
  input.placeholder =
    state.status === "active"
      ? gettext("Write what's on your mind…")
      : gettext("While you wait, you can write here first…");
  $("#composer-input").disabled = !state.conversation;
  $("#send-button").disabled = !state.conversation;
}

function showWaiting({ position, eta }) {
  state.status = state.conversation ? "queued" : state.status;
  $("#waiting-card").hidden = false;
  const positionText = $("#queue-position");
  const etaText = $("#queue-eta");
  if (typeof position !== "number") {
    positionText.textContent = gettext("Finding a counselor for you…");
    etaText.textContent = "";
  } else {
    positionText.textContent =
      position <= 1
        ? gettext("You're next in line.")
        : interpolate(
            ngettext("There is %(n)s person ahead of you.", "There are %(n)s people ahead of you.", position - 1),
            { n: position - 1 },
          );
    etaText.textContent = describeEta(eta);
  }
  renderHeader();
}

function describeEta(seconds) {
  if (typeof seconds !== "number" || seconds < 0) return "";
  if (seconds < 60) return gettext("A counselor should be with you in less than a minute.");
  const minutes = Math.round(seconds / 60);
  return interpolate(
    ngettext("Estimated wait: about %(n)s minute.", "Estimated wait: about %(n)s minutes.", minutes),
    { n: minutes },
  );
}

function showActive() {
  state.status = "active";
  $("#waiting-card").hidden = true;
  $("#unavailable-card").hidden = true;
  renderHeader();
}

function showUnavailable(reason, serviceHours) {
  const card = $("#unavailable-card");
  const title = $("#unavailable-title");
  const text = $("#unavailable-text");
  if (reason === "outside_hours") {
    title.textContent = gettext("We're not online right now");
    text.textContent = interpolate(
      gettext("Online counseling is open %(hours)s every day. You can leave us a message now, and a counselor will read it as soon as the service opens."),
      { hours: serviceHours || "" },
    );
    $("#keep-waiting-button").hidden = true;
    $("#waiting-card").hidden = true;
    state.status = "closed";
    renderHeader();
  } else {
    title.textContent = gettext("Many people are reaching out right now");
    text.textContent = gettext("We're sorry to keep you waiting. You can keep waiting for a counselor, or leave us a message and we'll get back to you as soon as we can.");
    $("#keep-waiting-button").hidden = false;
  }
  card.hidden = false;
  card.scrollIntoView({ block: "nearest" });
}

client.on("auth.ok", (frame) => {
  const conversations = Array.isArray(frame.conversations) ? frame.conversations : [];
  const open = conversations.find((c) => c.status === "queued" || c.status === "active");
  const skipped = skippedSurveys();
  const surveyDue = conversations.find(
    (c) => c.status === "ended" && c.survey_due && !skipped.includes(c.conversation),
  );
  sync.pruneOutbox(open ? [open.conversation] : []);

  if (open) {
    adopt(open);
    showScreen("chat", { focus: state.screen !== "chat" });
    if (open.status === "queued") {
      showWaiting({ position: null });
      // Asking again answers queue.joined with the current position.
      requestConsult(open.topic || state.topic);
    } else showActive();
    return;
  }
  if (state.screen === "leave" || state.screen === "left" || state.screen === "thanks") return;
  if (state.screen === "survey" && state.surveyConversation) return;
  if (surveyDue) {
    showSurvey(surveyDue.conversation, null);
    return;
  }
  if (state.pendingTopic) {
    requestConsult(state.pendingTopic);
    return;
  }
  if (state.screen === "chat" && state.conversation) {
    // It ended while we were away and no survey is due: start over gently.
    forgetConversation();
    toast(gettext("This conversation has ended."));
  }
  showScreen("welcome");
});

client.on("queue.joined", (frame) => {
  if (state.conversation !== frame.conversation) {
    adopt({ conversation: frame.conversation, status: "queued", topic: state.pendingTopic || state.topic });
  }
  state.pendingTopic = null;
  state.status = "queued";
  if (state.screen !== "chat") showScreen("chat");
  showWaiting({ position: frame.position, eta: frame.eta_s });
});

client.on("queue.position", (frame) => {
  if (frame.conversation !== state.conversation || state.status !== "queued") return;
  showWaiting({ position: frame.position, eta: frame.eta_s });
});

client.on("queue.unavailable", (frame) => {
  if (state.conversation !== frame.conversation) {
    state.conversation = frame.conversation;
    view.clear();
    sync.track(frame.conversation, { fetchHistory: false });
  }
  state.pendingTopic = null;
  state.leaveConversation = frame.conversation;
  if (state.screen !== "chat") showScreen("chat");
  renderHeader();
  showUnavailable(frame.reason, frame.service_hours);
});

client.on("conversation.assigned", (frame) => {
  if (frame.conversation !== state.conversation) adopt({ conversation: frame.conversation, status: "active", topic: state.topic });
  state.counselor = (frame.counselor && frame.counselor.name) || state.counselor;
  state.everAssigned = true;
  showScreen("chat", { focus: false });
  showActive();
  view.addNotice(gettext("A counselor is here now. Take your time. You can start whenever you're ready."));
  if (navigator.vibrate) navigator.vibrate(80);
  if (document.visibilityState !== "visible") flashTitle(gettext("Counselor connected"));
});

client.on("conversation.transferred", (frame) => {
  if (frame.conversation !== state.conversation) return;
  state.topic = frame.topic || state.topic;
  state.counselor = null;
  view.addNotice(
    interpolate(gettext("We're connecting you with a counselor for %(topic)s. Please wait a moment."), {
      topic: topicLabel(state.topic),
    }),
  );
  showWaiting({ position: null });
});

client.on("conversation.ended", (frame) => {
  if (frame.conversation !== state.conversation) return;
  clearTyping();
  if (!state.everAssigned && frame.by === "youth") {
    // Cancelled while waiting: nothing to rate.
    forgetConversation();
    showScreen("welcome");
    toast(gettext("You've left the queue. We're here whenever you want to talk."));
    return;
  }
  const note =
    frame.by === "counselor" || frame.by === "supervisor"
      ? gettext("The counselor has ended this conversation.")
      : frame.by === "youth"
        ? ""
        : gettext("This conversation has ended.");
  showSurvey(frame.conversation, note);
});

client.on("leave_message.ok", () => {
  forgetConversation();
  $("#leave-form").reset();
  showScreen("left");
});

client.on("survey.ok", () => showScreen("thanks"));

client.on("typing", (frame) => {
  if (frame.conversation !== state.conversation || frame.role === "youth") return;
  showTyping(frame.role === "supervisor" ? gettext("The supervisor is typing") : gettext("The counselor is typing"));
});

client.on("error", (frame) => {
  if (frame.ref !== undefined) return; // a request() caller handles it
  if (frame.code === "rate_limited") toast(gettext("You're sending very fast. Please wait a moment."), { kind: "error" });
  else if (frame.code === "too_large") toast(gettext("That message is too long. Please split it into shorter ones."), { kind: "error" });
});

sync.on("message", (conversation, message) => {
  if (conversation !== state.conversation) return;
  view.upsert(message);
  if (message.sender !== "youth") {
    clearTyping();
    if (document.visibilityState !== "visible" && message.sender !== "system") flashTitle(gettext("New message"));
  }
});
sync.on("pending", (item) => {
  if (item.conversation === state.conversation) view.addPending(item);
});
sync.on("ack", (conversation, clientId, seq) => view.ack(clientId, seq));
sync.on("history", (conversation) => {
  if (conversation === state.conversation) view.scrollToEnd();
});

function forgetConversation() {
  if (state.conversation) sync.untrack(state.conversation);
  state.conversation = null;
  state.status = null;
  state.counselor = null;
  state.everAssigned = false;
  view.clear();
  $("#waiting-card").hidden = true;
  $("#unavailable-card").hidden = true;
}

// ── typing ──────────────────────────────────────────────────────────────

let typingTimer = null;
function showTyping(text) {
  $("#typing").textContent = text;
  clearTimeout(typingTimer);
  typingTimer = setTimeout(clearTyping, TYPING_SHOWN_MS);
}
function clearTyping() {
  clearTimeout(typingTimer);
  $("#typing").textContent = "";
}

let lastTypingSent = 0;
const composerInput = $("#composer-input");
const fitComposer = autoGrow(composerInput);
composerInput.addEventListener("input", () => {
  const now = Date.now();
  if (state.conversation && state.status === "active" && composerInput.value && now - lastTypingSent > TYPING_EVERY_MS) {
    lastTypingSent = now;
    client.send({ type: "typing", conversation: state.conversation });
  }
});
composerInput.addEventListener("keydown", (event) => {
  // Enter sends on a keyboard; never while an input method (pinyin) is composing.
  if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
  if (window.matchMedia("(pointer: coarse)").matches) return; // phones: Enter is a new line
  event.preventDefault();
  $("#composer").requestSubmit();
});

$("#composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = composerInput.value.trim();
  if (!text || !state.conversation) return;
  if (text.length > 2000) {
    toast(gettext("That message is too long. Please split it into shorter ones."), { kind: "error" });
    return;
  }
  sync.send(state.conversation, text);
  composerInput.value = "";
  fitComposer();
  lastTypingSent = 0;
});

// ── ending, cancelling, leaving a message ───────────────────────────────

$("#end-button").addEventListener("click", async () => {
  const confirmed = await confirmDialog({
    title: gettext("End this conversation?"),
    text: gettext("You can always come back and talk to us again."),
    ok: gettext("End conversation"),
    cancel: gettext("Keep talking"),
  });
  if (!confirmed || !state.conversation) return;
  if (!client.send({ type: "conversation.end", conversation: state.conversation })) {
    toast(gettext("You're offline right now. Please try again when the connection is back."), { kind: "error" });
  }
});

$("#cancel-button").addEventListener("click", async () => {
  const confirmed = await confirmDialog({
    title: gettext("Stop waiting?"),
    text: gettext("You'll leave the queue. You can come back any time."),
    ok: gettext("Stop waiting"),
    cancel: gettext("Keep waiting"),
  });
  if (!confirmed) return;
  if (!state.conversation) {
    state.pendingTopic = null;
    showScreen("welcome");
    return;
  }
  if (!client.send({ type: "consult.cancel", conversation: state.conversation })) {
    toast(gettext("You're offline right now. Please try again when the connection is back."), { kind: "error" });
  }
});

$("#keep-waiting-button").addEventListener("click", () => {
  $("#unavailable-card").hidden = true;
  toast(gettext("Thank you for your patience. We'll be with you as soon as we can."));
});

$("#leave-message-button").addEventListener("click", () => {
  state.leaveConversation = state.conversation;
  showScreen("leave");
});

$("#leave-back-button").addEventListener("click", () => showScreen("chat"));

$("#leave-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("#leave-text").value.trim();
  const contact = $("#leave-contact").value.trim();
  const error = $("#leave-error");
  error.textContent = "";
  if (!text) {
    error.textContent = gettext("Please write a few words first.");
    $("#leave-text").focus();
    return;
  }
  const frame = { type: "leave_message", conversation: state.leaveConversation || state.conversation, text };
  if (contact) frame.contact = contact.slice(0, 100);
  try {
    await client.request(frame, { expect: "leave_message.ok" });
  } catch (problem) {
    error.textContent =
      problem.code === "offline" || problem.code === "disconnected" || problem.code === "timeout"
        ? gettext("You're offline right now. Please try again when the connection is back.")
        : gettext("Something went wrong on our side. Please try again in a moment.");
  }
});

// ── survey ──────────────────────────────────────────────────────────────

function skippedSurveys() {
  try {
    return JSON.parse(storage.getItem(SKIPPED_SURVEYS_KEY) || "[]");
  } catch {
    return [];
  }
}

function showSurvey(conversation, note) {
  if (state.conversation === conversation) sync.untrack(conversation);
  state.surveyConversation = conversation;
  state.conversation = null;
  state.status = "ended";
  view.clear();
  $("#survey-ended-note").textContent = note || "";
  $("#survey-form").reset();
  lightStars(0);
  showScreen("survey");
}

const starCaptions = () => [
  "",
  gettext("Not helpful at all"),
  gettext("Not very helpful"),
  gettext("Okay"),
  gettext("Helpful"),
  gettext("Very helpful"),
];

function lightStars(score) {
  for (const label of $$(".star-label")) {
    const value = Number(label.getAttribute("for").replace("star-", ""));
    label.classList.toggle("is-lit", value <= score);
  }
  $("#star-caption").textContent = starCaptions()[score] || "";
}

for (const input of $$(".star-input")) {
  input.addEventListener("change", () => {
    lightStars(Number(input.value));
    $("#survey-error").textContent = "";
  });
}
for (const label of $$(".star-label")) {
  const value = Number(label.getAttribute("for").replace("star-", ""));
  label.addEventListener("pointerenter", () => lightStars(value));
  label.addEventListener("pointerleave", () => {
    const chosen = $(".star-input:checked");
    lightStars(chosen ? Number(chosen.value) : 0);
  });
}

$("#survey-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const chosen = $(".star-input:checked");
  const error = $("#survey-error");
  error.textContent = "";
  if (!chosen) {
    error.textContent = gettext("Please choose from 1 to 5 stars.");
    return;
  }
  const frame = { type: "survey.submit", conversation: state.surveyConversation, score: Number(chosen.value) };
  const comment = $("#survey-comment").value.trim();
  if (comment) frame.comment = comment.slice(0, 500);
  try {
    await client.request(frame, { expect: "survey.ok" });
  } catch (problem) {
    if (problem.code === "invalid") {
      showScreen("thanks"); // already rated: nothing is lost
      return;
    }
    error.textContent =
      problem.code === "offline" || problem.code === "disconnected" || problem.code === "timeout"
        ? gettext("You're offline right now. Please try again when the connection is back.")
        : gettext("Something went wrong on our side. Please try again in a moment.");
  }
});

$("#survey-skip-button").addEventListener("click", () => {
  const skipped = skippedSurveys();
  if (state.surveyConversation && !skipped.includes(state.surveyConversation)) {
    skipped.push(state.surveyConversation);
    storage.setItem(SKIPPED_SURVEYS_KEY, JSON.stringify(skipped.slice(-20)));
  }
  showScreen("thanks");
});

for (const button of $$('[data-action="restart"]')) {
  button.addEventListener("click", () => {
    forgetConversation();
    state.surveyConversation = null;
    state.leaveConversation = null;
    state.pendingTopic = null;
    $("#start-form").reset();
    for (const card of $$(".topic-card")) card.classList.remove("is-checked");
    showScreen("welcome");
  });
}

// ── identity ────────────────────────────────────────────────────────────

/**
 * The refresh token was refused: that identity is gone, and its
 * conversation with it. Start a fresh identity; if the youth was asking for
 * a counselor, ask again with the new one.
 */
async function identityLost() {
  const wasTalking = state.screen === "chat" && Boolean(state.conversation);
  const topic = state.pendingTopic || (wasTalking ? state.topic : null);
  sync.pruneOutbox([]);
  forgetConversation();
  if (!topic) {
    if (wasTalking) toast(gettext("Your session expired. Please start again; we're still here."));
    showScreen("welcome");
    return;
  }
  try {
    await newIdentity(tokens.get("nickname") || "");
    state.pendingTopic = topic;
    state.topic = topic;
    showWaiting({ position: null });
    client.start();
  } catch (problem) {
    showScreen("welcome");
    $("#start-error").textContent = describeHttpError(problem);
  }
}

// ── start ───────────────────────────────────────────────────────────────

bindConnectionBanner(client, $("#conn-banner"), $("#conn-banner-text"));

if (tokens.hasIdentity) {
  client.start(); // auth.ok tells whether a conversation is open
} else {
  showScreen("welcome", { focus: false });
}
