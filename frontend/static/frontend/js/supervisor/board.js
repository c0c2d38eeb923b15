// What the supervisor sees at a glance: the crisis alerts and the overview
// tables (queue, live conversations, team), as components over one state.
// The active list holds only the alerts nobody has acknowledged, in
// alert-order.js's order; an alert this console acknowledged moves to a short
// list below it, where its verdict is recorded (or changed); every acknowledged
// alert is in the history tab (history.js).
// The server sends the dashboard once per connection and then pushes it when
// it changes; Preact's keyed diff keeps each row's and card's elements, so an
// update never takes the focus from a keyboard user.

import { gettext, interpolate, ngettext } from "../i18n.js";
import { $ } from "../shared/dom.js";
import { html, render, useState } from "../shared/preact.js";
import { CATEGORIES, RiskBadge, TopicBadge, categoryLabel, riskLabel, topicLabel } from "../shared/labels.js";
import { formatDuration, formatTime } from "../shared/format.js";
import { activeAlerts } from "./alert-order.js";

// Acknowledged here, kept below the active list for their verdicts: the newest few. The rest,
// and those acknowledged elsewhere, are in the history tab.
const HANDLED_SHOWN = 10;

export const board = {
  alerts: new Map(), // alert id -> alert
  info: new Map(), // conversation id -> {topic, counselor, risk_level, queued}
  queue: [],
  live: [],
  team: [],
  watching: null, // the conversation the monitor shows
  detector: { unscanned_last_hour: 0, last_unscanned_at: null, unscanned: [] },
};

/**
 * What this page does when a button on the board is pressed (set by main.js).
 * `verdict(alert, verdict)` resolves when the server saved it and rejects with a sentence.
 */
export const boardActions = {
  watch: () => {}, acknowledge: () => {}, verdict: async () => {}, take: () => {}, debriefDone: () => {},
};

/** Conversations this supervisor took for themselves (they are its counselor now). */
export const takenHere = new Set();

/** "Take" for an open conversation (queued, or with a counselor), unless it is ours already. */
function TakeButton({ id, urgent = false }) {
  if (takenHere.has(id)) return null;
  return html`<button class=${`btn btn-small ${urgent ? "btn-danger" : "btn-secondary"}`} type="button" data-action="take"
    aria-label=${interpolate(gettext("Take conversation %(id)s"), { id })} onClick=${() => boardActions.take(id)}>${gettext("Take")}</button>`;
}

function WatchButton({ id, label }) {
  const watching = board.watching === id;
  return html`<button class="btn btn-secondary btn-small" type="button" disabled=${watching}
    aria-label=${label} onClick=${() => boardActions.watch(id)}>${watching ? gettext("Watching") : gettext("Watch")}</button>`;
}

function AlertCard({ alert }) {
  const acked = Boolean(alert.acknowledged_by);
  const info = board.info.get(alert.conversation) || {};
  const counselor = (alert.counselor && alert.counselor.name) || alert.raised_by || info.counselor;
  const noCapacity = alert.source === "no_capacity";
  const open = info.queued || Boolean(info.counselor) || noCapacity;
  const classes = `alert-card alert-card--${alert.level}${noCapacity ? " alert-card--no-capacity" : ""}${alert.overdue && !acked ? " is-overdue" : ""}${acked ? " is-acked" : ""}${alert.fresh ? " is-new" : ""}${alert.verdictOpen ? " is-judging" : ""}`;
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
      <${AlertSource} alert=${alert} counselor=${counselor} />
      <p class="alert-excerpt">${alert.excerpt ? `“${alert.excerpt}”` : ""}</p>
      ${alert.source === "counselor" && alert.note
        ? html`<p class="alert-note"><span class="alert-note-label">${gettext("Counselor's note:")}</span> ${alert.note}</p>`
        : null}
      ${alert.source !== "counselor" && !noCapacity
        ? html`<${WhatFired} alert=${alert} />`
        : null /* a counselor's alert, or nobody free: the source line (and the note) say why */}
      <p class="alert-meta">${meta}</p>
      <div class="alert-actions">
        ${acked
          ? html`<span class="alert-acked">${interpolate(gettext("Acknowledged by %(name)s"), { name: alert.acknowledged_by })}</span>`
          : html`<button class="btn btn-danger btn-small" type="button" data-action="ack" onClick=${() => boardActions.acknowledge(alert)}>${gettext("Acknowledge")}</button>`}
        ${open && !acked ? html`<${TakeButton} id=${alert.conversation} urgent=${noCapacity || alert.level >= 3} />` : null}
        <${WatchButton} id=${alert.conversation} />
      </div>
      <${VerdictArea} alert=${alert} />
    </li>`;
}

const percent = (p) => `${Math.round((Number(p) || 0) * 100)}%`;

/**
 * What fired, read in a second: the youth's own words each finding matched, and the model's
 * score, in the supervisor's language; the detector's one technical line folded under it.
 * Alerts stored before the reasons were kept show that line alone.
 */
export function WhatFired({ alert }) {
  const reasons = alert.reasons;
  if (!reasons) {
    if (!alert.explanation) return null;
    return html`<p class="alert-explanation"><span class="alert-explanation-label">${gettext("What fired:")}</span> ${alert.explanation}</p>`;
  }
  const words = [...new Set((reasons.fired || []).map((f) => f.words).filter(Boolean))];
  const strongest = (reasons.fired || []).reduce((best, f) => (!best || f.level > best.level ? f : best), null);
  const byModelOnly = words.length === 0 && (reasons.fired || []).some((f) => f.by === "model");
  const thirdParty = (reasons.fired || []).some((f) => f.third_party);
  const model = reasons.model;
  return html`<div class="alert-explanation">
    ${words.length
      ? html`<p><span class="alert-explanation-label">${gettext("Their words:")}</span> ${words.map((w) => html`<mark class="fired-words">${w}</mark> `)}${strongest ? html`→ ${categoryLabel(strongest.category)} · ${interpolate(gettext("level %(level)s"), { level: strongest.level })}` : null}</p>`
      : null}
    ${byModelOnly ? html`<p>${gettext("No listed words: the learned model found it.")}</p>` : null}
    ${thirdParty ? html`<p>${gettext("About someone else (a friend, a classmate): ask whose risk it is.")}</p>` : null}
    ${model
      ? html`<p class="alert-model">${interpolate(gettext("Model %(version)s: alert %(alert)s, level 3 or more %(high)s, level 4 %(imminent)s"), {
          version: model.version, alert: percent(model.alert), high: percent(model.high), imminent: percent(model.imminent),
        })}</p>`
      : null}
    ${alert.explanation ? html`<details class="alert-technical"><summary>${gettext("Details")}</summary><code>${alert.explanation}</code></details>` : null}
  </div>`;
}

/** Where the alert came from: the detector, a message left after hours, a counselor's worry. */
function AlertSource({ alert, counselor }) {
  const text = {
    detector: gettext("Found by the detector"),
    left_message: gettext("In a message left when nobody could answer"),
    counselor: counselor
      ? interpolate(gettext("Raised by counselor %(name)s, who is worried"), { name: counselor })
      : gettext("Raised by the counselor, who is worried"),
    no_capacity: gettext("Nobody can take this young person: no counselor online has a free place. Take the conversation, or give it to someone over capacity."),
  }[alert.source];
  if (!text) return null;
  return html`<p class=${`alert-source alert-source--${alert.source}`}>${text}</p>`;
}

/** A verdict in words (the card, and the history tab's rows). */
export function verdictSummary(verdict) {
  if (!verdict.real_risk) return gettext("Not a risk");
  return interpolate(gettext("Real risk: %(category)s, level %(level)s (%(label)s)"), {
    category: categoryLabel(verdict.category), level: verdict.level, label: riskLabel(verdict.level),
  });
}

/** The supervisor's verdict: saved (with a way to change it), being written, or not yet asked for. */
function VerdictArea({ alert }) {
  if (alert.verdictOpen) return html`<${VerdictForm} alert=${alert} />`;
  if (alert.verdict) {
    return html`<div class="verdict-saved" role="status">
      <span>${interpolate(gettext("Verdict saved: %(verdict)s"), { verdict: verdictSummary(alert.verdict) })}</span>
      <button class="btn btn-quiet btn-small" type="button" onClick=${() => openVerdict(alert)}>${gettext("Change")}</button>
    </div>`;
  }
  return html`<div class="verdict-ask">
    <button class="btn btn-quiet btn-small" type="button" data-action="verdict" onClick=${() => openVerdict(alert)}>${gettext("Record a verdict")}</button>
  </div>`;
}

/** An alert's card, in the active list or in the list of those acknowledged here. */
function cardOf(id) {
  return document.querySelector(`#alerts [data-alert="${id}"], #alerts-handled [data-alert="${id}"]`);
}

/** Move the focus within an alert's card, when it is in that card now (a keyboard user stays put). */
function focusInCard(alert, selector) {
  const card = cardOf(alert.alert);
  if (!card || !card.contains(document.activeElement)) return;
  const target = card.querySelector(selector);
  if (target) target.focus();
}

/** Open the verdict form in the alert's card (right after acknowledging, or from its button). */
export function openVerdict(alert) {
  alert.verdictOpen = true;
  // Judged here: should another supervisor acknowledge it meanwhile, the card stays on this
  // console (below the active list) instead of vanishing under the verdict being written.
  if (!alert.handledHere) alert.handledHere = Date.now();
  renderAlerts();
  focusInCard(alert, ".verdict-choice");
}

function closeVerdict(alert) {
  alert.verdictOpen = false;
  renderAlerts();
  focusInCard(alert, ".verdict-saved button, .verdict-ask button");
}

function VerdictForm({ alert }) {
  const start = alert.verdict || {};
  const [choice, setChoice] = useState(alert.verdict ? (start.real_risk ? "real" : "not") : null);
  const [category, setCategory] = useState(start.category || alert.category);
  const [level, setLevel] = useState(String(start.level || alert.level));
  const [note, setNote] = useState(start.note || "");
  const [saving, setSaving] = useState(false);
  const [problem, setProblem] = useState("");
  const id = `verdict-${alert.alert}`;

  async function save(event) {
    event.preventDefault();
    if (!choice) {
      setProblem(gettext("Please choose: real risk, or not a risk."));
      return;
    }
    const verdict = choice === "real" ? { real_risk: true, category, level: Number(level) } : { real_risk: false };
    if (note.trim()) verdict.note = note.trim();
    setSaving(true);
    setProblem("");
    try {
      await boardActions.verdict(alert, verdict);
      alert.verdict = verdict;
      closeVerdict(alert);
    } catch (sentence) {
      setProblem(String(sentence));
      setSaving(false);
    }
  }
  function cancel() {
    closeVerdict(alert);
  }

  return html`<form class="verdict-form" onSubmit=${save} aria-label=${gettext("Verdict on this alert")}>
    <p class="verdict-question" id=${`${id}-q`}>${gettext("Was this a real risk?")}</p>
    <div class="verdict-choices" role="group" aria-labelledby=${`${id}-q`}>
      <button type="button" class=${`btn btn-small verdict-choice${choice === "real" ? " is-chosen" : ""}`}
        aria-pressed=${String(choice === "real")} onClick=${() => setChoice("real")}>${gettext("Real risk")}</button>
      <button type="button" class=${`btn btn-small verdict-choice${choice === "not" ? " is-chosen" : ""}`}
        aria-pressed=${String(choice === "not")} onClick=${() => setChoice("not")}>${gettext("Not a risk")}</button>
    </div>
    ${choice === "real"
      ? html`<div class="verdict-fields">
          <label class="field-label" for=${`${id}-category`}>${gettext("Category")}</label>
          <select class="select" id=${`${id}-category`} value=${category} onChange=${(e) => setCategory(e.target.value)}>
            ${CATEGORIES.map((c) => html`<option value=${c} selected=${c === category}>${categoryLabel(c)}</option>`)}
          </select>
          <label class="field-label" for=${`${id}-level`}>${gettext("Level")}</label>
          <select class="select" id=${`${id}-level`} value=${level} onChange=${(e) => setLevel(e.target.value)}>
            ${[1, 2, 3, 4].map((l) => html`<option value=${String(l)} selected=${String(l) === level}>${`${l} · ${riskLabel(l)}`}</option>`)}
          </select>
        </div>`
      : null}
    <label class="visually-hidden" for=${`${id}-note`}>${gettext("Note (optional)")}</label>
    <input class="input verdict-note" id=${`${id}-note`} maxlength="500" placeholder=${gettext("Note (optional)")}
      value=${note} onInput=${(e) => setNote(e.target.value)} />
    ${problem ? html`<p class="form-error" role="alert">${problem}</p>` : null}
    <div class="verdict-actions">
      <button class="btn btn-primary btn-small" type="submit" disabled=${saving}>${saving ? gettext("Saving…") : gettext("Save verdict")}</button>
      <button class="btn btn-quiet btn-small" type="button" onClick=${cancel}>${gettext("Later")}</button>
    </div>
  </form>`;
}

function QueueRow({ row }) {
  return html`<tr>
    <td>${`#${row.conversation}`}</td>
    <td><${TopicBadge} topic=${row.topic} /></td>
    <td>${formatDuration(row.waited_s)}</td>
    <td><${RiskBadge} level=${row.risk_level} fallback="–" /></td>
    <td class="row-actions"><${TakeButton} id=${row.conversation} urgent=${row.risk_level >= 3} /><${WatchButton} id=${row.conversation} label=${interpolate(gettext("Watch conversation %(id)s"), { id: row.conversation })} /></td>
  </tr>`;
}

function LiveRow({ row }) {
  return html`<tr class=${board.watching === row.conversation ? "is-watched" : ""}>
    <td>${`#${row.conversation} `}<${TopicBadge} topic=${row.topic} /></td>
    <td>${row.counselor || "–"}</td>
    <td><${RiskBadge} level=${row.risk_level} fallback="–" /></td>
    <td class="row-actions"><${TakeButton} id=${row.conversation} /><${WatchButton} id=${row.conversation} label=${interpolate(gettext("Watch conversation %(id)s"), { id: row.conversation })} /></td>
  </tr>`;
}

function TeamRow({ row }) {
  const status = !row.online ? "offline" : ["available", "break"].includes(row.presence) ? row.presence : "away";
  const label = {
    offline: gettext("Offline"), available: gettext("Available"), away: gettext("Away"), break: gettext("On a break"),
  }[status];
  return html`<tr class=${row.debrief_requested_at ? "wants-debrief" : ""}>
    <td>${row.name}</td>
    <td><span class=${`presence-dot presence-dot--${status}`} aria-hidden="true"></span>${label}
      ${row.debrief_requested_at
        ? html`<div class="debrief-ask">
            <span class="badge badge--todo">${interpolate(gettext("Asked for a debrief at %(time)s"), { time: formatTime(row.debrief_requested_at) })}</span>
            <button class="btn btn-secondary btn-small" type="button" data-action="debrief-done"
              onClick=${() => boardActions.debriefDone(row.user)}>${gettext("Debrief done")}</button>
          </div>`
        : null}</td>
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

/** Those this console acknowledged (`handledHere`, set by main.js), the latest first. */
function handledAlerts() {
  return [...board.alerts.values()]
    .filter((alert) => alert.acknowledged_by && alert.handledHere)
    .sort((a, b) => b.handledHere - a.handledHere)
    .slice(0, HANDLED_SHOWN);
}

export function renderAlerts() {
  const list = $("#alerts");
  const handledList = $("#alerts-handled");
  const open = activeAlerts(board.alerts.values());
  const handled = handledAlerts();
  // Acknowledging moves the card from one list to the other, and Acknowledge itself vanishes:
  // the focus follows the card, to its verdict form when that is open.
  const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest(".alert-card");
  const focusedAlert = focused && (list.contains(focused) || handledList.contains(focused)) ? focused.dataset.alert : null;
  render(open.map((alert) => html`<${AlertCard} key=${alert.alert} alert=${alert} />`), list);
  render(handled.map((alert) => html`<${AlertCard} key=${alert.alert} alert=${alert} />`), handledList);
  $("#alerts-handled-section").hidden = handled.length === 0; // before the focus: a hidden card takes none
  if (focusedAlert && !list.contains(document.activeElement) && !handledList.contains(document.activeElement)) {
    const card = cardOf(focusedAlert);
    if (card) (card.querySelector(".verdict-choice") || card.querySelector("button:not(:disabled)") || card).focus();
  }
  $("#alerts-empty").hidden = open.length > 0;
  $("#open-alerts-count").textContent = String(open.length);
  $("#open-alerts-pill").classList.toggle("has-waiting", open.length > 0);
}

/**
 * Youth messages stored without a crisis scan (the detector failed): nobody was alerted about
 * them, so a person must read those conversations. Hidden while there are none.
 */
function DetectorBanner({ detector }) {
  const count = detector.unscanned_last_hour || 0;
  if (!count) return null;
  const text = interpolate(
    ngettext(
      "In the last hour %(count)s youth message was not checked for crisis signs (the detector failed).",
      "In the last hour %(count)s youth messages were not checked for crisis signs (the detector failed).",
      count,
    ),
    { count },
  );
  return html`<div class="detector-banner-body">
    <svg class="detector-banner-icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M12 3 2 20h20zM12 10v4M12 17h.01" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/></svg>
    <div>
      <p class="detector-banner-text">${text}${detector.last_unscanned_at
        ? ` ${interpolate(gettext("Latest at %(time)s."), { time: formatTime(detector.last_unscanned_at) })}` : ""}</p>
      ${(detector.unscanned || []).length ? html`<p class="detector-banner-ask">
        ${gettext("Please read these conversations yourself:")}
        ${detector.unscanned.map((id) => html` <button key=${id} class="btn btn-secondary btn-small" type="button"
            aria-label=${interpolate(gettext("Watch conversation %(id)s"), { id })}
            onClick=${() => boardActions.watch(id)}>${`#${id}`}</button>`)}
      </p>` : null}
    </div>
  </div>`;
}

export function renderDetectorBanner() {
  const banner = $("#detector-banner");
  if (!banner) return;
  banner.hidden = !(board.detector.unscanned_last_hour > 0);
  render(html`<${DetectorBanner} detector=${board.detector} />`, banner);
}

export function renderBoard() {
  renderAlerts();
  renderDetectorBanner();
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
      // Another supervisor's verdict reaches this console with the next dashboard push.
      if (!known.verdictOpen && row.verdict !== undefined) known.verdict = row.verdict;
      for (const key of ["source", "explanation", "note", "reasons"]) if (!known[key] && row[key]) known[key] = row[key];
    } else board.alerts.set(row.alert, { ...row });
  }
  board.queue = frame.queue || [];
  board.live = frame.conversations || [];
  board.team = frame.team || [];
  if (frame.detector) board.detector = frame.detector;
  renderBoard();
}
