// The supervisor console: live crisis alerts, the dashboard (queue, live
// conversations, team), watching a conversation, whispering, joining,
// recording a referral, and the risk lexicon editor.

import { gettext, interpolate } from "./i18n.js";
import { ApiError } from "./api.js";
import { ConversationSync } from "./ws-client.js";
import { MessageListView } from "./chat-view.js";
import {
  $, $$, autoGrow, categoryLabel, confirmDialog, el, flashTitle, formatDateTime, formatDuration, formatTime,
  riskBadge, riskLabel, toast, topicLabel, topicShortLabel,
} from "./ui.js";
import { alertSound } from "./sound.js";
import { staffStorage, startStaffPage } from "./staff.js";

const DASHBOARD_EVERY_MS = 3000;
const ACKED_SHOWN = 30;

function runSupervisor({ client, session, tokens }) {
  // ── tabs: live / lexicon ──────────────────────────────────────────────
  const tabButtons = $$(".sv-tab");
  function selectTab(button) {
    for (const other of tabButtons) {
      const selected = other === button;
      other.setAttribute("aria-selected", String(selected));
      other.tabIndex = selected ? 0 : -1;
      $(`#${other.getAttribute("aria-controls")}`).hidden = !selected;
    }
    if (button.id === "tab-lexicon") lexicon.open();
  }
  for (const button of tabButtons) {
    button.addEventListener("click", () => selectTab(button));
    button.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
      const next = tabButtons[(tabButtons.indexOf(button) + 1) % tabButtons.length];
      next.focus();
      selectTab(next);
    });
  }

  // ── alerts ────────────────────────────────────────────────────────────
  const alerts = new Map(); // id -> alert
  const conversationInfo = new Map(); // id -> {topic, counselor, risk_level}

  function alertOrder(a, b) {
    const ackA = a.acknowledged_by ? 1 : 0;
    const ackB = b.acknowledged_by ? 1 : 0;
    if (ackA !== ackB) return ackA - ackB;
    if (!ackA && a.overdue !== b.overdue) return a.overdue ? -1 : 1;
    if (a.level !== b.level) return b.level - a.level;
    return String(b.at).localeCompare(String(a.at));
  }

  // Cards are rebuilt only when what they show changed, and the list is reordered only when
  // the order changed: the dashboard refreshes every 3 s and must not steal a keyboard user's focus.
  const cardCache = new Map(); // alert id -> {signature, node}

  function cardFor(alert) {
    const info = conversationInfo.get(alert.conversation) || {};
    const signature = JSON.stringify([
      alert.level, alert.category, alert.excerpt, alert.at, alert.overdue, alert.acknowledged_by, alert.topic,
      alert.counselor, info.topic, info.counselor, info.queued, monitor.id === alert.conversation, Boolean(alert.fresh),
    ]);
    const cached = cardCache.get(alert.alert);
    if (cached && cached.signature === signature) return cached.node;
    const node = alertCard(alert);
    if (cached && cached.node.isConnected) {
      const hadFocus = cached.node.contains(document.activeElement);
      cached.node.replaceWith(node);
      if (hadFocus) (node.querySelector("button:not(:disabled)") || node).focus?.();
    }
    cardCache.set(alert.alert, { signature, node });
    return node;
  }

  function renderAlerts() {
    const list = $("#alerts");
    const sorted = [...alerts.values()].sort(alertOrder);
    const open = sorted.filter((a) => !a.acknowledged_by);
    const shown = [...open, ...sorted.filter((a) => a.acknowledged_by).slice(0, ACKED_SHOWN)];
    const nodes = shown.map(cardFor);
    const current = Array.from(list.children);
    if (nodes.length !== current.length || nodes.some((node, index) => node !== current[index])) {
      list.replaceChildren(...nodes);
    }
    $("#alerts-empty").hidden = shown.length > 0;
    $("#open-alerts-count").textContent = String(open.length);
    $("#open-alerts-pill").classList.toggle("has-waiting", open.length > 0);
  }

  function alertCard(alert) {
    const acked = Boolean(alert.acknowledged_by);
    const info = conversationInfo.get(alert.conversation) || {};
    const counselor = (alert.counselor && alert.counselor.name) || info.counselor;
    const card = el(
      "li",
      {
        class: `alert-card alert-card--${alert.level}${alert.overdue && !acked ? " is-overdue" : ""}${acked ? " is-acked" : ""}${alert.fresh ? " is-new" : ""}`,
        dataset: { alert: String(alert.alert) },
      },
      el(
        "div",
        { class: "alert-head" },
        riskBadge(alert.level),
        el("span", { class: "alert-category", text: categoryLabel(alert.category) }),
        alert.overdue && !acked ? el("span", { class: "alert-overdue", text: gettext("Overdue") }) : null,
        el("time", { class: "alert-time", datetime: alert.at, text: formatTime(alert.at) }),
      ),
      el("p", { class: "alert-excerpt", text: alert.excerpt ? `“${alert.excerpt}”` : "" }),
      el("p", {
        class: "alert-meta",
        text: [
          interpolate(gettext("Conversation #%(id)s"), { id: alert.conversation }),
          topicLabel(alert.topic || info.topic),
          counselor
            ? interpolate(gettext("Counselor %(name)s"), { name: counselor })
            : info.queued ? gettext("Not yet assigned") : "",
        ].filter(Boolean).join(" · "),
      }),
      el(
        "div",
        { class: "alert-actions" },
        acked
          ? el("span", { class: "alert-acked", text: interpolate(gettext("Acknowledged by %(name)s"), { name: alert.acknowledged_by }) })
          : el("button", { class: "btn btn-danger btn-small", type: "button", text: gettext("Acknowledge"), onclick: () => acknowledge(alert) }),
        el("button", {
          class: "btn btn-secondary btn-small", type: "button",
          text: monitor.id === alert.conversation ? gettext("Watching") : gettext("Watch"),
          disabled: monitor.id === alert.conversation,
          onclick: () => monitor.watch(alert.conversation),
        }),
      ),
    );
    return card;
  }

  async function acknowledge(alert) {
    try {
      await client.request(
        { type: "crisis.ack", alert: alert.alert },
        { expect: "crisis.acked", match: (f) => f.alert === alert.alert },
      );
    } catch (problem) {
      if (problem.code === "invalid") toast(gettext("Another supervisor has already acknowledged this alert."));
      else toast(describeFailure(problem), { kind: "error" });
    }
  }

  client.on("crisis.alert", (frame) => {
    const known = alerts.get(frame.alert);
    const becameOverdue = known && frame.overdue && !known.overdue;
    const alert = { ...(known || {}), ...frame, fresh: true };
    alerts.set(frame.alert, alert);
    if (frame.topic || frame.counselor) {
      const info = conversationInfo.get(frame.conversation) || {};
      conversationInfo.set(frame.conversation, {
        ...info, topic: frame.topic || info.topic, counselor: (frame.counselor && frame.counselor.name) || info.counselor,
      });
    }
    renderAlerts();
    setTimeout(() => {
      alert.fresh = false;
    }, 3000);
    if (!known || becameOverdue) {
      alertSound(frame.level);
      flashTitle(frame.overdue ? gettext("Overdue alert") : gettext("Crisis alert"));
      document.body.classList.remove("flash-screen");
      void document.body.offsetWidth; // restart the animation
      document.body.classList.add("flash-screen");
      $("#alert-announcer").textContent = interpolate(
        frame.overdue
          ? gettext("Overdue crisis alert: %(category)s, level %(level)s, conversation %(id)s.")
          : gettext("New crisis alert: %(category)s, level %(level)s, conversation %(id)s."),
        { category: categoryLabel(frame.category), level: frame.level, id: frame.conversation },
      );
    }
  });

  client.on("crisis.acked", (frame) => {
    const alert = alerts.get(frame.alert);
    if (!alert) return;
    alert.acknowledged_by = frame.by;
    renderAlerts();
  });

  // ── dashboard ─────────────────────────────────────────────────────────
  setInterval(() => client.send({ type: "dashboard" }), DASHBOARD_EVERY_MS);
  client.on("auth.ok", () => client.send({ type: "dashboard" }));

  client.on("dashboard", (frame) => {
    for (const row of frame.conversations || []) {
      const info = conversationInfo.get(row.conversation) || {};
      conversationInfo.set(row.conversation, { ...info, topic: row.topic, counselor: row.counselor, risk_level: row.risk_level, since: row.since, queued: false });
    }
    for (const row of frame.queue || []) {
      const info = conversationInfo.get(row.conversation) || {};
      conversationInfo.set(row.conversation, { ...info, topic: row.topic, risk_level: row.risk_level, counselor: null, queued: true });
    }
    for (const row of frame.alerts || []) {
      const known = alerts.get(row.alert);
      if (known) {
        known.overdue = row.overdue;
        if (row.acknowledged_by) known.acknowledged_by = row.acknowledged_by;
      } else alerts.set(row.alert, { ...row });
    }
    renderAlerts();
    renderQueue(frame.queue || []);
    renderLive(frame.conversations || []);
    renderTeam(frame.team || []);
    monitor.renderHead();
  });

  const lastRendered = new Map();
  /** Re-render a table only when its rows changed, so buttons in it keep their focus. */
  function changed(name, rows) {
    const signature = JSON.stringify([rows, monitor.id]);
    if (lastRendered.get(name) === signature) return false;
    lastRendered.set(name, signature);
    return true;
  }

  function renderQueue(rows) {
    if (!changed("queue", rows)) return;
    $("#queue-count").textContent = String(rows.length);
    $("#queue-empty").hidden = rows.length > 0;
    $("#queue-table").hidden = rows.length === 0;
    $("#queue-table tbody").replaceChildren(
      ...rows.map((row) =>
        el(
          "tr",
          {},
          el("td", { text: `#${row.conversation}` }),
          el("td", {}, el("span", { class: "badge badge--topic", text: topicShortLabel(row.topic) })),
          el("td", { text: formatDuration(row.waited_s) }),
          el("td", {}, riskBadge(row.risk_level) || "–"),
          el("td", {}, watchButton(row.conversation)),
        ),
      ),
    );
  }

  function renderLive(rows) {
    if (!changed("live", rows)) return;
    $("#live-count").textContent = String(rows.length);
    $("#live-empty").hidden = rows.length > 0;
    $("#live-table").hidden = rows.length === 0;
    $("#live-table tbody").replaceChildren(
      ...rows.map((row) =>
        el(
          "tr",
          { class: monitor.id === row.conversation ? "is-watched" : "" },
          el("td", {}, `#${row.conversation} `, el("span", { class: "badge badge--topic", text: topicShortLabel(row.topic) })),
          el("td", { text: row.counselor || "–" }),
          el("td", {}, riskBadge(row.risk_level) || "–"),
          el("td", {}, watchButton(row.conversation)),
        ),
      ),
    );
  }

  function watchButton(id) {
    return el("button", {
      class: "btn btn-secondary btn-small", type: "button",
      text: monitor.id === id ? gettext("Watching") : gettext("Watch"),
      disabled: monitor.id === id,
      "aria-label": interpolate(gettext("Watch conversation %(id)s"), { id }),
      onclick: () => monitor.watch(id),
    });
  }

  function renderTeam(rows) {
    if (!changed("team", rows)) return;
    $("#team-empty").hidden = rows.length > 0;
    $("#team-table").hidden = rows.length === 0;
    $("#team-table tbody").replaceChildren(
      ...rows.map((row) => {
        const status = !row.online ? "offline" : row.presence === "available" ? "available" : "away";
        const label = { offline: gettext("Offline"), available: gettext("Available"), away: gettext("Away") }[status];
        return el(
          "tr",
          {},
          el("td", { text: row.name }),
          el("td", {}, el("span", { class: `presence-dot presence-dot--${status}`, "aria-hidden": "true" }), label),
          el("td", { text: `${row.load ?? 0} / ${row.max ?? "–"}` }),
        );
      }),
    );
  }

  // ── monitor, whisper, join, referral ──────────────────────────────────
  const sync = new ConversationSync(client, {
    storage: staffStorage,
    key: "yl.staff.sv-outbox",
    autoTrack: false,
    // After a reconnect the server has forgotten what we watched: ask again (it answers the history).
    resync: (id) => client.send({ type: "conversation.monitor", conversation: id }),
  });

  const monitor = {
    id: null,
    joined: false,
    ended: false,
    view: new MessageListView($("#monitor-messages"), {
      scroller: $("#monitor-scroll"),
      own: "supervisor",
      senderName: (sender) =>
        ({
          youth: gettext("Young person"),
          counselor: (conversationInfo.get(monitor.id) || {}).counselor || gettext("Counselor"),
          supervisor: gettext("Supervisor"),
        })[sender] || "",
      showSender: (sender) => sender !== "system",
    }),

    async watch(id) {
      if (this.id === id) return;
      if (this.id !== null) this.stop({ quiet: true });
      this.id = id;
      this.joined = false;
      this.ended = false;
      this.view.clear();
      $("#monitor-empty").hidden = true;
      $("#monitor-active").hidden = false;
      $("#join-composer").hidden = true;
      $("#join-button").hidden = false;
      $("#join-button").disabled = false;
      $("#whisper-form").querySelector("button").disabled = false;
      $("#referral-form").reset();
      setReferralDefaults();
      this.renderHead();
      renderAlerts();
      client.send({ type: "dashboard" }); // the tables mark what is watched
      sync.track(id, { fetchHistory: false });
      try {
        await client.request({ type: "conversation.monitor", conversation: id }, { expect: "history", match: (f) => f.conversation === id });
      } catch (problem) {
        toast(describeFailure(problem), { kind: "error" });
      }
    },

    stop({ quiet = false } = {}) {
      if (this.id === null) return;
      client.send({ type: "conversation.unmonitor", conversation: this.id });
      sync.untrack(this.id);
      this.id = null;
      this.view.clear();
      $("#monitor-active").hidden = true;
      $("#monitor-empty").hidden = false;
      if (!quiet) {
        renderAlerts();
        client.send({ type: "dashboard" });
      }
    },

    renderHead() {
      if (this.id === null) return;
      const info = conversationInfo.get(this.id) || {};
      $("#monitor-title").textContent = interpolate(gettext("Conversation #%(id)s"), { id: this.id });
      const meta = [topicLabel(info.topic)];
      if (info.counselor) meta.push(interpolate(gettext("Counselor %(name)s"), { name: info.counselor }));
      if (info.risk_level) meta.push(`${gettext("Risk")} ${info.risk_level} · ${riskLabel(info.risk_level)}`);
      if (this.ended) meta.push(gettext("Ended"));
      $("#monitor-meta").textContent = meta.filter(Boolean).join(" · ");
    },
  };

  sync.on("message", (id, message) => {
    if (id === monitor.id) monitor.view.upsert(message);
  });
  sync.on("pending", (item) => {
    if (item.conversation === monitor.id) monitor.view.addPending(item);
  });
  sync.on("ack", (id, clientId, seq) => monitor.view.ack(clientId, seq));
  sync.on("history", (id) => {
    if (id === monitor.id) monitor.view.scrollToEnd();
  });

  client.on("whisper", (frame) => {
    if (frame.conversation === monitor.id) monitor.view.addWhisper({ text: frame.text, from: frame.from });
  });

  let typingTimer = null;
  client.on("typing", (frame) => {
    if (frame.conversation !== monitor.id) return;
    $("#monitor-typing").textContent =
      frame.role === "youth" ? gettext("The young person is typing") : gettext("The counselor is typing");
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => {
      $("#monitor-typing").textContent = "";
    }, 6000);
  });

  client.on("conversation.ended", (frame) => {
    if (frame.conversation !== monitor.id) return;
    monitor.ended = true;
    monitor.view.addNotice(gettext("The conversation has ended."));
    $("#join-button").hidden = true;
    $("#join-composer").hidden = true;
    $("#whisper-form").querySelector("button").disabled = true;
    monitor.renderHead();
  });

  client.on("conversation.transferred", (frame) => {
    if (frame.conversation !== monitor.id) return;
    monitor.view.addNotice(interpolate(gettext("Transferred to %(topic)s; back in the queue."), { topic: topicLabel(frame.topic) }));
  });

  $("#unmonitor-button").addEventListener("click", () => monitor.stop());

  const whisperInput = $("#whisper-input");
  const fitWhisper = autoGrow(whisperInput);
  $("#whisper-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = whisperInput.value.trim();
    if (!text || monitor.id === null) return;
    const id = monitor.id;
    try {
      // No direct answer: the whisper comes back to every staff member of the conversation, us included.
      await client.request({ type: "whisper", conversation: id, text }, { expect: "whisper", match: (f) => f.conversation === id });
      whisperInput.value = "";
      fitWhisper();
    } catch (problem) {
      toast(describeFailure(problem), { kind: "error" });
    }
  });
  whisperInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      $("#whisper-form").requestSubmit();
    }
  });

  $("#join-button").addEventListener("click", async () => {
    if (monitor.id === null) return;
    const confirmed = await confirmDialog({
      title: gettext("Join this conversation?"),
      text: gettext("The young person and the counselor will both see that a supervisor has joined, and you can write in the conversation."),
      ok: gettext("Join"),
      cancel: gettext("Cancel"),
    });
    if (!confirmed) return;
    const id = monitor.id;
    try {
      await client.request({ type: "conversation.join", conversation: id }, { expect: "conversation.join.ok", match: (f) => f.conversation === id });
      monitor.joined = true;
      $("#join-button").hidden = true;
      $("#join-composer").hidden = false;
      $("#join-input").focus();
    } catch (problem) {
      toast(describeFailure(problem), { kind: "error" });
    }
  });

  const joinInput = $("#join-input");
  const fitJoin = autoGrow(joinInput);
  $("#join-composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = joinInput.value.trim();
    if (!text || monitor.id === null) return;
    sync.send(monitor.id, text);
    joinInput.value = "";
    fitJoin();
  });
  joinInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      $("#join-composer").requestSubmit();
    }
  });

  // referral
  const kind = $("#referral-kind");
  const target = $("#referral-target");
  function syncReferralFields() {
    $("#referral-target-field").hidden = kind.value !== "hotline";
    $("#referral-other-field").hidden = kind.value !== "hotline" || target.value !== "other";
  }
  function setReferralDefaults() {
    const now = new Date();
    const local = new Date(now.getTime() - now.getTimezoneOffset() * 60000);
    $("#referral-at").value = local.toISOString().slice(0, 16);
    $("#referral-error").textContent = "";
    syncReferralFields();
  }
  kind.addEventListener("change", syncReferralFields);
  target.addEventListener("change", syncReferralFields);

  /** The datetime-local value as ISO-8601 with this device's UTC offset. */
  function localInputToIso(value) {
    if (!value) return null;
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) return null;
    const offset = -date.getTimezoneOffset();
    const sign = offset >= 0 ? "+" : "-";
    const hours = String(Math.floor(Math.abs(offset) / 60)).padStart(2, "0");
    const minutes = String(Math.abs(offset) % 60).padStart(2, "0");
    return `${value.length === 16 ? `${value}:00` : value}${sign}${hours}:${minutes}`;
  }

  $("#referral-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("#referral-error");
    error.textContent = "";
    if (monitor.id === null) return;
    const handedOver = $("#referral-handed").value.trim();
    if (!handedOver) {
      error.textContent = gettext("Please describe what was handed over.");
      $("#referral-handed").focus();
      return;
    }
    const frame = { type: "referral.record", conversation: monitor.id, kind: kind.value, handed_over: handedOver };
    if (kind.value === "hotline") {
      frame.target = target.value === "other" ? $("#referral-other").value.trim() : target.value;
      if (!frame.target) {
        error.textContent = gettext("Please name the hotline.");
        $("#referral-other").focus();
        return;
      }
    }
    const at = localInputToIso($("#referral-at").value);
    if (at) frame.at = at;
    const id = monitor.id;
    try {
      const answer = await client.request(frame, { expect: "referral.ok", match: (f) => f.conversation === id });
      toast(interpolate(gettext("Referral recorded (no. %(id)s)."), { id: answer.referral }));
      $("#referral-form").reset();
      setReferralDefaults();
    } catch (problem) {
      error.textContent = describeFailure(problem);
    }
  });
  setReferralDefaults();

  client.on("error", (frame) => {
    if (frame.ref !== undefined) return;
    if (frame.code === "rate_limited") toast(gettext("Too many actions at once. Please slow down a little."), { kind: "error" });
  });

  // ── lexicon editor ────────────────────────────────────────────────────
  const lexicon = {
    loaded: false,
    baseVersion: null,
    savedText: "",
    editor: $("#lexicon-editor"),

    async open() {
      if (!this.loaded) await this.load();
    },

    get dirty() {
      return this.loaded && this.editor.value !== this.savedText;
    },

    setStatus(text, kind = "") {
      const status = $("#lexicon-status");
      status.textContent = text;
      status.className = `lexicon-status${kind ? ` is-${kind}` : ""}`;
    },

    setErrors(errors) {
      $("#lexicon-errors").replaceChildren(...errors.map((text) => el("li", { text })));
    },

    async load() {
      this.setStatus(gettext("Loading…"));
      this.setErrors([]);
      try {
        const current = await session.fetch("/crisis/lexicon");
        this.baseVersion = current.version;
        this.savedText = JSON.stringify(current.document, null, 2);
        this.editor.value = this.savedText;
        this.editor.removeAttribute("aria-invalid");
        this.loaded = true;
        this.describe(current);
        this.setStatus("");
      } catch (problem) {
        this.setStatus(describeHttp(problem), "error");
      }
      this.loadVersions();
    },

    describe(view) {
      $("#lexicon-info").textContent =
        view.updated_at
          ? interpolate(gettext("Version %(version)s, saved by %(who)s on %(when)s."), {
              version: view.version,
              who: view.updated_by || gettext("the system"),
              when: formatDateTime(view.updated_at),
            })
          : gettext("The lexicon shipped with the system is in use; nobody has edited it yet.");
    },

    async loadVersions() {
      try {
        const answer = await session.fetch("/crisis/lexicon/versions");
        const versions = answer.versions || [];
        if (!versions.length) {
          $("#lexicon-versions").replaceChildren(el("li", { class: "sv-empty", text: gettext("No saved versions yet.") }));
          return;
        }
        $("#lexicon-versions").replaceChildren(
          ...versions.map((v) =>
            el(
              "li",
              {},
              el("span", { class: "version-no", text: interpolate(gettext("Version %(version)s"), { version: v.version }) }),
              v.note ? ` · ${v.note}` : "",
              el("span", { class: "version-meta", text: [v.updated_by, v.updated_at ? formatDateTime(v.updated_at) : ""].filter(Boolean).join(" · ") }),
            ),
          ),
        );
      } catch {
        // The list is a convenience; the editor works without it.
      }
    },

    /** Parse the editor, reporting the line and column of a syntax error. */
    parse() {
      try {
        const value = JSON.parse(this.editor.value);
        this.editor.removeAttribute("aria-invalid");
        return { ok: true, value };
      } catch (problem) {
        this.editor.setAttribute("aria-invalid", "true");
        const message = String(problem.message || problem);
        let where = "";
        const position = message.match(/position (\d+)/);
        const lineColumn = message.match(/line (\d+) column (\d+)/);
        if (lineColumn) where = interpolate(gettext("line %(line)s, column %(column)s"), { line: lineColumn[1], column: lineColumn[2] });
        else if (position) {
          const before = this.editor.value.slice(0, Number(position[1])).split("\n");
          where = interpolate(gettext("line %(line)s, column %(column)s"), { line: before.length, column: before[before.length - 1].length + 1 });
        }
        return { ok: false, where, message };
      }
    },

    check() {
      const parsed = this.parse();
      if (!parsed.ok) {
        this.setStatus(interpolate(gettext("Not valid JSON (%(where)s)."), { where: parsed.where || parsed.message }), "error");
      } else if (typeof parsed.value !== "object" || Array.isArray(parsed.value) || parsed.value === null) {
        this.setStatus(gettext("The lexicon must be a JSON object."), "error");
        return null;
      } else {
        this.setStatus(this.dirty ? gettext("Valid JSON. Unsaved changes.") : "");
      }
      return parsed.ok ? parsed.value : null;
    },

    async save() {
      const document = this.check();
      if (!document) return;
      if (!this.dirty) {
        this.setStatus(gettext("Nothing has changed."));
        return;
      }
      const note = $("#lexicon-note").value.trim();
      const button = $("#lexicon-save");
      button.disabled = true;
      this.setErrors([]);
      try {
        const saved = await session.fetch("/crisis/lexicon", {
          method: "PUT",
          body: { document, note, base_version: this.baseVersion },
        });
        this.baseVersion = saved.version;
        this.savedText = JSON.stringify(saved.document, null, 2);
        this.editor.value = this.savedText;
        $("#lexicon-note").value = "";
        this.describe(saved);
        this.setStatus(interpolate(gettext("Saved as version %(version)s. The detector uses it now."), { version: saved.version }), "ok");
        this.loadVersions();
      } catch (problem) {
        if (problem instanceof ApiError && problem.status === 409) {
          this.setStatus(gettext("Someone else saved a newer version while you were editing. Copy your changes somewhere safe, then reload."), "error");
        } else if (problem instanceof ApiError && problem.status === 400) {
          // The server's list names each place and problem; our own sentence introduces it.
          this.setStatus(gettext("The lexicon was not accepted. Please fix the problems listed below."), "error");
          this.setErrors(Array.isArray(problem.body.errors) ? problem.body.errors.map(String) : []);
        } else this.setStatus(describeHttp(problem), "error");
      } finally {
        button.disabled = false;
      }
    },
  };

  let checkTimer = null;
  lexicon.editor.addEventListener("input", () => {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(() => lexicon.check(), 300);
  });
  lexicon.editor.addEventListener("keydown", (event) => {
    // Tab indents inside the editor; Escape then Tab leaves it (keyboard users are not trapped).
    if (event.key === "Tab" && !event.shiftKey && !lexicon.editor.dataset.escaped) {
      event.preventDefault();
      const { selectionStart, selectionEnd, value } = lexicon.editor;
      lexicon.editor.value = `${value.slice(0, selectionStart)}  ${value.slice(selectionEnd)}`;
      lexicon.editor.selectionStart = lexicon.editor.selectionEnd = selectionStart + 2;
    } else if (event.key === "Escape") lexicon.editor.dataset.escaped = "1";
    else delete lexicon.editor.dataset.escaped;
  });
  $("#lexicon-format").addEventListener("click", () => {
    const document = lexicon.check();
    if (document) {
      lexicon.editor.value = JSON.stringify(document, null, 2);
      lexicon.check();
    }
  });
  $("#lexicon-reload").addEventListener("click", async () => {
    if (lexicon.dirty) {
      const confirmed = await confirmDialog({
        title: gettext("Discard your changes?"),
        text: gettext("Reloading replaces the editor with the latest saved version."),
        ok: gettext("Discard and reload"),
        cancel: gettext("Keep editing"),
        danger: true,
      });
      if (!confirmed) return;
    }
    lexicon.loaded = false;
    lexicon.load();
  });
  $("#lexicon-save").addEventListener("click", () => lexicon.save());
  window.addEventListener("beforeunload", (event) => {
    if (lexicon.dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  function describeHttp(problem) {
    if (problem instanceof ApiError && (problem.status === 401 || problem.status === 403)) {
      return gettext("You don't have permission to edit the lexicon.");
    }
    if (problem instanceof ApiError && problem.status === 0) return gettext("Not connected. Please try again when the connection is back.");
    return (problem && problem.message) || gettext("Something went wrong. Please try again.");
  }

  function describeFailure(problem) {
    if (["offline", "disconnected", "timeout"].includes(problem.code)) {
      return gettext("Not connected. Please try again when the connection is back.");
    }
    if (problem.code === "forbidden") return gettext("You are not allowed to do that.");
    if (problem.code === "not_found") return gettext("That conversation no longer exists.");
    if (problem.code === "invalid") return gettext("That is not possible in this conversation's current state.");
    return problem.message || gettext("Something went wrong. Please try again.");
  }

  renderAlerts();
  if (tokens.role === "admin") {
    // Admins look after staff and the lexicon; live conversations are for supervisors alone.
    $("#tab-live").hidden = true;
    selectTab($("#tab-lexicon"));
    return;
  }
  client.start();
}

const page = startStaffPage({ roles: ["supervisor", "admin"] });
if (page) runSupervisor(page);
