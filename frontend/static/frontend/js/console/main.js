// The counselor console: presence, several conversations in tabs, the risk
// banner, supervisors' whispers, transfer, end with a wrap-up, queue counter.
// This module follows the server's frames; desk.js holds the conversations,
// panel.js draws one, actions.js and wrapup.js do what a counselor does.

import { gettext, interpolate } from "../i18n.js";
import { ConversationSync } from "../ws-client.js";
import { $, flashTitle } from "../shared/dom.js";
import { toast } from "../shared/toast.js";
import { staffTooFast, toastUnsolicitedErrors, tooLong } from "../shared/errors.js";
import { topicLabel } from "../shared/labels.js";
import { loadServiceInfo, topics } from "../shared/service.js";
import { staffStorage, startStaffPage } from "../shared/staff.js";
import { chime } from "../sound.js";
import {
  desk, onTabSelected, presenceFromFrame, presenceFromSummary, renderDesk, tabButton, youthName,
  countsAsUnread, noteMessage, scheduleDeskRender, startDeskClock,
} from "./desk.js";
import { createConversation, renderPanelHead, showEnded, showRiskBanner, showTyping } from "./panel.js";
import { conversationActions } from "./actions.js";
import { worryActions } from "./worry.js";
import { useSession } from "./desk-api.js";
import { announceNewChat, announceRisk, askOnGesture } from "./alerts.js";
import { bindShortcuts } from "./keys.js";

const PRESENCE_KEY = "yl.staff.presence";

function runConsole({ client, session }) {
  const sync = new ConversationSync(client, { storage: staffStorage, key: "yl.staff.outbox" });
  const actions = conversationActions(client, session);
  const worry = worryActions(client);
  const { conversations } = desk;
  loadServiceInfo().catch(() => {}); // the topics a conversation can be transferred to

  // ── presence ──────────────────────────────────────────────────────────
  // What this tab last chose. A fresh tab has chosen nothing and sends nothing: the server's
  // state is left alone (after a sign-in it is "away" anyway, set when the last socket closed).
  let desiredPresence = staffStorage.getItem(PRESENCE_KEY);
  const presenceButton = $("#presence-toggle");
  function renderPresence(status) {
    const available = status === "available";
    presenceButton.setAttribute("aria-checked", String(available));
    presenceButton.classList.toggle("is-available", available);
    $("#presence-label").textContent = available
      ? gettext("Available")
      : status === "break" ? gettext("On a break") : gettext("Away");
  }
  renderPresence(desiredPresence || "away");
  presenceButton.addEventListener("click", () => {
    const next = presenceButton.getAttribute("aria-checked") === "true" ? "away" : "available";
    desiredPresence = next;
    staffStorage.setItem(PRESENCE_KEY, next);
    if (!client.send({ type: "presence", status: next })) {
      toast(gettext("Not connected. Your status will be sent when the connection is back."));
    }
    renderPresence(next);
  });
  client.on("presence.ok", (frame) => renderPresence(frame.status));

  // ── queue counter: asked once per connection, then pushed by the server when it changes ──
  client.on("queue.stats", (frame) => {
    const waiting = frame.waiting || {};
    let total = 0;
    for (const topic of topics) {
      const count = Number(waiting[topic]) || 0;
      total += count;
      const cell = document.getElementById(`queue-${topic}`);
      if (cell) cell.textContent = String(count);
    }
    $("#queue-stats").classList.toggle("has-waiting", total > 0);
  });

  // ── conversations ─────────────────────────────────────────────────────
  function ensureConversation(summary) {
    const id = summary.conversation;
    let conv = conversations.get(id);
    if (!conv) {
      conv = createConversation(id, {
        client, sync, onTransfer: actions.transfer, onEnd: actions.endWithWrapup, onLateWrapup: actions.lateWrapup,
        onWorry: worry.open,
      });
      conversations.set(id, conv);
    }
    if (summary.youth) conv.youth = summary.youth;
    if (summary.topic) conv.topic = summary.topic;
    if (typeof summary.risk_level === "number") conv.risk = Math.max(conv.risk, summary.risk_level);
    const presence = presenceFromSummary(summary);
    if (presence) conv.presence = presence;
    if ((summary.status === "ended" || summary.wrapup_due) && conv.status !== "ended") showEnded(conv, null);
    renderPanelHead(conv);
    renderDesk();
    return conv;
  }

  function activate(id) {
    const conv = conversations.get(id);
    if (!conv) return;
    desk.activeId = id;
    for (const other of conversations.values()) other.panel.hidden = other.id !== id;
    conv.unread = 0;
    renderDesk();
    conv.view.scrollToEnd();
  }
  onTabSelected(activate);

  // Arrow keys move between tabs, as a tablist should.
  $("#conv-tabs").addEventListener("keydown", (event) => {
    if (!["ArrowDown", "ArrowUp", "ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) return;
    const ids = [...conversations.keys()];
    if (!ids.length) return;
    let index = ids.indexOf(desk.activeId);
    if (event.key === "ArrowDown" || event.key === "ArrowRight") index = (index + 1) % ids.length;
    else if (event.key === "ArrowUp" || event.key === "ArrowLeft") index = (index - 1 + ids.length) % ids.length;
    else if (event.key === "Home") index = 0;
    else index = ids.length - 1;
    event.preventDefault();
    activate(ids[index]);
    tabButton(ids[index]).focus();
  });

  function removeConversation(id) {
    const conv = conversations.get(id);
    if (!conv) return;
    sync.untrack(id);
    conv.panel.remove();
    conversations.delete(id);
    if (desk.activeId === id) {
      desk.activeId = null;
      const next = conversations.keys().next();
      if (!next.done) activate(next.value);
    }
    renderDesk();
  }

  // Unread counts only the youth's messages not seen yet (desk.js: countsAsUnread); flags,
  // tips and endings have badges of their own. Whatever comes while the page is hidden chimes.
  function notifyBackground(conv, message = null) {
    const visible = document.visibilityState === "visible";
    if (message && countsAsUnread(conv, message, { activeId: desk.activeId, visible })) {
      conv.unread += 1;
      renderDesk();
    }
    if (!visible) chime();
  }

  /** After a transfer: what the counselor before wrote for us (staff only), shown once per tab. */
  function showHandover(conv, handover) {
    if (!handover || conv.handoverShown) return;
    conv.handoverShown = true;
    conv.view.addNotice(interpolate(gettext("Handover note from %(name)s: %(note)s"), { name: handover.from, note: handover.note }));
  }

  // ── frames ────────────────────────────────────────────────────────────
  client.on("auth.ok", (frame) => {
    const summaries = Array.isArray(frame.conversations) ? frame.conversations : [];
    const present = new Set();
    for (const summary of summaries) {
      if (summary.status === "queued") continue;
      present.add(summary.conversation);
      const conv = ensureConversation(summary);
      showHandover(conv, summary.handover);
      sync.track(conv.id); // resend, then history after the last seq we have
    }
    // Gone while we were away (given back to the queue after the grace period).
    for (const id of [...conversations.keys()]) {
      if (!present.has(id)) {
        toast(interpolate(gettext("The conversation with %(name)s was handed to the queue while you were offline."), {
          name: youthName(conversations.get(id).youth, id),
        }));
        removeConversation(id);
      }
    }
    sync.pruneOutbox([...present]);
    if (desk.activeId === null && conversations.size) activate(conversations.keys().next().value);
    // After a reconnect the server may have set us away (grace period): say again what we chose.
    if (desiredPresence) client.send({ type: "presence", status: desiredPresence });
    client.send({ type: "queue.stats" }); // the counter's state now; changes are pushed
  });

  client.on("conversation.assigned", (frame) => {
    const known = conversations.has(frame.conversation);
    // A youth handed over has just been waiting on their page: online unless told otherwise.
    if (!known && typeof frame.youth_online !== "boolean") frame = { ...frame, youth_online: true };
    const conv = ensureConversation({ ...frame, status: "active" });
    sync.track(conv.id, { fetchHistory: false }); // the history came with the frame
    sync.receiveHistory({ conversation: frame.conversation, messages: frame.history || [] });
    showHandover(conv, frame.handover);
    if (!known) {
      if (desk.activeId === null) activate(conv.id);
      else conv.unread = (frame.history || []).filter((message) => message.sender === "youth").length;
      renderDesk();
      chime();
      announceNewChat({ name: youthName(conv.youth, conv.id), topic: topicLabel(conv.topic), onClick: () => activate(conv.id) });
      flashTitle(gettext("New conversation"));
      toast(interpolate(gettext("New conversation: %(name)s (%(topic)s)"), {
        name: youthName(conv.youth, conv.id),
        topic: topicLabel(conv.topic),
      }));
    }
  });

  sync.on("message", (id, message, { fromHistory }) => {
    const conv = conversations.get(id);
    if (!conv) return;
    conv.view.upsert(message);
    if (message.sender === "youth") conv.typing.clear();
    noteMessage(conv, message); // the tab's last line and waiting time
    scheduleDeskRender();
    if (!fromHistory && message.sender !== "counselor" && message.sender !== "system") notifyBackground(conv, message);
  });
  sync.on("pending", (item) => {
    const conv = conversations.get(item.conversation);
    if (conv) conv.view.addPending(item);
    if (conv) {
      noteMessage(conv, { sender: "counselor", text: item.text }); // answered: the wait ends now
      scheduleDeskRender();
    }
  });
  sync.on("ack", (id, clientId, seq) => {
    for (const conv of conversations.values()) {
      if (id === undefined || conv.id === id) conv.view.ack(clientId, seq);
    }
  });

  client.on("typing", (frame) => {
    const conv = conversations.get(frame.conversation);
    if (conv && frame.role !== "counselor") showTyping(conv, frame.role);
  });

  client.on("crisis.flag", (frame) => {
    const conv = conversations.get(frame.conversation);
    if (!conv) return;
    conv.risk = Math.max(conv.risk, Number(frame.level) || 0);
    if (frame.category) conv.lastCategory = frame.category;
    if (conv.flagged.has(frame.alert) && frame.alert !== undefined) return;
    conv.flagged.add(frame.alert);
    showRiskBanner(conv, frame);
    renderDesk();
    // The alert sound while the page is hidden (else the chime), and a desktop notification.
    announceRisk({
      name: youthName(conv.youth, conv.id), level: conv.risk, conversation: conv.id, onClick: () => activate(conv.id),
    });
  });

  client.on("whisper", (frame) => {
    const conv = conversations.get(frame.conversation);
    if (!conv) return;
    conv.view.addWhisper({ text: frame.text, from: frame.from });
    conv.whispered = true;
    renderDesk();
    notifyBackground(conv);
    if (conv.id === desk.activeId && document.visibilityState === "visible") chime();
  });

  client.on("youth.presence", (frame) => {
    const conv = conversations.get(frame.conversation);
    const presence = presenceFromFrame(frame);
    if (!conv || !presence) return;
    conv.presence = presence;
    renderPanelHead(conv);
    renderDesk();
  });

  client.on("conversation.transferred", (frame) => {
    const conv = conversations.get(frame.conversation);
    if (!conv) return;
    const name = youthName(conv.youth, conv.id);
    toast(frame.to
      ? interpolate(gettext("%(name)s is now with %(colleague)s."), { name, colleague: frame.to })
      : interpolate(gettext("%(name)s was transferred to %(topic)s."), { name, topic: topicLabel(frame.topic) }));
    removeConversation(frame.conversation);
  });

  // A supervisor gave the conversation to someone else (or took it): it leaves this console.
  client.on("conversation.taken", (frame) => {
    const conv = conversations.get(frame.conversation);
    if (!conv) return;
    toast(interpolate(gettext("Supervisor %(by)s handed the conversation with %(name)s to %(to)s."), {
      by: frame.by, name: youthName(conv.youth, conv.id), to: frame.to,
    }));
    removeConversation(frame.conversation);
  });

  client.on("conversation.ended", (frame) => {
    const conv = conversations.get(frame.conversation);
    if (!conv) return;
    if (frame.by === "counselor") {
      // Ended with its wrap-up, here or in another tab of ours.
      if (conv.endingWithWrapup) {
        toast(gettext("Conversation ended. The wrap-up is saved."));
        offerDebrief(conv);
      }
      removeConversation(conv.id);
      return;
    }
    if (conv.status !== "ended") {
      showEnded(conv, frame.by);
      renderDesk();
    }
    notifyBackground(conv);
  });

  client.on("wrapup.ok", (frame) => {
    const conv = conversations.get(frame.conversation);
    if (!conv) return;
    toast(gettext("Wrap-up saved. Thank you."));
    offerDebrief(conv);
    removeConversation(conv.id);
  });

  // ── after a hard chat: a debrief with a supervisor, and a break ─────────
  const debriefDialog = $("#debrief-dialog");
  function setPresence(status) {
    desiredPresence = status;
    staffStorage.setItem(PRESENCE_KEY, status);
    client.send({ type: "presence", status });
    renderPresence(status);
  }
  function offerDebrief(conv) {
    if ((conv.risk || 0) < 4 || debriefDialog.open) return;
    const id = conv.id;
    debriefDialog.returnValue = "";
    debriefDialog.showModal();
    debriefDialog.addEventListener(
      "close",
      async () => {
        const choice = debriefDialog.returnValue;
        if (choice === "break" || choice === "debrief") setPresence("break");
        if (choice !== "debrief") return;
        try {
          await client.request({ type: "debrief.request", conversation: id }, { expect: "debrief.request.ok" });
          toast(gettext("A supervisor has been asked to talk it through with you."));
        } catch {
          toast(gettext("The request did not reach the supervisors. Please tell one directly."), { kind: "error" });
        }
      },
      { once: true },
    );
  }

  const notYours = () => gettext("That conversation is no longer yours.");
  toastUnsolicitedErrors(client, {
    rate_limited: staffTooFast,
    too_large: tooLong,
    forbidden: notYours,
    not_found: notYours,
  });

  // ── the desk: HTTP calls, shortcuts, notifications, unread when the page comes back ──
  useSession(session);
  bindShortcuts({
    ids: () => [...conversations.keys()],
    activeId: () => desk.activeId,
    select: (id) => {
      activate(id);
      tabButton(id)?.focus();
    },
    composer: () => {
      const conv = conversations.get(desk.activeId);
      if (conv && conv.status !== "ended") $(".composer-input", conv.panel).focus();
    },
    note: () => conversations.get(desk.activeId)?.notes.focus(),
  });
  askOnGesture(presenceButton, $("#shortcuts-button"));
  document.addEventListener("visibilitychange", () => {
    const conv = conversations.get(desk.activeId);
    if (document.visibilityState === "visible" && conv && conv.unread) {
      conv.unread = 0; // seen now
      renderDesk();
    }
  });
  startDeskClock();

  renderDesk();
  client.start();
}

const page = startStaffPage({ roles: ["counselor"] });
if (page) runConsole(page);
