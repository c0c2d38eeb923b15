// The youth page: welcome → topic → waiting → chat → survey → thank you.
// This module follows the server's frames; the screens live in their own
// modules (context.js says what they share).

import { gettext, interpolate } from "../i18n.js";
import { $, confirmDialog, flashTitle } from "../shared/dom.js";
import { toast } from "../shared/toast.js";
import { toastUnsolicitedErrors, tooLong } from "../shared/errors.js";
import { bindConnectionBanner } from "../shared/connection.js";
import { topicLabel } from "../shared/labels.js";
import { client, state, sync, tokens, typing, view } from "./context.js";
import { adopt, forgetConversation, renderHeader, showActive, showTyping, showUnavailable, showWaiting } from "./chat.js";
import { messageLeft, showSurvey, skippedSurveys } from "./afterwards.js";
import { requestConsult } from "./welcome.js";
import { showScreen } from "./screens.js";
import { foldSafety, showSafety } from "./safety.js";
import "./identity.js";
import "./quick-exit.js";
import "./left-note.js";

client.on("auth.ok", (frame) => {
  const conversations = Array.isArray(frame.conversations) ? frame.conversations : [];
  const open = conversations.find((c) => c.status === "queued" || c.status === "active");
  const skipped = skippedSurveys();
  const surveyDue = conversations.find(
    (c) => c.status === "ended" && c.survey_due && !skipped.includes(c.conversation),
  );
  sync.pruneOutbox(open ? [open.conversation] : []);
  for (const c of conversations) showSafety(c.safety_level);

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

const place = (frame) => ({
  position: frame.position,
  eta: frame.eta_s,
  etaMax: frame.eta_max_s,
  nobodyOnline: Boolean(frame.nobody_online),
});

client.on("queue.joined", (frame) => {
  if (state.conversation !== frame.conversation) {
    adopt({ conversation: frame.conversation, status: "queued", topic: state.pendingTopic || state.topic });
  }
  state.pendingTopic = null;
  state.status = "queued";
  if (state.screen !== "chat") showScreen("chat");
  showWaiting(place(frame));
});

client.on("queue.position", (frame) => {
  if (frame.conversation !== state.conversation || state.status !== "queued") return;
  showWaiting(place(frame));
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
  foldSafety();
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
  typing.clear();
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

client.on("leave_message.ok", messageLeft);
// Whatever the screen (queued, chatting, leaving a message, after hours): at once.
client.on("safety.response", (frame) => showSafety(frame.level, { live: true }));
client.on("survey.ok", () => showScreen("thanks"));

client.on("typing", (frame) => {
  if (frame.conversation !== state.conversation || frame.role === "youth") return;
  showTyping(frame.role);
});

toastUnsolicitedErrors(client, {
  rate_limited: () => gettext("You're sending very fast. Please wait a moment."),
  too_large: tooLong,
});

sync.on("message", (conversation, message) => {
  if (conversation !== state.conversation) return;
  view.upsert(message);
  if (message.sender !== "youth") {
    typing.clear();
    if (document.visibilityState !== "visible" && message.sender !== "system") flashTitle(gettext("New message"));
  }
});
sync.on("pending", (item) => {
  if (item.conversation === state.conversation) view.addPending(item);
});
sync.on("ack", (conversation, clientId, seq) => view.ack(clientId, seq));
sync.on("held", (held) => view.setHeld(held));
sync.on("history", (conversation) => {
  if (conversation === state.conversation) view.scrollToEnd();
});

// ── ending and cancelling ───────────────────────────────────────────────

const offline = () => gettext("You're offline right now. Please try again when the connection is back.");

$("#end-button").addEventListener("click", async () => {
  const confirmed = await confirmDialog({
    title: gettext("End this conversation?"),
    text: gettext("You can always come back and talk to us again."),
    ok: gettext("End conversation"),
    cancel: gettext("Keep talking"),
  });
  if (!confirmed || !state.conversation) return;
  if (!client.send({ type: "conversation.end", conversation: state.conversation })) toast(offline(), { kind: "error" });
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
  if (!client.send({ type: "consult.cancel", conversation: state.conversation })) toast(offline(), { kind: "error" });
});

$("#keep-waiting-button").addEventListener("click", () => {
  $("#unavailable-card").hidden = true;
  state.unavailableDismissed = state.unavailableReason;
  state.unavailableReason = null;
  toast(gettext("Thank you for your patience. We'll be with you as soon as we can."));
});

// ── start ───────────────────────────────────────────────────────────────

bindConnectionBanner(client, $("#conn-banner"), $("#conn-banner-text"));

if (tokens.hasIdentity) {
  client.start(); // auth.ok tells whether a conversation is open
} else {
  showScreen("welcome", { focus: false });
}
