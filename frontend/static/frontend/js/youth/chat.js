// The chat screen: the header, the waiting card while queued, the card shown
// when nobody can take the conversation now, the message list and the composer.

import { gettext, ngettext, interpolate } from "../i18n.js";
import { $ } from "../shared/dom.js";
import { topicLabel } from "../shared/labels.js";
import { bindComposer } from "../shared/composer.js";
import { client, state, sync, typing, view } from "./context.js";

/** Follow a conversation the server told us about: its outbox and history come with it. */
export function adopt(summary) {
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

export function forgetConversation() {
  if (state.conversation) sync.untrack(state.conversation);
  state.conversation = null;
  state.status = null;
  state.counselor = null;
  state.everAssigned = false;
  view.clear();
  $("#waiting-card").hidden = true;
  $("#unavailable-card").hidden = true;
}

export function renderHeader() {
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
  input.disabled = !state.conversation;
  $("#send-button").disabled = !state.conversation;
}

/** The estimated wait as a range of minutes (the server measures it from recent chats). */
export function describeEta(low, high) {
  if (typeof low !== "number" || low < 0) return "";
  const top = typeof high === "number" && high > low ? high : low;
  if (top < 60) return gettext("A counselor should be with you in less than a minute.");
  const from = Math.max(1, Math.round(low / 60));
  const to = Math.max(from, Math.round(top / 60));
  if (from === to) {
    return interpolate(ngettext("Estimated wait: about %(n)s minute.", "Estimated wait: about %(n)s minutes.", to), {
      n: to,
    });
  }
  return interpolate(gettext("Estimated wait: %(from)s to %(to)s minutes."), { from, to });
}

export function showWaiting({ position, eta, etaMax, nobodyOnline = false }) {
  state.status = state.conversation ? "queued" : state.status;
  $("#waiting-card").hidden = false;
  const positionText = $("#queue-position");
  const etaText = $("#queue-eta");
  if (typeof position !== "number") {
    positionText.textContent = gettext("Finding a counselor for you…");
    etaText.textContent = "";
  } else if (nobodyOnline) {
    // No estimate to give: say so plainly, and offer at once what can be done now.
    // The card above says that nobody is online; this one, that the place is kept.
    positionText.textContent = gettext("You're in the queue.");
    etaText.textContent = gettext("As soon as a counselor comes online, you'll be connected.");
    showUnavailable("nobody_online");
  } else {
    positionText.textContent =
      position <= 1
        ? gettext("You're next in line.")
        : interpolate(
            ngettext("There is %(n)s person ahead of you.", "There are %(n)s people ahead of you.", position - 1),
            { n: position - 1 },
          );
    etaText.textContent = describeEta(eta, etaMax);
    if (state.unavailableReason === "nobody_online") hideUnavailable();
  }
  renderHeader();
}

export function showActive() {
  state.status = "active";
  $("#waiting-card").hidden = true;
  hideUnavailable();
  renderHeader();
}

function hideUnavailable() {
  $("#unavailable-card").hidden = true;
  state.unavailableReason = null;
}

export function showUnavailable(reason, serviceHours) {
  const card = $("#unavailable-card");
  const title = $("#unavailable-title");
  const text = $("#unavailable-text");
  const callButton = $("#call-hotline-button");
  if (state.unavailableReason === reason && !card.hidden) return;
  // "Keep waiting" was chosen: the same card does not come back with every position update.
  if (reason !== "outside_hours" && state.unavailableDismissed === reason) return;
  state.unavailableReason = reason;
  if (callButton) callButton.hidden = reason === "wait_too_long";
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
  } else if (reason === "nobody_online") {
    title.textContent = gettext("No counselor is online right now");
    text.textContent = gettext("You can leave us a message and a counselor will read it, or call the hotline now and talk to someone right away.");
    $("#keep-waiting-button").hidden = false;
  } else {
    // Only sent when counselors are online and all of them are busy.
    title.textContent = gettext("Many people are reaching out right now");
    text.textContent = gettext("We're sorry to keep you waiting. You can keep waiting for a counselor, or leave us a message and we'll get back to you as soon as we can.");
    $("#keep-waiting-button").hidden = false;
  }
  card.hidden = false;
  card.scrollIntoView({ block: "start" });
}

export function showTyping(role) {
  typing.show(role === "supervisor" ? gettext("The supervisor is typing") : gettext("The counselor is typing"));
}

bindComposer($("#composer"), $("#composer-input"), {
  // Phones: Enter is a new line, the send button sends.
  enterSends: () => !window.matchMedia("(pointer: coarse)").matches,
  typing: () => {
    if (!state.conversation || state.status !== "active") return false;
    client.send({ type: "typing", conversation: state.conversation });
    return true;
  },
  send: (text) => {
    if (!state.conversation) return false;
    sync.send(state.conversation, text);
    return true;
  },
});
