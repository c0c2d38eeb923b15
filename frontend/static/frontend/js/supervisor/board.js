// What the supervisor sees at a glance: the crisis alerts and the overview
// tables (queue, live conversations, team), as components over one state.
// The server sends the dashboard once per connection and then pushes it when
// it changes; Preact's keyed diff keeps each row's and card's elements, so an
// update never takes the focus from a keyboard user.

import { gettext, interpolate } from "../i18n.js";
import { $ } from "../shared/dom.js";
import { html, render } from "../shared/preact.js";
import { RiskBadge, TopicBadge, categoryLabel, topicLabel } from "../shared/labels.js";
import { formatDuration, formatTime } from "../shared/format.js";

const ACKED_SHOWN = 30;

export const board = {
  alerts: new Map(), // alert id -> alert
  info: new Map(), // conversation id -> {topic, counselor, risk_level, queued}
  queue: [],
  live: [],
  team: [],
  watching: null, // the conversation the monitor shows
};

/** What this page does when a button on the board is pressed (set by main.js). */
export const boardActions = { watch: () => {}, acknowledge: () => {} };

function alertOrder(a, b) {
  const ackA = a.acknowledged_by ? 1 : 0;
  const ackB = b.acknowledged_by ? 1 : 0;
  if (ackA !== ackB) return ackA - ackB;
  if (!ackA && a.overdue !== b.overdue) return a.overdue ? -1 : 1;
  if (a.level !== b.level) return b.level - a.level;
  return String(b.at).localeCompare(String(a.at));
}

function WatchButton({ id, label }) {
  const watching = board.watching === id;
  return html`<button class="btn btn-secondary btn-small" type="button" disabled=${watching}
    aria-label=${label} onClick=${() => boardActions.watch(id)}>${watching ? gettext("Watching") : gettext("Watch")}</button>`;
}

function AlertCard({ alert }) {
  const acked = Boolean(alert.acknowledged_by);
  const info = board.info.get(alert.conversation) || {};
  const counselor = (alert.counselor && alert.counselor.name) || info.counselor;
  const classes = `alert-card alert-card--${alert.level}${alert.overdue && !acked ? " is-overdue" : ""}${acked ? " is-acked" : ""}${alert.fresh ? " is-new" : ""}`;
  const meta = [
    interpolate(gettext("Conversation #%(id)s"), { id: alert.conversation }),
    topicLabel(alert.topic || info.topic),
    counselor ? interpolate(gettext("Counselor %(name)s"), { name: counselor }) : info.queued ? gettext("Not yet assigned") : "",
  ].filter(Boolean).join(" · ");
  return html`
    <li class=${classes} data-alert=${String(alert.alert)}>
      <div class="alert-head">
        <${RiskBadge} level=${alert.level} />
        <span class="alert-category">${categoryLabel(alert.category)}</span>
        ${alert.overdue && !acked ? html`<span class="alert-overdue">${gettext("Overdue")}</span>` : null}
        <time class="alert-time" datetime=${alert.at}>${formatTime(alert.at)}</time>
      </div>
      <p class="alert-excerpt">${alert.excerpt ? `“${alert.excerpt}”` : ""}</p>
      <p class="alert-meta">${meta}</p>
      <div class="alert-actions">
        ${acked
          ? html`<span class="alert-acked">${interpolate(gettext("Acknowledged by %(name)s"), { name: alert.acknowledged_by })}</span>`
          : html`<button class="btn btn-danger btn-small" type="button" onClick=${() => boardActions.acknowledge(alert)}>${gettext("Acknowledge")}</button>`}
        <${WatchButton} id=${alert.conversation} />
      </div>
    </li>`;
}

function QueueRow({ row }) {
  return html`<tr>
    <td>${`#${row.conversation}`}</td>
    <td><${TopicBadge} topic=${row.topic} /></td>
    <td>${formatDuration(row.waited_s)}</td>
    <td><${RiskBadge} level=${row.risk_level} fallback="–" /></td>
    <td><${WatchButton} id=${row.conversation} label=${interpolate(gettext("Watch conversation %(id)s"), { id: row.conversation })} /></td>
  </tr>`;
}

function LiveRow({ row }) {
  return html`<tr class=${board.watching === row.conversation ? "is-watched" : ""}>
    <td>${`#${row.conversation} `}<${TopicBadge} topic=${row.topic} /></td>
    <td>${row.counselor || "–"}</td>
    <td><${RiskBadge} level=${row.risk_level} fallback="–" /></td>
    <td><${WatchButton} id=${row.conversation} label=${interpolate(gettext("Watch conversation %(id)s"), { id: row.conversation })} /></td>
  </tr>`;
}

function TeamRow({ row }) {
  const status = !row.online ? "offline" : row.presence === "available" ? "available" : "away";
  const label = { offline: gettext("Offline"), available: gettext("Available"), away: gettext("Away") }[status];
  return html`<tr>
    <td>${row.name}</td>
    <td><span class=${`presence-dot presence-dot--${status}`} aria-hidden="true"></span>${label}</td>
    <td>${`${row.load ?? 0} / ${row.max ?? "–"}`}</td>
  </tr>`;
}

function Rows({ rows, Row, keyOf }) {
  return rows.map((row) => html`<${Row} key=${keyOf(row)} row=${row} />`);
}

/** Draw one table: its rows, its count, its empty state. */
function renderTable(name, rows, Row, keyOf) {
  const count = document.getElementById(`${name}-count`);
  if (count) count.textContent = String(rows.length);
  $(`#${name}-empty`).hidden = rows.length > 0;
  $(`#${name}-table`).hidden = rows.length === 0;
  render(html`<${Rows} rows=${rows} Row=${Row} keyOf=${keyOf} />`, $(`#${name}-table tbody`));
}

export function renderAlerts() {
  const list = $("#alerts");
  const sorted = [...board.alerts.values()].sort(alertOrder);
  const open = sorted.filter((a) => !a.acknowledged_by);
  const shown = [...open, ...sorted.filter((a) => a.acknowledged_by).slice(0, ACKED_SHOWN)];
  // A pressed button may vanish (Acknowledge): the focus stays on that card.
  const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest(".alert-card");
  const focusedAlert = focused && list.contains(focused) ? focused.dataset.alert : null;
  render(shown.map((alert) => html`<${AlertCard} key=${alert.alert} alert=${alert} />`), list);
  if (focusedAlert && !list.contains(document.activeElement)) {
    const card = list.querySelector(`[data-alert="${focusedAlert}"]`);
    if (card) (card.querySelector("button:not(:disabled)") || card).focus();
  }
  $("#alerts-empty").hidden = shown.length > 0;
  $("#open-alerts-count").textContent = String(open.length);
  $("#open-alerts-pill").classList.toggle("has-waiting", open.length > 0);
}

export function renderBoard() {
  renderAlerts();
  renderTable("queue", board.queue, QueueRow, (row) => row.conversation);
  renderTable("live", board.live, LiveRow, (row) => row.conversation);
  renderTable("team", board.team, TeamRow, (row) => row.user ?? row.name);
}

/** A dashboard frame: the whole state, replacing what we had. */
export function applyDashboard(frame) {
  for (const row of frame.conversations || []) {
    const info = board.info.get(row.conversation) || {};
    board.info.set(row.conversation, { ...info, topic: row.topic, counselor: row.counselor, risk_level: row.risk_level, since: row.since, queued: false });
  }
  for (const row of frame.queue || []) {
    const info = board.info.get(row.conversation) || {};
    board.info.set(row.conversation, { ...info, topic: row.topic, risk_level: row.risk_level, counselor: null, queued: true });
  }
  for (const row of frame.alerts || []) {
    const known = board.alerts.get(row.alert);
    if (known) {
      known.overdue = row.overdue;
      if (row.acknowledged_by) known.acknowledged_by = row.acknowledged_by;
    } else board.alerts.set(row.alert, { ...row });
  }
  board.queue = frame.queue || [];
  board.live = frame.conversations || [];
  board.team = frame.team || [];
  renderBoard();
}
