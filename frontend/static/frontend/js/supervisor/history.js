// The alert history (issue 9): acknowledged alerts (or all of them), newest first, with who
// acknowledged each and when and the verdict, filtered by category, level, verdict, days and
// words in the excerpt, a page at a time (POST /api/v1/crisis/alerts/history). The server
// logs every search as a read of the conversations it shows (the excerpts are the youth's
// words), so the tab searches when it is opened or asked to, never on a timer.

import { gettext, interpolate, ngettext } from "../i18n.js";
import { ApiError } from "../api.js";
import { $ } from "../shared/dom.js";
import { html, render } from "../shared/preact.js";
import { CATEGORIES, RiskBadge, categoryLabel, riskLabel } from "../shared/labels.js";
import { formatDateTime } from "../shared/format.js";
import { verdictSummary } from "./board.js";

export const PAGE_SIZE = 50;
export const TEXT_MAX = 100; // the server's limit (crisis/schemas.py)
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The request body for the filters a supervisor set (strings, as a form gives them) and a page:
 * only what is set is sent. `{problem}` instead when the filters cannot be sent as they are.
 */
export function historyQuery(fields, page = 1) {
  const query = { page, page_size: PAGE_SIZE };
  if (fields.status === "all") query.status = "all";
  if (CATEGORIES.includes(fields.category)) query.category = fields.category;
  if (["1", "2", "3", "4"].includes(fields.level)) query.level = Number(fields.level);
  if (["real", "false_alarm", "none"].includes(fields.verdict)) query.verdict = fields.verdict;
  for (const key of ["since", "until"]) {
    const day = (fields[key] || "").trim();
    if (!day) continue;
    if (!DAY.test(day)) return { problem: gettext("Please give the days as year-month-day.") };
    query[key] = day;
  }
  if (query.since && query.until && query.since > query.until) {
    return { problem: gettext("The start day is after the end day.") };
  }
  const text = (fields.text || "").trim();
  if (text.length > TEXT_MAX) {
    return { problem: interpolate(gettext("Search for at most %(n)s characters."), { n: TEXT_MAX }) };
  }
  if (text) query.text = text;
  return { query };
}

function describeHttp(problem) {
  if (problem instanceof ApiError && (problem.status === 401 || problem.status === 403)) {
    return gettext("You are not allowed to do that.");
  }
  if (problem instanceof ApiError && problem.status === 0) return gettext("Not connected. Please try again when the connection is back.");
  if (problem instanceof ApiError && problem.status === 400) return gettext("These filters cannot be used. Please check them and try again.");
  return gettext("Something went wrong. Please try again.");
}

function sourceLabel(source) {
  return {
    detector: gettext("Found by the detector"),
    left_message: gettext("In a message left when nobody could answer"),
    counselor: gettext("Raised by the counselor, who is worried"),
  }[source] || "";
}

function Filters({ onSearch, onClear }) {
  function submit(event) {
    event.preventDefault();
    onSearch(Object.fromEntries(new FormData(event.currentTarget)));
  }
  function clear(event) {
    const form = event.currentTarget.form;
    form.reset();
    onClear(Object.fromEntries(new FormData(form)));
  }
  return html`<form class="history-filters" id="history-form" role="search" onSubmit=${submit}
      aria-label=${gettext("Filter the alert history")}>
    <div class="field">
      <label class="field-label" for="history-status">${gettext("Which alerts")}</label>
      <select class="select" id="history-status" name="status">
        <option value="acknowledged">${gettext("Acknowledged")}</option>
        <option value="all">${gettext("All alerts (open ones too)")}</option>
      </select>
    </div>
    <div class="field">
      <label class="field-label" for="history-category">${gettext("Category")}</label>
      <select class="select" id="history-category" name="category">
        <option value="">${gettext("Any category")}</option>
        ${CATEGORIES.map((c) => html`<option value=${c}>${categoryLabel(c)}</option>`)}
      </select>
    </div>
    <div class="field">
      <label class="field-label" for="history-level">${gettext("Level")}</label>
      <select class="select" id="history-level" name="level">
        <option value="">${gettext("Any level")}</option>
        ${[4, 3, 2, 1].map((l) => html`<option value=${String(l)}>${`${l} · ${riskLabel(l)}`}</option>`)}
      </select>
    </div>
    <div class="field">
      <label class="field-label" for="history-verdict">${gettext("Verdict")}</label>
      <select class="select" id="history-verdict" name="verdict">
        <option value="">${gettext("Any verdict")}</option>
        <option value="real">${gettext("Real risk")}</option>
        <option value="false_alarm">${gettext("False alarm")}</option>
        <option value="none">${gettext("Not judged yet")}</option>
      </select>
    </div>
    <div class="field">
      <label class="field-label" for="history-since">${gettext("From")}</label>
      <input class="input" id="history-since" name="since" type="date" />
    </div>
    <div class="field">
      <label class="field-label" for="history-until">${gettext("To")}</label>
      <input class="input" id="history-until" name="until" type="date" />
    </div>
    <div class="field history-text">
      <label class="field-label" for="history-text">${gettext("Words in the excerpt")}</label>
      <input class="input" id="history-text" name="text" type="search" maxlength=${String(TEXT_MAX)} autocomplete="off" />
    </div>
    <div class="history-buttons">
      <button class="btn btn-primary" type="submit">${gettext("Search")}</button>
      <button class="btn btn-quiet" type="button" onClick=${clear}>${gettext("Clear filters")}</button>
    </div>
  </form>`;
}

function Acknowledged({ row }) {
  if (!row.acknowledged_by && !row.acknowledged_at) return html`<span class="history-muted">${gettext("Not acknowledged yet")}</span>`;
  return html`${row.acknowledged_by || gettext("An account since removed")}
    ${row.acknowledged_at ? html`<span class="history-meta">${formatDateTime(row.acknowledged_at)}</span>` : null}`;
}

function VerdictCell({ verdict }) {
  if (!verdict) return html`<span class="history-muted">${gettext("Not judged yet")}</span>`;
  return html`<span class=${verdict.real_risk ? "history-verdict is-real" : "history-verdict"}>${verdictSummary(verdict)}</span>
    ${verdict.note ? html`<span class="history-meta">${verdict.note}</span>` : null}
    ${verdict.by ? html`<span class="history-meta">${interpolate(gettext("Judged by %(name)s, %(time)s"), { name: verdict.by, time: formatDateTime(verdict.at) })}</span>` : null}`;
}

function HistoryRow({ row }) {
  return html`<tr data-alert=${String(row.alert)}>
    <td>${formatDateTime(row.raised_at)}${row.overdue ? html`<span class="history-meta history-overdue">${gettext("Overdue")}</span>` : null}</td>
    <td><${RiskBadge} level=${row.level} /></td>
    <td>${categoryLabel(row.category)}<span class="history-meta">${sourceLabel(row.source)}${row.raised_by ? ` · ${row.raised_by}` : ""}</span></td>
    <td class="history-excerpt">${row.excerpt ? `“${row.excerpt}”` : ""}
      ${row.source === "counselor" && row.note ? html`<span class="history-meta">${gettext("Counselor's note:")} ${row.note}</span>` : null}</td>
    <td>${`#${row.conversation}`}</td>
    <td><${Acknowledged} row=${row} /></td>
    <td><${VerdictCell} verdict=${row.verdict} /></td>
  </tr>`;
}

function Results({ answer, onPage, busy }) {
  if (!answer) return null;
  if (!answer.alerts.length) {
    return html`<p class="sv-empty" id="history-empty">${answer.page > 1 ? gettext("No more alerts on this page.") : gettext("No alerts match these filters.")}</p>
      ${answer.page > 1 ? html`<button class="btn btn-secondary btn-small" type="button" onClick=${() => onPage(1)}>${gettext("First page")}</button>` : null}`;
  }
  const pages = Math.max(1, Math.ceil(answer.total / answer.page_size));
  return html`
    <div class="table-scroll">
      <table class="sv-table history-table" id="history-table">
        <thead><tr>
          <th scope="col">${gettext("Raised")}</th>
          <th scope="col">${gettext("Level")}</th>
          <th scope="col">${gettext("Category")}</th>
          <th scope="col">${gettext("Excerpt")}</th>
          <th scope="col">${gettext("Conversation")}</th>
          <th scope="col">${gettext("Acknowledged by")}</th>
          <th scope="col">${gettext("Verdict")}</th>
        </tr></thead>
        <tbody>${answer.alerts.map((row) => html`<${HistoryRow} key=${row.alert} row=${row} />`)}</tbody>
      </table>
    </div>
    <nav class="history-pager" aria-label=${gettext("Pages")}>
      <button class="btn btn-secondary btn-small" type="button" disabled=${busy || answer.page <= 1}
        onClick=${() => onPage(answer.page - 1)}>${gettext("Previous")}</button>
      <span id="history-page">${interpolate(gettext("Page %(page)s of %(pages)s"), { page: answer.page, pages })}</span>
      <button class="btn btn-secondary btn-small" type="button" disabled=${busy || answer.page >= pages}
        onClick=${() => onPage(answer.page + 1)}>${gettext("Next")}</button>
    </nav>`;
}

export function createHistoryPanel(session) {
  const state = { fields: {}, answer: null, busy: false };
  const status = $("#history-status-line");

  function setStatus(text, kind = "") {
    status.textContent = text;
    status.className = `lexicon-status${kind ? ` is-${kind}` : ""}`;
  }

  function paint() {
    render(html`<${Results} answer=${state.answer} onPage=${(page) => search(state.fields, page)} busy=${state.busy} />`, $("#history-results"));
  }

  async function search(fields, page = 1) {
    const { query, problem } = historyQuery(fields, page);
    if (problem) {
      setStatus(problem, "error");
      return;
    }
    state.fields = fields;
    state.busy = true;
    setStatus(gettext("Loading…"));
    paint();
    try {
      state.answer = await session.fetch("/crisis/alerts/history", { method: "POST", body: query });
      const total = state.answer.total;
      setStatus(interpolate(ngettext("%(count)s alert found.", "%(count)s alerts found.", total), { count: total }));
    } catch (problem) {
      setStatus(describeHttp(problem), "error");
    }
    state.busy = false;
    paint();
  }

  render(html`<${Filters} onSearch=${(fields) => search(fields)} onClear=${(fields) => search(fields)} />`, $("#history-filters"));

  return {
    async open() {
      // Alerts are acknowledged and judged all the time: fresh whenever the tab is shown.
      await search(state.fields, state.answer ? state.answer.page : 1);
    },
  };
}
