// The "Supervision follow-up" tab of the quality inspection page (issue 10): the supervision
// sessions failed reviews require, open ones first (overdue ones first, in red, with the days
// overdue), then the ones held lately. Any supervisor may mark an open session held, once, with
// notes. Read over HTTP (/api/v1/quality/supervision) when the page loads, on Refresh and after a
// review that required a session is submitted.

import { gettext, interpolate, ngettext } from "../i18n.js";
import { ApiError } from "../api.js";
import { $ } from "../shared/dom.js";
import { html, render, useState } from "../shared/preact.js";
import { formatDateTime } from "../shared/format.js";
import { toast } from "../shared/toast.js";
import { formatDay } from "./review.js";

function describe(problem) {
  if (!(problem instanceof ApiError)) return gettext("Something went wrong. Please try again.");
  if (problem.status === 0) return gettext("Not connected. Please try again when the connection is back.");
  if (problem.status === 409) return gettext("Someone marked this session held already.");
  if (problem.status === 404) return gettext("This session no longer exists.");
  return gettext("Something went wrong. Please try again.");
}

function Due({ row }) {
  if (row.days_overdue > 0) {
    return html`<span class="qa-overdue">${interpolate(
      ngettext("Overdue by %(days)s day", "Overdue by %(days)s days", row.days_overdue),
      { days: row.days_overdue },
    )}</span> <small>(${interpolate(gettext("due %(day)s"), { day: formatDay(row.due_on) })})</small>`;
  }
  return html`<span>${interpolate(gettext("Due %(day)s"), { day: formatDay(row.due_on) })}</span>`;
}

function OpenSession({ row, markHeld }) {
  const [writing, setWriting] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  async function confirm(event) {
    event.preventDefault();
    setBusy(true);
    setError("");
    const problem = await markHeld(row, String(new FormData(event.currentTarget).get("notes") || "").trim());
    setBusy(false);
    if (problem) setError(problem);
  }
  return html`<li class=${`qa-session${row.days_overdue > 0 ? " is-overdue" : ""}`} data-session=${row.session}>
    <div class="qa-session-head"><b>${row.counselor_name}</b> <${Due} row=${row} /></div>
    <small>${interpolate(gettext("Conversation %(id)s · grade %(grade)s · required by %(name)s on %(when)s"), {
      id: row.conversation, grade: row.grade, name: row.requested_by_name, when: formatDateTime(row.planned_at),
    })}</small>
    ${writing
      ? html`<form class="qa-held-form" onSubmit=${confirm}>
          <label>${gettext("Notes: what was discussed, what was agreed")}
            <textarea name="notes" maxlength="2000" required></textarea></label>
          ${error ? html`<p class="field-error" role="alert">${error}</p>` : null}
          <div class="qa-held-actions">
            <button class="btn btn-primary btn-small" type="submit" data-action="confirm-held" disabled=${busy}>${gettext("Save: session held")}</button>
            <button class="btn btn-quiet btn-small" type="button" onClick=${() => setWriting(false)}>${gettext("Cancel")}</button>
          </div></form>`
      : html`<div class="qa-held-actions"><button class="btn btn-secondary btn-small" type="button" data-action="mark-held" onClick=${() => setWriting(true)}>${gettext("Mark held…")}</button></div>`}
  </li>`;
}

function Sessions({ state, markHeld }) {
  if (state.error) return html`<p class="lexicon-status is-error">${state.error}</p>`;
  if (!state.data) return html`<p class="sv-empty">${gettext("Loading…")}</p>`;
  const { open, held } = state.data;
  return html`
    <section class="qa-panel" id="qa-sessions-open"><h3>${interpolate(gettext("Open sessions (%(count)s)"), { count: open.length })}</h3>
      ${open.length ? html`<ol class="qa-sessions">${open.map((row) => html`<${OpenSession} key=${row.session} row=${row} markHeld=${markHeld} />`)}</ol>`
        : html`<p class="sv-empty">${gettext("No supervision session is waiting.")}</p>`}</section>
    <section class="qa-panel" id="qa-sessions-held"><h3>${gettext("Held lately")}</h3>
      ${held.length ? html`<ol class="qa-sessions">${held.map((row) => html`<li key=${row.session} class="qa-session is-held" data-session=${row.session}>
          <div class="qa-session-head"><b>${row.counselor_name}</b> <span>${interpolate(gettext("held %(when)s by %(name)s"), { when: formatDateTime(row.held_at), name: row.held_by_name })}</span></div>
          <small>${interpolate(gettext("Conversation %(id)s · grade %(grade)s · was due %(day)s"), { id: row.conversation, grade: row.grade, day: formatDay(row.due_on) })}</small>
          ${row.notes ? html`<p class="qa-session-notes">${row.notes}</p>` : null}</li>`)}</ol>`
        : html`<p class="sv-empty">${gettext("None held yet.")}</p>`}</section>`;
}

/** The tab bar of the page: reviews, supervision follow-up (keyboard: arrows, Home, End). */
function startTabs() {
  const tabs = [$("#qa-tab-reviews"), $("#qa-tab-supervision")];
  function select(chosen) {
    for (const tab of tabs) {
      const on = tab === chosen;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
      document.getElementById(tab.getAttribute("aria-controls")).hidden = !on;
    }
  }
  tabs.forEach((tab, index) => {
    tab.addEventListener("click", () => select(tab));
    tab.addEventListener("keydown", (event) => {
      const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      const target = tabs[(next + tabs.length) % tabs.length];
      select(target);
      target.focus();
    });
  });
}

export function startSupervision({ session }) {
  const state = { data: null, error: "" };
  startTabs();

  function paint() {
    render(html`<${Sessions} state=${state} markHeld=${markHeld} />`, $("#qa-supervision"));
    const overdue = state.data ? state.data.open.filter((r) => r.days_overdue > 0).length : 0;
    const open = state.data ? state.data.open.length : 0;
    const count = $("#qa-supervision-count");
    count.className = overdue ? "badge badge--risk-3" : open ? "badge badge--topic" : "";
    count.textContent = overdue
      ? interpolate(ngettext("%(count)s overdue", "%(count)s overdue", overdue), { count: overdue })
      : open ? String(open) : "";
  }

  async function reload() {
    try {
      state.data = await session.fetch("/quality/supervision");
      state.error = "";
    } catch (problem) {
      state.error = describe(problem);
    }
    paint();
  }

  async function markHeld(row, notes) {
    try {
      await session.fetch("/quality/supervision/held", { method: "POST", body: { session: row.session, notes } });
      toast(interpolate(gettext("Marked held: the session with %(name)s."), { name: row.counselor_name }));
    } catch (problem) {
      if (!(problem instanceof ApiError) || problem.status !== 409) return describe(problem);
      toast(describe(problem));
    }
    await reload();
    return "";
  }

  paint();
  return { reload };
}
