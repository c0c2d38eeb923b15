// The manager's dashboard (issue 11): every indicator against its target at a glance, the trend
// per day, a breakdown by hour, topic, region, channel or counselor, crisis alerts by category and
// level, and the drill-down to the conversations, cases or alerts behind a figure: ids, times,
// keys and states, never a word anyone wrote. Everything over HTTP (/api/v1/reports/), read from
// the roll-ups the jobs keep (docs/indicators.md).

import { gettext, interpolate } from "../i18n.js";
import { ApiError } from "../api.js";
import { $ } from "../shared/dom.js";
import { html, render } from "../shared/preact.js";
import { startStaffPage } from "../shared/staff.js";
import { categoryLabel, topicLabel } from "../shared/labels.js";
import { EChart, barsAndRate, palette } from "./charts.js";
import {
  INDICATORS,
  byLabel,
  channelLabel,
  duration,
  formatParts,
  formatTarget,
  formatValue,
  indicatorLabel,
  isoDay,
  keyLabel,
  metClass,
  metLabel,
  ofWhat,
} from "./indicators.js";

function describe(problem) {
  if (!(problem instanceof ApiError)) return gettext("Something went wrong. Please try again.");
  if (problem.status === 0) return gettext("Not connected. Please try again when the connection is back.");
  if (problem.status === 400) return gettext("Please check the dates: the first day comes before the last, at most three years.");
  if (problem.status === 403) return gettext("Your role may not read the indicators.");
  return gettext("Something went wrong. Please try again.");
}

export function quickRange(kind, today = new Date()) {
  const y = today.getFullYear();
  const m = today.getMonth();
  if (kind === "7d") return { since: isoDay(new Date(y, m, today.getDate() - 6)), until: isoDay(today) };
  if (kind === "month") return { since: isoDay(new Date(y, m, 1)), until: isoDay(today) };
  if (kind === "last-month") return { since: isoDay(new Date(y, m - 1, 1)), until: isoDay(new Date(y, m, 0)) };
  return { since: isoDay(new Date(y, 0, 1)), until: isoDay(today) };
}

function Card({ def, indicator, drill }) {
  const met = indicator ? indicator.met : null;
  const parts = formatParts(indicator);
  const what = ofWhat(def.name);
  const body = html`
    <span class="mg-card-name">${indicatorLabel(def.name)}</span>
    <span class="mg-card-value">${formatValue(indicator)}</span>
    <span class="mg-card-parts">${parts}${parts && what ? html` · ${what}` : ""}</span>
    <span class="mg-card-foot">
      <span class="mg-met ${metClass(met)}">${metLabel(met, indicator ? indicator.target : null)}</span>
      <span class="mg-card-target">${formatTarget(indicator)}</span>
    </span>`;
  return html`<li class="mg-card ${metClass(met)}" data-indicator=${def.name}>
    ${def.drill
      ? html`<button type="button" class="mg-card-button" onClick=${() => drill(def)}
          aria-label=${interpolate(gettext("%(name)s: list what is behind it"), { name: indicatorLabel(def.name) })}>${body}</button>`
      : html`<div class="mg-card-button">${body}</div>`}
  </li>`;
}

const TABLE_COLUMNS = ["daily_volume", "connection_rate", "wait_p90", "satisfaction", "qa_rate", "case_closure_rate", "alerts"];

function cell(name, figure, unitOf) {
  if (!figure) return "–";
  const unit = unitOf[name];
  if (name === "daily_volume") return Math.round(figure.numerator).toLocaleString();
  return formatValue({ ...figure, unit });
}

function GroupTable({ id, by, groups, unitOf, drillKey, caption }) {
  return html`<div class="table-scroll mg-table-scroll"><table class="sv-table mg-table" id=${id}>
    <caption>${caption}</caption>
    <thead><tr>
      <th scope="col">${byLabel(by)}</th>
      ${TABLE_COLUMNS.map((n) => html`<th scope="col" class="mg-num">${n === "daily_volume" ? gettext("Answered") : indicatorLabel(n)}</th>`)}
      ${drillKey ? html`<th scope="col"><span class="visually-hidden">${gettext("List")}</span></th>` : null}
    </tr></thead>
    <tbody>${groups.map(
      (g) => html`<tr key=${g.key} data-key=${g.key}>
        <th scope="row">${keyLabel(by, g)}</th>
        ${TABLE_COLUMNS.map((n) => html`<td class="mg-num">${cell(n, g.indicators[n], unitOf)}</td>`)}
        ${drillKey
          ? html`<td><button type="button" class="btn btn-quiet btn-small" onClick=${() => drillKey(g)}>${gettext("List")}</button></td>`
          : null}
      </tr>`,
    )}</tbody>
  </table></div>`;
}

function AlertTable({ alerts, referrals }) {
  const byCategory = (alerts && alerts.by_category_level) || {};
  const levels = [2, 3, 4];
  const categories = Object.keys(byCategory).sort();
  const kinds = Object.entries((referrals && referrals.by_kind) || {});
  return html`<div class="mg-two">
    <div class="table-scroll mg-table-scroll"><table class="sv-table mg-table" id="mg-alerts-table">
      <caption>${gettext("Crisis alerts by category and level")}</caption>
      <thead><tr><th scope="col">${gettext("Category")}</th>
        ${levels.map((l) => html`<th scope="col" class="mg-num">${interpolate(gettext("Level %(level)s"), { level: l })}</th>`)}</tr></thead>
      <tbody>${categories.length
        ? categories.map((c) => html`<tr><th scope="row">${categoryLabel(c)}</th>
            ${levels.map((l) => html`<td class="mg-num">${byCategory[c][String(l)] || 0}</td>`)}</tr>`)
        : html`<tr><td colspan="4">${gettext("No alerts in this period.")}</td></tr>`}</tbody>
    </table></div>
    <div class="table-scroll mg-table-scroll"><table class="sv-table mg-table" id="mg-referrals-table">
      <caption>${gettext("Referrals by kind")}</caption>
      <thead><tr><th scope="col">${gettext("Handed over to")}</th><th scope="col" class="mg-num">${gettext("Referrals")}</th></tr></thead>
      <tbody>${kinds.length
        ? kinds.map(([k, n]) => html`<tr><th scope="row">${referralLabel(k)}</th><td class="mg-num">${n}</td></tr>`)
        : html`<tr><td colspan="2">${gettext("No referrals in this period.")}</td></tr>`}</tbody>
    </table></div>
  </div>`;
}

export function referralLabel(kind) {
  return (
    {
      police_110: gettext("Police (110)"),
      ambulance_120: gettext("Ambulance (120)"),
      mandatory_report: gettext("Mandatory report of harm to a minor"),
      hotline: gettext("Another hotline"),
    }[kind] || kind
  );
}

const time = (iso) => (iso ? new Date(iso).toLocaleString([], { dateStyle: "short", timeStyle: "short" }) : "–");

function DrillRows({ drill }) {
  if (drill.kind === "conversations") {
    return html`<table class="sv-table mg-table" id="mg-drill-table">
      <thead><tr><th scope="col">${gettext("Conversation")}</th><th scope="col">${gettext("Requested")}</th>
        <th scope="col" class="mg-num">${gettext("Waited")}</th><th scope="col">${gettext("Topic")}</th>
        <th scope="col">${gettext("Region")}</th><th scope="col">${gettext("Channel")}</th>
        <th scope="col">${gettext("Counselor")}</th><th scope="col">${gettext("Status")}</th></tr></thead>
      <tbody>${drill.rows.map((r) => html`<tr data-id=${r.id}>
        <td>${r.id}</td><td>${time(r.requested_at)}</td><td class="mg-num">${duration(r.wait_s)}</td>
        <td>${topicLabel(r.topic)}</td><td>${r.region || "–"}</td><td>${channelLabel(r.channel)}</td>
        <td>${r.counselor_name || "–"}</td><td>${r.status}${r.end_reason ? ` (${r.end_reason})` : ""}</td></tr>`)}</tbody>
    </table>`;
  }
  if (drill.kind === "cases") {
    return html`<table class="sv-table mg-table" id="mg-drill-table">
      <thead><tr><th scope="col">${gettext("Case")}</th><th scope="col">${gettext("Opened")}</th>
        <th scope="col">${gettext("Due")}</th><th scope="col">${gettext("Closed")}</th><th scope="col">${gettext("Category")}</th>
        <th scope="col">${gettext("Region")}</th><th scope="col">${gettext("Status")}</th></tr></thead>
      <tbody>${drill.rows.map((r) => html`<tr data-id=${r.id}>
        <td>${r.reference}</td><td>${time(r.opened_at)}</td><td>${time(r.due_at)}</td><td>${time(r.closed_at)}</td>
        <td>${r.category}</td><td>${r.region}</td>
        <td>${r.status}${r.closed_in_time === false ? ` · ${gettext("late")}` : ""}</td></tr>`)}</tbody>
    </table>`;
  }
  return html`<table class="sv-table mg-table" id="mg-drill-table">
    <thead><tr><th scope="col">${gettext("Alert")}</th><th scope="col">${gettext("Conversation")}</th>
      <th scope="col">${gettext("Raised")}</th><th scope="col" class="mg-num">${gettext("Acknowledged after")}</th>
      <th scope="col">${gettext("Category")}</th><th scope="col" class="mg-num">${gettext("Level")}</th>
      <th scope="col">${gettext("Overdue")}</th></tr></thead>
    <tbody>${drill.rows.map((r) => html`<tr data-id=${r.id}>
      <td>${r.id}</td><td>${r.conversation}</td><td>${time(r.created_at)}</td><td class="mg-num">${duration(r.ack_s)}</td>
      <td>${categoryLabel(r.category)}</td><td class="mg-num">${r.level}</td><td>${r.overdue ? gettext("Yes") : gettext("No")}</td></tr>`)}</tbody>
  </table>`;
}

function DrillPanel({ drill, more, close, role }) {
  if (!drill) return null;
  return html`<section class="mg-panel mg-drill" aria-labelledby="mg-drill-title" id="mg-drill-panel">
    <div class="mg-panel-head">
      <h2 class="sv-section-title" id="mg-drill-title">${drill.title}</h2>
      <button type="button" class="btn btn-quiet btn-small" onClick=${close}>${gettext("Close the list")}</button>
    </div>
    <p class="field-hint" id="mg-drill-count">${interpolate(gettext("%(shown)s of %(total)s shown, latest first. No message text is shown here."), {
      shown: drill.rows.length,
      total: drill.total,
    })}${role === "supervisor" && drill.kind !== "cases"
      ? html` ${gettext("To read a conversation, use the transcript reads page with a reason: the read is logged.")} <a href="/supervisor/transcript-reads/">${gettext("Transcript reads")}</a>`
      : null}</p>
    ${drill.busy && !drill.rows.length ? html`<p>${gettext("Loading…")}</p>` : html`<div class="table-scroll mg-table-scroll"><${DrillRows} drill=${drill} /></div>`}
    ${drill.rows.length < drill.total
      ? html`<button type="button" class="btn btn-secondary btn-small" onClick=${more} disabled=${drill.busy}>${gettext("Show more")}</button>`
      : null}
  </section>`;
}

function runPage({ session, tokens }) {
  const form = $("#mg-range");
  const status = $("#mg-status");
  const state = { range: quickRange("month"), by: "topic", level: "city", overview: null, breakdown: null, drill: null };
  const setStatus = (text) => {
    status.textContent = text;
  };

  function paint() {
    const o = state.overview;
    const c = palette();
    if (!o) return;
    const unitOf = Object.fromEntries(Object.entries(o.indicators).map(([n, i]) => [n, i.unit]));
    const judged = INDICATORS.filter((d) => o.indicators[d.name] && o.indicators[d.name].met !== null);
    const met = judged.filter((d) => o.indicators[d.name].met).length;
    $("#mg-summary").textContent = interpolate(gettext("%(met)s of %(judged)s targets met, %(since)s to %(until)s (%(days)s days)."), {
      met,
      judged: judged.length,
      since: o.since,
      until: o.until,
      days: o.days,
    });
    render(
      html`<ul class="mg-cards">${INDICATORS.map((d) => html`<${Card} def=${d} indicator=${o.indicators[d.name]} drill=${openDrill} />`)}</ul>`,
      $("#mg-cards"),
    );
    const days = o.groups;
    render(
      html`<figure class="mg-chart-card">
          <figcaption>${gettext("Answered a day and connection rate")}</figcaption>
          <${EChart} id="mg-chart-trend" label=${gettext("Answered conversations per day and the connection rate; the numbers are in the table below.")}
            option=${barsAndRate({ labels: days.map((g) => g.key.slice(5)), counts: days.map((g) => g.indicators.daily_volume.numerator), rates: days.map((g) => g.indicators.connection_rate.value), countName: gettext("Answered"), rateName: gettext("Connection rate") }, c)} />
        </figure>
        <details class="mg-details"><summary>${gettext("The days as a table")}</summary>
          <${GroupTable} id="mg-trend-table" by="day" groups=${days} unitOf=${unitOf} caption=${gettext("Per day")}
            drillKey=${(g) => openDrill({ name: "daily_volume", drill: ["conversations", "answered"] }, { by: "day", key: g.key, label: g.key })} /></details>`,
      $("#mg-trend"),
    );
    const b = state.breakdown;
    render(
      b
        ? html`<figure class="mg-chart-card">
              <figcaption>${interpolate(gettext("Answered and satisfaction by %(by)s"), { by: byLabel(b.by) })}</figcaption>
              <${EChart} id="mg-chart-breakdown" label=${gettext("Answered conversations and satisfaction per key; the numbers are in the table below.")}
                option=${barsAndRate({ labels: b.groups.map((g) => keyLabel(b.by, g)), counts: b.groups.map((g) => g.indicators.daily_volume.numerator), rates: b.groups.map((g) => g.indicators.satisfaction.value), countName: gettext("Answered"), rateName: gettext("Satisfaction") }, c)} />
            </figure>
            <${GroupTable} id="mg-breakdown-table" by=${b.by} groups=${b.groups} unitOf=${unitOf}
              caption=${interpolate(gettext("By %(by)s"), { by: byLabel(b.by) })}
              drillKey=${(g) => openDrill({ name: "daily_volume", drill: ["conversations", "answered"] }, { by: b.by, key: g.key, label: keyLabel(b.by, g) })} />`
        : null,
      $("#mg-breakdown"),
    );
    render(html`<${AlertTable} alerts=${o.indicators.alerts} referrals=${o.indicators.referrals} />`, $("#mg-alerts"));
    render(
      html`<${DrillPanel} drill=${state.drill} more=${moreDrill} close=${closeDrill} role=${tokens.role} />`,
      $("#mg-drill"),
    );
  }

  async function load() {
    const { since, until } = state.range;
    setStatus(gettext("Loading…"));
    try {
      const [overview, breakdown] = await Promise.all([
        session.fetch("/reports/indicators", { method: "POST", body: { since, until, by: "day" } }),
        state.by === "day"
          ? null
          : session.fetch("/reports/indicators", { method: "POST", body: { since, until, by: state.by, region_level: state.level } }),
      ]);
      state.overview = overview;
      state.breakdown = breakdown || { by: "day", groups: overview.groups };
      state.drill = null;
      setStatus("");
      paint();
      $("#mg-report-link").href = `/manager/report/?period=month&day=${until}`;
    } catch (problem) {
      setStatus(describe(problem));
    }
  }

  async function fetchDrill() {
    const d = state.drill;
    d.busy = true;
    paint();
    try {
      const { since, until } = state.range;
      const body = { since, until, kind: d.kind, subset: d.subset, offset: d.rows.length };
      if (d.by) Object.assign(body, { by: d.by, key: d.key, region_level: state.level });
      const answer = await session.fetch("/reports/drilldown", { method: "POST", body });
      if (state.drill !== d) return;
      d.rows = d.rows.concat(answer[d.kind]);
      d.total = answer.total;
    } catch (problem) {
      setStatus(describe(problem));
    }
    d.busy = false;
    paint();
  }

  function openDrill(def, where = null) {
    const [kind, subset] = def.drill;
    let title = interpolate(gettext("Behind “%(name)s”"), { name: indicatorLabel(def.name) });
    if (where) title = interpolate(gettext("Answered conversations: %(by)s %(key)s"), { by: byLabel(where.by), key: where.label });
    state.drill = { kind, subset, title, rows: [], total: 0, busy: false, ...(where ? { by: where.by, key: where.key } : {}) };
    fetchDrill().then(() => {
      const panel = $("#mg-drill-panel");
      if (panel) panel.scrollIntoView({ block: "start" });
    });
  }

  function moreDrill() {
    fetchDrill();
  }

  function closeDrill() {
    state.drill = null;
    paint();
  }

  function readForm() {
    state.range = { since: $("#mg-since").value, until: $("#mg-until").value };
    state.by = $("#mg-by").value;
    state.level = $("#mg-level").value;
  }

  function writeForm() {
    $("#mg-since").value = state.range.since;
    $("#mg-until").value = state.range.until;
    $("#mg-by").value = state.by;
    $("#mg-level").value = state.level;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    readForm();
    load();
  });
  for (const button of document.querySelectorAll("[data-range]")) {
    button.addEventListener("click", () => {
      state.range = quickRange(button.dataset.range);
      writeForm();
      load();
    });
  }
  $("#mg-by").addEventListener("change", () => {
    readForm();
    load();
  });
  writeForm();
  load();
}

const started = startStaffPage({ roles: ["manager", "admin", "supervisor"] });
if (started) runPage(started);
