// The counselor console: presence, several conversations in tabs, the risk
// banner, supervisors' whispers, transfer, end with a wrap-up, queue counter.

import { gettext, interpolate } from "./i18n.js";
import { ConversationSync } from "./ws-client.js";
import { MessageListView } from "./chat-view.js";
import {
  $, $$, autoGrow, categoryLabel, el, flashTitle, riskBadge, riskLabel, toast, topicLabel, topicShortLabel,
} from "./ui.js";
import { chime } from "./sound.js";
import { staffStorage, startStaffPage } from "./staff.js";

const QUEUE_STATS_EVERY_MS = 5000;
const TYPING_EVERY_MS = 3000;
const TYPING_SHOWN_MS = 6000;
const PRESENCE_KEY = "yl.staff.presence";

let uniqueCounter = 0;
/** Give a cloned form's fields unique ids and point their labels at them. */
function linkLabels(root) {
  uniqueCounter += 1;
  for (const field of $$("[data-id]", root)) field.id = `${field.dataset.id}-${uniqueCounter}`;
  for (const label of $$("label[data-for]", root)) label.htmlFor = `${label.dataset.for}-${uniqueCounter}`;
}

/** Read and check a wrap-up form; returns the WRAPUP or null after showing what is missing. */
function readWrapup(form) {
  const error = $('[data-role="wrapup-error"]', form);
  error.textContent = "";
  const category = form.elements.category.value;
  const risk = form.querySelector('input[name="risk_level"]:checked');
  const summary = form.elements.summary.value.trim();
  for (const field of [form.elements.category, form.elements.summary]) field.removeAttribute("aria-invalid");
  const missing = [];
  if (!category) {
    missing.push(gettext("a category"));
    form.elements.category.setAttribute("aria-invalid", "true");
  }
  if (!risk) missing.push(gettext("a risk level"));
  if (!summary) {
    missing.push(gettext("a summary"));
    form.elements.summary.setAttribute("aria-invalid", "true");
  }
  if (missing.length) {
    error.textContent = interpolate(gettext("Please add %(missing)s."), { missing: missing.join(gettext(", ")) });
    return null;
  }
  return {
    category,
    risk_level: Number(risk.value),
    summary: summary.slice(0, 4000),
    needs_followup: form.elements.needs_followup.checked,
  };
}

function prepareWrapupForm(form, defaultRisk) {
  form.reset();
  const risk = form.querySelector(`input[name="risk_level"][value="${defaultRisk || 0}"]`);
  if (risk) risk.checked = true;
  const counter = $('[data-role="summary-count"]', form);
  counter.textContent = "0 / 4000";
  $('[data-role="wrapup-error"]', form).textContent = "";
}

function wireSummaryCounter(form) {
  const counter = $('[data-role="summary-count"]', form);
  form.elements.summary.addEventListener("input", () => {
    counter.textContent = `${form.elements.summary.value.length} / 4000`;
  });
}

function youthName(youth, id) {
  if (youth && youth.nickname) return youth.nickname;
  return interpolate(gettext("Visitor %(id)s"), { id: (youth && youth.id) || id });
}

function channelLabel(channel) {
  return { web: gettext("Mobile web"), miniprogram: gettext("WeChat mini-program") }[channel] || channel || "";
}

function runConsole({ client }) {
  const sync = new ConversationSync(client, { storage: staffStorage, key: "yl.staff.outbox" });
  const conversations = new Map();
  let activeId = null;
  // What this tab last chose. A fresh tab has chosen nothing and sends nothing: the server's
  // state is left alone (after a sign-in it is "away" anyway, set when the last socket closed).
  let desiredPresence = staffStorage.getItem(PRESENCE_KEY);
  const baseTitle = document.title;

  const tabs = $("#conv-tabs");
  const panels = $("#conv-panels");
  const template = $("#panel-template");

  // ── presence ──────────────────────────────────────────────────────────
  const presenceButton = $("#presence-toggle");
  function renderPresence(status) {
    const available = status === "available";
    presenceButton.setAttribute("aria-checked", String(available));
    presenceButton.classList.toggle("is-available", available);
    $("#presence-label").textContent = available ? gettext("Available") : gettext("Away");
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

  // ── queue counter ─────────────────────────────────────────────────────
  setInterval(() => client.send({ type: "queue.stats" }), QUEUE_STATS_EVERY_MS);
  client.on("queue.stats", (frame) => {
    const waiting = frame.waiting || {};
    let total = 0;
    for (const topic of ["psych", "legal", "aid"]) {
      const count = Number(waiting[topic]) || 0;
      total += count;
      $(`#queue-${topic}`).textContent = String(count);
    }
    $("#queue-stats").classList.toggle("has-waiting", total > 0);
  });

  // ── conversations ─────────────────────────────────────────────────────
  function updateTitle() {
    let unread = 0;
    for (const conv of conversations.values()) unread += conv.unread;
    document.title = unread ? `(${unread}) ${baseTitle}` : baseTitle;
    $("#conv-empty").hidden = conversations.size > 0;
    $("#panel-placeholder").hidden = conversations.size > 0 && activeId !== null;
  }

  function renderTab(conv) {
    const button = conv.tab.querySelector("button");
    button.replaceChildren(
      el(
        "span",
        { class: "tab-line" },
        el("span", { class: "tab-name", text: youthName(conv.youth, conv.id) }),
        conv.unread ? el("span", { class: "badge badge--unread", text: String(conv.unread), "aria-label": interpolate(gettext("%(n)s unread"), { n: conv.unread }) }) : null,
      ),
      el(
        "span",
        { class: "tab-line tab-line--meta" },
        el("span", { class: "badge badge--topic", text: topicShortLabel(conv.topic) }),
        riskBadge(conv.risk),
        conv.status === "ended" ? el("span", { class: "badge badge--todo", text: gettext("Wrap-up due") }) : null,
        conv.whispered ? el("span", { class: "badge badge--whisper", text: gettext("Tip") }) : null,
      ),
    );
    button.classList.toggle("has-risk", conv.risk >= 2);
  }

  function renderPanelHead(conv) {
    $(".panel-title", conv.panel).textContent = youthName(conv.youth, conv.id);
    const meta = [topicLabel(conv.topic)];
    if (conv.youth && conv.youth.channel) meta.push(channelLabel(conv.youth.channel));
    if (conv.youth && conv.youth.region) meta.push(conv.youth.region);
    $(".panel-meta", conv.panel).textContent = meta.join(" · ");
    const ended = conv.status === "ended";
    $(".panel-composer", conv.panel).hidden = ended;
    $(".panel-ended", conv.panel).hidden = !ended;
    for (const button of $$(".panel-actions button", conv.panel)) button.hidden = ended;
  }

  function ensureConversation(summary) {
    const id = summary.conversation;
    let conv = conversations.get(id);
    if (!conv) {
      conv = createConversation(id);
      conversations.set(id, conv);
    }
    if (summary.youth) conv.youth = summary.youth;
    if (summary.topic) conv.topic = summary.topic;
    if (typeof summary.risk_level === "number") conv.risk = Math.max(conv.risk, summary.risk_level);
    if (summary.status === "ended" || summary.wrapup_due) markEnded(conv, null);
    renderTab(conv);
    renderPanelHead(conv);
    updateTitle();
    return conv;
  }

  function createConversation(id) {
    const conv = {
      id, youth: null, topic: null, risk: 0, status: "active", unread: 0, whispered: false,
      lastTypingSent: 0, typingTimer: null, flagged: new Set(),
    };
    const tabId = `conv-tab-${id}`;
    const panelId = `conv-panel-${id}`;
    conv.tab = el(
      "li",
      { role: "presentation", class: "conv-tab" },
      el("button", {
        type: "button", role: "tab", id: tabId, "aria-controls": panelId, "aria-selected": "false", tabindex: "-1",
        onclick: () => activate(id),
      }),
    );
    tabs.append(conv.tab);

    const panel = template.content.firstElementChild.cloneNode(true);
    panel.id = panelId;
    panel.setAttribute("aria-labelledby", tabId);
    panel.hidden = true;
    linkLabels(panel);
    panels.append(panel);
    conv.panel = panel;

    conv.view = new MessageListView($(".messages", panel), {
      scroller: $(".panel-scroll", panel),
      own: "counselor",
      senderName: (sender) =>
        ({ youth: youthName(conv.youth, id), supervisor: gettext("Supervisor"), counselor: gettext("Me") })[sender] || "",
      showSender: (sender) => sender === "supervisor",
    });

    // composer
    const form = $(".panel-composer", panel);
    const input = $(".composer-input", panel);
    const fit = autoGrow(input);
    input.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
      event.preventDefault();
      form.requestSubmit();
    });
    input.addEventListener("input", () => {
      const now = Date.now();
      if (input.value && now - conv.lastTypingSent > TYPING_EVERY_MS) {
        conv.lastTypingSent = now;
        client.send({ type: "typing", conversation: id });
      }
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      if (text.length > 2000) {
        toast(gettext("That message is too long. Please split it into shorter ones."), { kind: "error" });
        return;
      }
      sync.send(id, text);
      input.value = "";
      fit();
      conv.lastTypingSent = 0;
    });

    // risk banner
    const toggle = $(".risk-banner-toggle", panel);
    toggle.addEventListener("click", () => {
      const banner = $(".risk-banner", panel);
      const collapsed = banner.classList.toggle("is-collapsed");
      toggle.setAttribute("aria-expanded", String(!collapsed));
      toggle.textContent = collapsed ? gettext("Show") : gettext("Hide");
    });

    // actions
    $('[data-action="transfer"]', panel).addEventListener("click", () => transfer(conv));
    $('[data-action="end"]', panel).addEventListener("click", () => endWithWrapup(conv));
    const inline = $(".wrapup-inline", panel);
    wireSummaryCounter(inline);
    inline.addEventListener("submit", (event) => {
      event.preventDefault();
      submitLateWrapup(conv, inline);
    });

    for (const item of sync.pendingFor(id)) conv.view.addPending(item);
    return conv;
  }

  function activate(id) {
    const conv = conversations.get(id);
    if (!conv) return;
    activeId = id;
    for (const other of conversations.values()) {
      const selected = other.id === id;
      const button = other.tab.querySelector("button");
      button.setAttribute("aria-selected", String(selected));
      button.tabIndex = selected ? 0 : -1;
      other.panel.hidden = !selected;
    }
    conv.unread = 0;
    renderTab(conv);
    updateTitle();
    conv.view.scrollToEnd();
  }

  // Arrow keys move between tabs, as a tablist should.
  tabs.addEventListener("keydown", (event) => {
    if (!["ArrowDown", "ArrowUp", "ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) return;
    const ids = [...conversations.keys()];
    if (!ids.length) return;
    let index = ids.indexOf(activeId);
    if (event.key === "ArrowDown" || event.key === "ArrowRight") index = (index + 1) % ids.length;
    else if (event.key === "ArrowUp" || event.key === "ArrowLeft") index = (index - 1 + ids.length) % ids.length;
    else if (event.key === "Home") index = 0;
    else index = ids.length - 1;
    event.preventDefault();
    activate(ids[index]);
    conversations.get(ids[index]).tab.querySelector("button").focus();
  });

  function removeConversation(id) {
    const conv = conversations.get(id);
    if (!conv) return;
    sync.untrack(id);
    conv.tab.remove();
    conv.panel.remove();
    conversations.delete(id);
    if (activeId === id) {
      activeId = null;
      const next = conversations.keys().next();
      if (!next.done) activate(next.value);
    }
    updateTitle();
  }

  function markEnded(conv, by) {
    if (conv.status === "ended") return;
    conv.status = "ended";
    clearTyping(conv);
    const note =
      by === "youth"
        ? gettext("The young person has ended the conversation. Please write the wrap-up.")
        : gettext("This conversation has ended. Please write the wrap-up.");
    $(".panel-ended-note", conv.panel).textContent = note;
    prepareWrapupForm($(".wrapup-inline", conv.panel), conv.risk);
    renderPanelHead(conv);
    renderTab(conv);
  }

  function notifyBackground(conv) {
    if (conv.id !== activeId || document.visibilityState !== "visible") {
      conv.unread += 1;
      renderTab(conv);
      updateTitle();
      if (document.visibilityState !== "visible") chime();
    }
  }

  // ── typing ────────────────────────────────────────────────────────────
  function clearTyping(conv) {
    clearTimeout(conv.typingTimer);
    $(".typing", conv.panel).textContent = "";
  }
  client.on("typing", (frame) => {
    const conv = conversations.get(frame.conversation);
    if (!conv || frame.role === "counselor") return;
    $(".typing", conv.panel).textContent =
      frame.role === "supervisor" ? gettext("The supervisor is typing") : gettext("The young person is typing");
    clearTimeout(conv.typingTimer);
    conv.typingTimer = setTimeout(() => clearTyping(conv), TYPING_SHOWN_MS);
  });

  // ── frames ────────────────────────────────────────────────────────────
  client.on("auth.ok", (frame) => {
    const summaries = Array.isArray(frame.conversations) ? frame.conversations : [];
    const present = new Set();
    for (const summary of summaries) {
      if (summary.status === "queued") continue;
      present.add(summary.conversation);
      const conv = ensureConversation(summary);
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
    if (activeId === null && conversations.size) activate(conversations.keys().next().value);
    // After a reconnect the server may have set us away (grace period): say again what we chose.
    if (desiredPresence) client.send({ type: "presence", status: desiredPresence });
    client.send({ type: "queue.stats" });
  });

  client.on("conversation.assigned", (frame) => {
    const known = conversations.has(frame.conversation);
    const conv = ensureConversation({ ...frame, status: "active" });
    sync.track(conv.id, { fetchHistory: false }); // the history came with the frame
    sync.receiveHistory({ conversation: frame.conversation, messages: frame.history || [] });
    if (!known) {
      if (activeId === null) activate(conv.id);
      else notifyBackground(conv);
      chime();
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
    if (message.sender === "youth") clearTyping(conv);
    if (!fromHistory && message.sender !== "counselor" && message.sender !== "system") notifyBackground(conv);
  });
  sync.on("pending", (item) => {
    const conv = conversations.get(item.conversation);
    if (conv) conv.view.addPending(item);
  });
  sync.on("ack", (id, clientId, seq) => {
    for (const conv of conversations.values()) {
      if (id === undefined || conv.id === id) conv.view.ack(clientId, seq);
    }
  });

  client.on("crisis.flag", (frame) => {
    const conv = conversations.get(frame.conversation);
    if (!conv) return;
    conv.risk = Math.max(conv.risk, Number(frame.level) || 0);
    if (conv.flagged.has(frame.alert) && frame.alert !== undefined) return;
    conv.flagged.add(frame.alert);
    const banner = $(".risk-banner", conv.panel);
    banner.className = `risk-banner risk-banner--${Math.min(4, Math.max(1, conv.risk))}`;
    $(".risk-banner-title", conv.panel).textContent = interpolate(
      gettext("Risk alert: %(category)s · level %(level)s (%(label)s)"),
      { category: categoryLabel(frame.category), level: frame.level, label: riskLabel(frame.level) },
    );
    $(".risk-banner-excerpt", conv.panel).textContent = frame.excerpt ? `“${frame.excerpt}”` : "";
    const toggle = $(".risk-banner-toggle", conv.panel);
    toggle.setAttribute("aria-expanded", "true");
    toggle.textContent = gettext("Hide");
    banner.hidden = false;
    renderTab(conv);
    if (conv.id !== activeId) notifyBackground(conv);
    chime();
  });

  client.on("whisper", (frame) => {
    const conv = conversations.get(frame.conversation);
    if (!conv) return;
    conv.view.addWhisper({ text: frame.text, from: frame.from });
    conv.whispered = true;
    renderTab(conv);
    notifyBackground(conv);
    if (conv.id === activeId && document.visibilityState === "visible") chime();
  });

  client.on("conversation.transferred", (frame) => {
    const conv = conversations.get(frame.conversation);
    if (!conv) return;
    toast(interpolate(gettext("%(name)s was transferred to %(topic)s."), {
      name: youthName(conv.youth, conv.id), topic: topicLabel(frame.topic),
    }));
    removeConversation(frame.conversation);
  });

  client.on("conversation.ended", (frame) => {
    const conv = conversations.get(frame.conversation);
    if (!conv) return;
    if (frame.by === "counselor") {
      // Ended with its wrap-up, here or in another tab of ours.
      if (conv.endingWithWrapup) toast(gettext("Conversation ended. The wrap-up is saved."));
      removeConversation(conv.id);
      return;
    }
    markEnded(conv, frame.by);
    notifyBackground(conv);
  });

  client.on("wrapup.ok", (frame) => {
    const conv = conversations.get(frame.conversation);
    if (!conv) return;
    toast(gettext("Wrap-up saved. Thank you."));
    removeConversation(conv.id);
  });

  client.on("error", (frame) => {
    if (frame.ref !== undefined) return;
    if (frame.code === "rate_limited") toast(gettext("Too many actions at once. Please slow down a little."), { kind: "error" });
    else if (frame.code === "too_large") toast(gettext("That message is too long. Please split it into shorter ones."), { kind: "error" });
    else if (frame.code === "forbidden" || frame.code === "not_found") toast(gettext("That conversation is no longer yours."), { kind: "error" });
  });

  // ── transfer ──────────────────────────────────────────────────────────
  const transferDialog = $("#transfer-dialog");
  async function transfer(conv) {
    const select = $("#transfer-topic");
    const other = ["psych", "legal", "aid"].find((topic) => topic !== conv.topic);
    select.value = other;
    transferDialog.returnValue = "";
    transferDialog.showModal();
    const confirmed = await new Promise((resolve) => {
      transferDialog.addEventListener("close", () => resolve(transferDialog.returnValue === "ok"), { once: true });
    });
    if (!confirmed) return;
    try {
      await client.request(
        { type: "conversation.transfer", conversation: conv.id, topic: select.value },
        { expect: "conversation.transferred", match: (f) => f.conversation === conv.id },
      );
    } catch (problem) {
      toast(describeFailure(problem), { kind: "error" });
    }
  }

  // ── end with wrap-up ──────────────────────────────────────────────────
  const wrapupDialog = $("#wrapup-dialog");
  const wrapupForm = $(".wrapup-form", wrapupDialog);
  linkLabels(wrapupForm);
  wireSummaryCounter(wrapupForm);
  let wrapupConv = null;
  $('[data-action="cancel"]', wrapupDialog).addEventListener("click", () => wrapupDialog.close("cancel"));

  function endWithWrapup(conv) {
    wrapupConv = conv;
    prepareWrapupForm(wrapupForm, conv.risk);
    wrapupDialog.showModal();
    wrapupForm.elements.category.focus();
  }

  wrapupForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const conv = wrapupConv;
    const wrapup = readWrapup(wrapupForm);
    if (!conv || !wrapup) return;
    const submit = wrapupForm.querySelector('button[type="submit"]');
    submit.disabled = true;
    try {
      if (conv.status === "ended") await sendLateWrapup(conv, wrapup);
      else {
        conv.endingWithWrapup = true;
        await client.request(
          { type: "conversation.end", conversation: conv.id, wrapup },
          { expect: "conversation.ended", match: (f) => f.conversation === conv.id },
        );
      }
      wrapupDialog.close("ok");
    } catch (problem) {
      conv.endingWithWrapup = false;
      if (problem.code === "invalid" && conv.status === "ended") {
        // The youth ended it at the same moment: the same wrap-up goes as wrapup.submit.
        try {
          await sendLateWrapup(conv, wrapup);
          wrapupDialog.close("ok");
        } catch (again) {
          $('[data-role="wrapup-error"]', wrapupForm).textContent = describeFailure(again);
        }
      } else $('[data-role="wrapup-error"]', wrapupForm).textContent = describeFailure(problem);
    } finally {
      submit.disabled = false;
    }
  });

  function sendLateWrapup(conv, wrapup) {
    return client.request(
      { type: "wrapup.submit", conversation: conv.id, wrapup },
      { expect: "wrapup.ok", match: (f) => f.conversation === conv.id },
    );
  }

  async function submitLateWrapup(conv, form) {
    const wrapup = readWrapup(form);
    if (!wrapup) return;
    const submit = form.querySelector('button[type="submit"]');
    submit.disabled = true;
    try {
      await sendLateWrapup(conv, wrapup);
    } catch (problem) {
      $('[data-role="wrapup-error"]', form).textContent = describeFailure(problem);
    } finally {
      submit.disabled = false;
    }
  }

  function describeFailure(problem) {
    if (["offline", "disconnected", "timeout"].includes(problem.code)) {
      return gettext("Not connected. Please try again when the connection is back.");
    }
    if (problem.code === "too_large") return gettext("The summary is too long (4,000 characters at most).");
    if (problem.code === "invalid") return gettext("That is not possible in this conversation's current state.");
    if (problem.code === "forbidden" || problem.code === "not_found") return gettext("That conversation is no longer yours.");
    return problem.message || gettext("Something went wrong. Please try again.");
  }

  updateTitle();
  client.start();
}

const page = startStaffPage({ roles: ["counselor"] });
if (page) runConsole(page);
