// Watching one conversation: its history, then its live messages, typing and
// whispers; whispering to the counselor; joining it visibly and writing in it.

import { gettext, interpolate } from "../i18n.js";
import { ConversationSync } from "../ws-client.js";
import { $, confirmDialog } from "../shared/dom.js";
import { toast } from "../shared/toast.js";
import { MessageListView } from "../shared/message-list.js";
import { bindComposer } from "../shared/composer.js";
import { TypingIndicator } from "../shared/typing.js";
import { riskLabel, topicLabel } from "../shared/labels.js";
import { staffStorage } from "../shared/staff.js";
import { board, renderBoard, takenHere } from "./board.js";
import { linkLabels, prepareWrapupForm, submitWrapup, wireSummaryCounter } from "../console/wrapup.js";
import { describeFailure } from "./failures.js";
import { resetReferral } from "./referral.js";

export function createMonitor(client) {
  const sync = new ConversationSync(client, {
    storage: staffStorage,
    key: "yl.staff.sv-outbox",
    autoTrack: false,
    // After a reconnect the server has forgotten what we watched: ask again (it answers the history).
    resync: (id) => client.send({ type: "conversation.monitor", conversation: id }),
  });
  const typing = new TypingIndicator($("#monitor-typing"));
  const whisperButton = $("#whisper-form button");

  const monitor = {
    ended: false,
    get id() {
      return board.watching;
    },
    view: new MessageListView($("#monitor-messages"), {
      scroller: $("#monitor-scroll"),
      own: "supervisor",
      senderName: (sender) =>
        ({
          youth: gettext("Young person"),
          counselor: (board.info.get(board.watching) || {}).counselor || gettext("Counselor"),
          supervisor: gettext("Supervisor"),
        })[sender] || "",
      showSender: (sender) => sender !== "system",
    }),

    async watch(id) {
      if (board.watching === id) return;
      if (board.watching !== null) this.stop({ quiet: true });
      board.watching = id;
      this.ended = false;
      this.view.clear();
      $("#monitor-empty").hidden = true;
      $("#monitor-active").hidden = false;
      this.showControls();
      whisperButton.disabled = false;
      resetReferral();
      this.renderHead();
      renderBoard();
      client.send({ type: "dashboard" }); // the tables mark what is watched
      sync.track(id, { fetchHistory: false });
      try {
        await client.request({ type: "conversation.monitor", conversation: id }, { expect: "history", match: (f) => f.conversation === id });
      } catch (problem) {
        toast(describeFailure(problem), { kind: "error" });
      }
    },

    stop({ quiet = false } = {}) {
      if (board.watching === null) return;
      client.send({ type: "conversation.unmonitor", conversation: board.watching });
      sync.untrack(board.watching);
      board.watching = null;
      typing.clear();
      this.view.clear();
      $("#monitor-active").hidden = true;
      $("#monitor-empty").hidden = false;
      if (!quiet) {
        renderBoard();
        client.send({ type: "dashboard" });
      }
    },

    /** A conversation this supervisor took is theirs to write in and to end; another, to join or take. */
    showControls() {
      const ours = takenHere.has(board.watching) && !this.ended;
      $("#join-composer").hidden = !ours;
      $("#join-button").hidden = ours || this.ended;
      $("#join-button").disabled = false;
      $("#take-button").hidden = ours || this.ended;
      $("#sv-end-button").hidden = !ours;
    },

    renderHead() {
      if (board.watching === null) return;
      const info = board.info.get(board.watching) || {};
      $("#monitor-title").textContent = interpolate(gettext("Conversation #%(id)s"), { id: board.watching });
      const meta = [topicLabel(info.topic)];
      if (info.counselor) meta.push(interpolate(gettext("Counselor %(name)s"), { name: info.counselor }));
      if (info.risk_level) meta.push(`${gettext("Risk")} ${info.risk_level} · ${riskLabel(info.risk_level)}`);
      if (this.ended) meta.push(gettext("Ended"));
      $("#monitor-meta").textContent = meta.filter(Boolean).join(" · ");
    },
  };

  sync.on("message", (id, message) => {
    if (id === board.watching) monitor.view.upsert(message);
  });
  sync.on("pending", (item) => {
    if (item.conversation === board.watching) monitor.view.addPending(item);
  });
  sync.on("ack", (id, clientId, seq) => monitor.view.ack(clientId, seq));
  sync.on("history", (id) => {
    if (id === board.watching) monitor.view.scrollToEnd();
  });

  client.on("whisper", (frame) => {
    if (frame.conversation === board.watching) monitor.view.addWhisper({ text: frame.text, from: frame.from });
  });

  client.on("typing", (frame) => {
    if (frame.conversation !== board.watching) return;
    typing.show(frame.role === "youth" ? gettext("The young person is typing") : gettext("The counselor is typing"));
  });

  client.on("conversation.ended", (frame) => {
    if (frame.conversation !== board.watching) return;
    monitor.ended = true;
    takenHere.delete(frame.conversation);
    monitor.view.addNotice(gettext("The conversation has ended."));
    monitor.showControls();
    whisperButton.disabled = true;
    monitor.renderHead();
  });

  client.on("conversation.transferred", (frame) => {
    if (frame.conversation !== board.watching) return;
    monitor.view.addNotice(interpolate(gettext("Transferred to %(topic)s; back in the queue."), { topic: topicLabel(frame.topic) }));
  });

  // Taken for ourselves (conversation.take with no counselor): we are its counselor now. The
  // monitor opens on it, with the composer to write to the young person at once.
  client.on("conversation.assigned", async (frame) => {
    takenHere.add(frame.conversation);
    if (board.watching !== frame.conversation) await monitor.watch(frame.conversation);
    monitor.showControls();
    renderBoard();
    $("#join-input").focus();
  });

  // Ending a conversation we took: the wrap-up a counselor writes.
  const wrapupDialog = $("#sv-wrapup-dialog");
  const wrapupForm = $("#sv-wrapup-form");
  linkLabels(wrapupForm);
  wireSummaryCounter(wrapupForm);
  $('[data-action="cancel"]', wrapupForm).addEventListener("click", () => wrapupDialog.close("cancel"));
  $("#sv-end-button").addEventListener("click", () => {
    if (board.watching === null) return;
    prepareWrapupForm(wrapupForm, (board.info.get(board.watching) || {}).risk_level);
    wrapupDialog.showModal();
  });
  wrapupForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const id = board.watching;
    if (id === null) return;
    const done = await submitWrapup(
      wrapupForm,
      (wrapup) =>
        client.request(
          { type: "conversation.end", conversation: id, wrapup },
          { expect: "conversation.ended", match: (f) => f.conversation === id },
        ),
      describeFailure,
    );
    if (done) wrapupDialog.close("ok");
  });

  $("#unmonitor-button").addEventListener("click", () => monitor.stop());

  bindComposer($("#whisper-form"), $("#whisper-input"), {
    send: async (text) => {
      const id = board.watching;
      if (id === null) return false;
      try {
        // No direct answer: the whisper comes back to every staff member of the conversation, us included.
        await client.request({ type: "whisper", conversation: id, text }, { expect: "whisper", match: (f) => f.conversation === id });
        return true;
      } catch (problem) {
        toast(describeFailure(problem), { kind: "error" });
        return false;
      }
    },
  });

  $("#join-button").addEventListener("click", async () => {
    if (board.watching === null) return;
    const confirmed = await confirmDialog({
      title: gettext("Join this conversation?"),
      text: gettext("The young person and the counselor will both see that a supervisor has joined, and you can write in the conversation."),
      ok: gettext("Join"),
      cancel: gettext("Cancel"),
    });
    if (!confirmed) return;
    const id = board.watching;
    try {
      await client.request({ type: "conversation.join", conversation: id }, { expect: "conversation.join.ok", match: (f) => f.conversation === id });
      $("#join-button").hidden = true;
      $("#join-composer").hidden = false;
      $("#join-input").focus();
    } catch (problem) {
      toast(describeFailure(problem), { kind: "error" });
    }
  });

  bindComposer($("#join-composer"), $("#join-input"), {
    send: (text) => {
      if (board.watching === null) return false;
      sync.send(board.watching, text);
      return true;
    },
  });

  return monitor;
}
