// The counselor's desk: the conversations open in this tab and which one is in
// front. The tab list is one component over this state; the panels are
// made by panel.js.

import { gettext, interpolate } from "../i18n.js";
import { $ } from "../shared/dom.js";
import { html, render } from "../shared/preact.js";
import { RiskBadge, TopicBadge } from "../shared/labels.js";
import { formatTime } from "../shared/format.js";

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
        <span class="tab-line tab-line--meta">
          <${TopicBadge} topic=${conv.topic} />
          <${RiskBadge} level=${conv.risk} />
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

export function tabButton(id) {
  return document.getElementById(`conv-tab-${id}`);
}
