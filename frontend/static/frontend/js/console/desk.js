// The counselor's desk: the conversations open in this tab and which one is in
// front. The tab list is one component over this state; the panels are
// made by panel.js.

import { gettext, interpolate } from "../i18n.js";
import { $ } from "../shared/dom.js";
import { html, render } from "../shared/preact.js";
import { RiskBadge, TopicBadge } from "../shared/labels.js";
import { formatDuration, formatTime } from "../shared/format.js";

export const desk = {
  conversations: new Map(), // id -> conversation (see panel.js)
  activeId: null,
};

const baseTitle = document.title;

export function youthName(youth, id) {
  if (youth && youth.nickname) return youth.nickname;
  return interpolate(gettext("Visitor %(id)s"), { id: (youth && youth.id) || id });
}

// ── the youth's presence ──────────────────────────────────────────────
// Whether the young person of a chat is still there, as the tab and the chat
// header show it: online, away since a time (their page closed or lost its
// connection), or gone (away too long: the service closed the chat). From the
// server's `youth.presence` frames and what auth.ok says of each active chat.

/** auth.ok's summary of an active chat -> a presence, or null when it says nothing. */
export function presenceFromSummary(summary) {
  if (!summary || typeof summary.youth_online !== "boolean") return null;
  return summary.youth_online ? { state: "online" } : { state: "away", since: summary.youth_offline_since || null };
}

/** A `youth.presence` frame -> a presence (null for a state this page does not know). */
export function presenceFromFrame(frame) {
  if (!frame || !["online", "away", "gone"].includes(frame.state)) return null;
  return frame.state === "away" ? { state: "away", since: frame.since || null } : { state: frame.state };
}

/** What the tab and the header say; "" when nothing is known. */
export function presenceLabel(presence) {
  if (!presence) return "";
  if (presence.state === "online") return gettext("Online");
  if (presence.state === "gone") return gettext("Left");
  if (presence.state === "away") {
    const time = presence.since ? formatTime(presence.since) : "";
    return time ? interpolate(gettext("Away since %(time)s"), { time }) : gettext("Not on the page");
  }
  return "";
}

/** The badge's class: away and gone stand out, online stays quiet. */
export function presenceClass(presence) {
  const base = "badge badge--presence";
  if (!presence) return base;
  return presence.state === "online" ? `${base} is-online` : `${base} badge--todo is-${presence.state}`;
}

/** Once a chat ended only "left" still says something (why it ended). */
export function shownPresence(conv) {
  return conv.status === "ended" && conv.presence?.state !== "gone" ? null : conv.presence;
}

// ── telling the tabs apart ───────────────────────────────────────────
// Each tab shows the nickname, the last line said (cut short), how long the
// youth has waited since their first message we have not answered, and the
// risk badge. The unread count is the youth's messages that came while the tab
// was not in front or the page was hidden; it is reset when they are seen.

const LAST_LINE_CHARS = 36;
export const LONG_WAIT_S = 120; // the waiting time stands out after two minutes

/** A message (live or from history) moves the last line and the waiting time on. */
export function noteMessage(conv, message) {
  if (!message || message.sender === "system") return;
  if (typeof message.seq === "number") {
    if (typeof conv.lastSeq === "number" && message.seq < conv.lastSeq) return; // an older one, late
    conv.lastSeq = message.seq;
  }
  conv.lastLine = { sender: message.sender, text: String(message.text || "") };
  if (message.sender === "youth") {
    if (!conv.waitingSince) conv.waitingSince = message.at || new Date().toISOString();
  } else {
    conv.waitingSince = null; // answered (by us, or a supervisor who joined)
  }
}

/** The last line as the tab shows it: who said it, on one line, cut short. */
export function lastLineLabel(conv) {
  const line = conv.lastLine;
  if (!line || !line.text) return "";
  const flat = line.text.replace(/\s+/gu, " ").trim();
  const chars = [...flat];
  const text = chars.length > LAST_LINE_CHARS ? `${chars.slice(0, LAST_LINE_CHARS - 1).join("")}…` : flat;
  if (line.sender === "counselor") return interpolate(gettext("Me: %(text)s"), { text });
  if (line.sender === "supervisor") return interpolate(gettext("Supervisor: %(text)s"), { text });
  return text;
}

/** Seconds the youth has waited for an answer, or null (answered, or the chat ended). */
export function waitingSeconds(conv, now = Date.now()) {
  if (!conv.waitingSince || conv.status === "ended") return null;
  const since = Date.parse(conv.waitingSince);
  return Number.isNaN(since) ? null : Math.max(0, (now - since) / 1000);
}

/** Whether a message makes the tab's unread count go up. */
export function countsAsUnread(conv, message, { activeId, visible, fromHistory = false }) {
  if (fromHistory || !message || message.sender !== "youth") return false;
  return conv.id !== activeId || !visible;
}

function WaitingBadge({ conv }) {
  const seconds = waitingSeconds(conv);
  if (seconds === null) return null;
  const long = seconds >= LONG_WAIT_S;
  return html`<span class=${`badge badge--waiting${long ? " is-long" : ""}`}
    title=${gettext("Waiting for an answer since their last message")}>${interpolate(gettext("Waiting %(time)s"), { time: formatDuration(seconds) })}</span>`;
}

function PresenceBadge({ presence }) {
  const label = presenceLabel(presence);
  return label ? html`<span class=${presenceClass(presence)} data-presence=${presence.state}>${label}</span>` : null;
}

function ConversationTab({ conv, selected, onSelect }) {
  const name = youthName(conv.youth, conv.id);
  return html`
    <li role="presentation" class="conv-tab">
      <button
        type="button" role="tab" id=${`conv-tab-${conv.id}`} aria-controls=${`conv-panel-${conv.id}`}
        aria-selected=${String(selected)} tabindex=${selected ? 0 : -1}
        class=${conv.risk >= 2 ? "has-risk" : ""} onClick=${() => onSelect(conv.id)}
      >
        <span class="tab-line">
          <span class="tab-name">${name}</span>
          ${conv.unread
            ? html`<span class="badge badge--unread" aria-label=${interpolate(gettext("%(n)s unread"), { n: conv.unread })}>${String(conv.unread)}</span>`
            : null}
        </span>
        ${lastLineLabel(conv) ? html`<span class="tab-last">${lastLineLabel(conv)}</span>` : null}
        <span class="tab-line tab-line--meta">
          <${RiskBadge} level=${conv.risk} />
          <${WaitingBadge} conv=${conv} />
          <${TopicBadge} topic=${conv.topic} />
          <${PresenceBadge} presence=${shownPresence(conv)} />
          ${conv.status === "ended" ? html`<span class="badge badge--todo">${gettext("Wrap-up due")}</span>` : null}
          ${conv.whispered ? html`<span class="badge badge--whisper">${gettext("Tip")}</span>` : null}
        </span>
      </button>
    </li>`;
}

function ConversationTabs({ conversations, activeId, onSelect }) {
  return conversations.map(
    (conv) => html`<${ConversationTab} key=${conv.id} conv=${conv} selected=${conv.id === activeId} onSelect=${onSelect} />`,
  );
}

let selectHandler = () => {};

/** What a click on a tab does (set once by main.js). */
export function onTabSelected(handler) {
  selectHandler = handler;
}

/** Draw the tab list, the unread count in the title and the empty states. */
export function renderDesk() {
  const list = [...desk.conversations.values()];
  render(html`<${ConversationTabs} conversations=${list} activeId=${desk.activeId} onSelect=${(id) => selectHandler(id)} />`, $("#conv-tabs"));
  let unread = 0;
  for (const conv of list) unread += conv.unread;
  document.title = unread ? `(${unread}) ${baseTitle}` : baseTitle;
  $("#conv-empty").hidden = list.length > 0;
  $("#panel-placeholder").hidden = list.length > 0 && desk.activeId !== null;
}

/** Ask for the tab of this conversation to be shown, as a click on it does. */
export function selectTab(id) {
  selectHandler(id);
}

let renderQueued = false;

/** Draw the tabs once after a burst of changes (a page of history is hundreds of messages). */
export function scheduleDeskRender() {
  if (renderQueued) return;
  renderQueued = true;
  queueMicrotask(() => {
    renderQueued = false;
    renderDesk();
  });
}

let clock = null;

/** Redraw the tabs every 15 s, so the waiting times move on. */
export function startDeskClock() {
  if (clock === null) clock = setInterval(renderDesk, 15_000);
}

export function tabButton(id) {
  return document.getElementById(`conv-tab-${id}`);
}
