// The printable period report (issue 11): a daily, weekly, monthly or annual report on one A4
// sheet per section, as evaluators attach it: the period, every indicator with its numerator,
// denominator and target, then tables per day (per month for a year), topic, region and channel.
// The same report downloads as CSV (the server makes it; /api/v1/reports/export).

import { gettext, interpolate } from "../i18n.js";
import { ApiError } from "../api.js";
import { $ } from "../shared/dom.js";
import { html, render } from "../shared/preact.js";
import { startStaffPage } from "../shared/staff.js";
import {
  INDICATORS,
  byLabel,
  formatParts,
  formatTarget,
  formatValue,
  indicatorLabel,
  isoDay,
  keyLabel,
  metLabel,
  ofWhat,
} from "../manager/indicators.js";

const COLUMNS = ["daily_volume", "connection_rate", "wait_p90", "satisfaction", "qa_rate", "case_closure_rate", "alerts"];

function periodName(period) {
  return { day: gettext("Daily report"), week: gettext("Weekly report"), month: gettext("Monthly report"), year: gettext("Annual report") }[period];
}

function IndicatorTable({ report }) {
  return html`<table class="rp-table" id="rp-indicators">
    <caption>${gettext("Indicators")}</caption>
    <thead><tr><th scope="col">${gettext("Indicator")}</th><th scope="col" class="rp-num">${gettext("Value")}</th>
      <th scope="col" class="rp-num">${gettext("Numerator / denominator")}</th><th scope="col">${gettext("Target")}</th>
      <th scope="col">${gettext("Result")}</th></tr></thead>
    <tbody>${INDICATORS.map(({ name }) => {
      const i = report.indicators[name];
      const parts = formatParts(i);
      return html`<tr data-indicator=${name}>
        <th scope="row">${indicatorLabel(name)}<small>${ofWhat(name)}</small></th>
        <td class="rp-num">${formatValue(i)}</td>
        <td class="rp-num">${parts}</td>
        <td>${formatTarget(i)}</td>
        <td class=${i.met === false ? "rp-missed" : ""}>${metLabel(i.met, i.target)}</td></tr>`;
    })}</tbody>
  </table>`;
}

function BreakdownTable({ id, by, groups, caption, unitOf }) {
  const cell = (g, name) => {
    const f = g.indicators[name];
    if (name === "daily_volume") return Math.round(f.numerator).toLocaleString();
    return formatValue({ ...f, unit: unitOf[name] });
  };
  return html`<table class="rp-table" id=${id}>
    <caption>${caption}</caption>
    <thead><tr><th scope="col">${byLabel(by)}</th>${COLUMNS.map(
      (n) => html`<th scope="col" class="rp-num">${n === "daily_volume" ? gettext("Answered") : indicatorLabel(n)}</th>`,
    )}</tr></thead>
    <tbody>${groups.map((g) => html`<tr><th scope="row">${keyLabel(by, g)}</th>${COLUMNS.map((n) => html`<td class="rp-num">${cell(g, n)}</td>`)}</tr>`)}</tbody>
  </table>`;
}

function Report({ report }) {
  const unitOf = Object.fromEntries(Object.entries(report.indicators).map(([n, i]) => [n, i.unit]));
  const periodGroups = report.period === "year" ? report.by_period.map((g) => ({ ...g, label: g.key.slice(0, 7) })) : report.by_period;
  return html`
    <${IndicatorTable} report=${report} />
    <section class="rp-section">
      <${BreakdownTable} id="rp-by-period" by="day" groups=${periodGroups} unitOf=${unitOf}
        caption=${report.period === "year" ? gettext("Per month") : gettext("Per day")} />
    </section>
    <section class="rp-section">
      <${BreakdownTable} id="rp-by-topic" by="topic" groups=${report.by_topic} unitOf=${unitOf} caption=${gettext("By topic")} />
      <${BreakdownTable} id="rp-by-channel" by="channel" groups=${report.by_channel} unitOf=${unitOf} caption=${gettext("By channel")} />
      <${BreakdownTable} id="rp-by-region" by="region" groups=${report.by_region} unitOf=${unitOf} caption=${gettext("By region (city)")} />
    </section>`;
}

function describe(problem) {
  if (problem instanceof ApiError && problem.status === 0) return gettext("Not connected. Please try again when the connection is back.");
  return gettext("Something went wrong. Please try again.");
}

function runPage({ session }) {
  const params = new URLSearchParams(window.location.search);
  const status = $("#rp-status");
  if (["day", "week", "month", "year"].includes(params.get("period"))) $("#rp-period").value = params.get("period");
  $("#rp-day").value = /^\d{4}-\d{2}-\d{2}$/.test(params.get("day") || "") ? params.get("day") : isoDay(new Date());
  const body = () => ({ period: $("#rp-period").value, day: $("#rp-day").value });

  async function load() {
    status.textContent = gettext("Loading…");
    try {
      const report = await session.fetch("/reports/report", { method: "POST", body: body() });
      $("#rp-period-text").textContent = interpolate(gettext("%(name)s · %(since)s to %(until)s (%(days)s days)"), {
        name: periodName(report.period),
        since: report.since,
        until: report.until,
        days: report.days,
      });
      render(html`<${Report} report=${report} />`, $("#rp-body"));
      status.textContent = "";
    } catch (problem) {
      status.textContent = describe(problem);
    }
  }

  $("#rp-form").addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  $("#rp-print").addEventListener("click", () => window.print());
  $("#rp-csv").addEventListener("click", async () => {
    try {
      const made = await session.fetch("/reports/export", { method: "POST", body: body() });
      // A byte-order mark, so a spreadsheet reads the Chinese names as UTF-8.
      const blob = new Blob(["\ufeff", made.csv], { type: "text/csv;charset=utf-8" });
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = made.filename;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    } catch (problem) {
      status.textContent = describe(problem);
    }
  });
  load();
}

const started = startStaffPage({ roles: ["manager", "admin", "supervisor"] });
if (started) runPage(started);
