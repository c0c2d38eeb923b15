// The QA page's figures as charts and tables (issue 10): the grade distribution (bars), the QA
// rate and the pass rate over the periods (lines), follow-up supervision sessions (planned, held,
// overdue), and the tables per counselor, per topic and per period, which are also the charts'
// text alternative. Apache ECharts (vendored, vendor/README.md) is loaded on first use, so the
// review work never waits for it. It draws with SVG, and its tooltips are drawn inside the chart
// (renderMode "richText"): no HTML with inline styles, nothing the page's Content-Security-Policy
// refuses. The colours are the page's own (CSS custom properties of base.css).

import { gettext, interpolate, pgettext } from "../i18n.js";
import { html, useEffect, useRef } from "../shared/preact.js";
import { topicLabel } from "../shared/labels.js";

const GRADES = ["A", "B", "C", "D", "E"];
const PASSING = new Set(["A", "B", "C"]);

let library = null;
/** ECharts, imported once, when the first chart is drawn. */
export function loadECharts() {
  library ||= import("../../vendor/echarts.esm.min.js");
  return library;
}

export function percent(value) {
  return value === null || value === undefined ? "–" : `${(100 * value).toFixed(1)} %`;
}

function colours() {
  const style = getComputedStyle(document.documentElement);
  const read = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: read("--text", "#2a2723"),
    muted: read("--muted", "#665d52"),
    line: read("--line", "#e4d8c8"),
    primary: read("--primary", "#276f60"),
    accent: read("--accent", "#d9774b"),
    danger: read("--danger", "#b3261e"),
    supervisor: read("--supervisor", "#5a3ea6"),
    font: read("--font", "sans-serif"),
  };
}

/** The label of a period's first day (YYYY-MM-DD) on the axis and in the table. */
export function periodLabel(key, unit) {
  if (unit === "month") return key.slice(0, 7);
  return key.slice(5);
}

export function periodTitle(unit) {
  if (unit === "month") return gettext("QA rate and pass rate per month");
  if (unit === "week") return gettext("QA rate and pass rate per week (from Monday)");
  return gettext("QA rate and pass rate per day");
}

function base(c) {
  return {
    animation: false,
    textStyle: { color: c.text, fontFamily: c.font },
    grid: { left: 8, right: 12, top: 32, bottom: 8, containLabel: true },
    tooltip: { trigger: "axis", renderMode: "richText", confine: true },
  };
}

function axis(c) {
  return {
    axisLine: { lineStyle: { color: c.line } },
    axisLabel: { color: c.muted },
    splitLine: { lineStyle: { color: c.line } },
  };
}

/** Bars A-E: passing grades in the page's green, failing ones in its red. */
export function gradesOption(figures, c) {
  return {
    ...base(c),
    xAxis: { type: "category", data: GRADES, ...axis(c) },
    yAxis: { type: "value", minInterval: 1, ...axis(c) },
    series: [
      {
        type: "bar",
        name: pgettext("qa figures", "Conversations"),
        barMaxWidth: 48,
        label: { show: true, position: "top", color: c.text },
        data: GRADES.map((g) => ({
          value: figures.grades[g] || 0,
          itemStyle: { color: PASSING.has(g) ? c.primary : c.danger },
        })),
      },
    ],
  };
}

/** Two lines in %, one point a period; a period with nothing to divide has a gap, not a 0. */
export function ratesOption(figures, c) {
  const asPercent = (value) => (value === null || value === undefined ? null : Math.round(1000 * value) / 10);
  const periods = figures.by_period || [];
  return {
    ...base(c),
    legend: { top: 0, textStyle: { color: c.text } },
    xAxis: { type: "category", data: periods.map((p) => periodLabel(p.key, figures.period_unit)), ...axis(c) },
    yAxis: { type: "value", min: 0, max: 100, ...axis(c), axisLabel: { color: c.muted, formatter: "{value} %" } },
    series: [
      {
        type: "line",
        name: gettext("QA rate"),
        connectNulls: false,
        color: c.primary,
        data: periods.map((p) => asPercent(p.qa_rate)),
      },
      {
        type: "line",
        name: gettext("Pass rate"),
        connectNulls: false,
        color: c.accent,
        data: periods.map((p) => asPercent(p.pass_rate)),
      },
    ],
  };
}

/** Planned, held and overdue supervision sessions, side by side. */
export function supervisionOption(figures, c) {
  const s = figures.supervision || { planned: 0, held: 0, overdue: 0 };
  return {
    ...base(c),
    xAxis: { type: "category", data: [pgettext("qa figures", "Planned"), pgettext("qa figures", "Held"), pgettext("qa figures", "Overdue")], ...axis(c) },
    yAxis: { type: "value", minInterval: 1, ...axis(c) },
    series: [
      {
        type: "bar",
        name: pgettext("qa figures", "Sessions"),
        barMaxWidth: 48,
        label: { show: true, position: "top", color: c.text },
        data: [
          { value: s.planned, itemStyle: { color: c.supervisor } },
          { value: s.held, itemStyle: { color: c.primary } },
          { value: s.overdue, itemStyle: { color: c.danger } },
        ],
      },
    ],
  };
}

/** One ECharts chart in a box that follows its container's width (phone or desktop). */
export function Chart({ id, label, option }) {
  const box = useRef(null);
  const key = JSON.stringify(option);
  useEffect(() => {
    let chart = null;
    let observer = null;
    let gone = false;
    loadECharts().then((echarts) => {
      if (gone || !box.current) return;
      chart = echarts.init(box.current, null, { renderer: "svg" });
      chart.setOption(option);
      observer = new ResizeObserver(() => chart && chart.resize());
      observer.observe(box.current);
    });
    return () => {
      gone = true;
      if (observer) observer.disconnect();
      if (chart) chart.dispose();
    };
  }, [key]);
  return html`<div class="qa-chart" id=${id} ref=${box} role="img" aria-label=${label}></div>`;
}

function GradeCells({ grades }) {
  return GRADES.map((g) => html`<td class="qa-num">${grades[g] || 0}</td>`);
}

/** Rows of answered, inspected, QA rate, passed, pass rate, grades, pre-screen failures. */
function GroupTable({ id, caption, first, rows, name }) {
  if (!rows.length) return null;
  return html`<div class="table-scroll qa-table-scroll">
    <table class="sv-table qa-table" id=${id}>
      <caption>${caption}</caption>
      <thead><tr>
        <th scope="col">${first}</th>
        <th scope="col" class="qa-num">${pgettext("qa figures", "Answered")}</th>
        <th scope="col" class="qa-num">${pgettext("qa figures", "Inspected")}</th>
        <th scope="col" class="qa-num">${gettext("QA rate")}</th>
        <th scope="col" class="qa-num">${gettext("Passed")}</th>
        <th scope="col" class="qa-num">${gettext("Pass rate")}</th>
        ${GRADES.map((g) => html`<th scope="col" class="qa-num">${g}</th>`)}
        <th scope="col" class="qa-num">${gettext("Failed a pre-screen check")}</th>
      </tr></thead>
      <tbody>${rows.map(
        (row) => html`<tr key=${row.key} data-key=${row.key}>
          <th scope="row">${name(row)}</th>
          <td class="qa-num">${row.answered}</td>
          <td class="qa-num">${row.inspected}</td>
          <td class="qa-num">${percent(row.qa_rate)}</td>
          <td class="qa-num">${row.passed}</td>
          <td class="qa-num">${percent(row.pass_rate)}</td>
          <${GradeCells} grades=${row.grades} />
          <td class="qa-num">${percent(row.prescreen_failure_rate)}</td>
        </tr>`,
      )}</tbody>
    </table>
  </div>`;
}

function periodHeading(unit) {
  if (unit === "month") return pgettext("qa figures", "Month");
  if (unit === "week") return gettext("Week from");
  return pgettext("qa figures", "Day");
}

/** The figures section's charts and tables, under the totals. */
export function FigureCharts({ figures }) {
  if (!figures || !figures.by_period) return null;
  const c = colours();
  const unit = figures.period_unit;
  const s = figures.supervision;
  const grades = GRADES.map((g) => `${g} ${figures.grades[g] || 0}`).join(", ");
  const supervisionText = interpolate(
    gettext("%(planned)s planned, %(held)s held, %(overdue)s overdue; completion %(rate)s"),
    { planned: s.planned, held: s.held, overdue: s.overdue, rate: percent(s.completion_rate) },
  );
  return html`<section class="qa-charts" aria-labelledby="qa-charts-title">
    <h2 class="sv-section-title" id="qa-charts-title">${gettext("This month's figures")}</h2>
    ${figures.answered
      ? null
      : html`<p class="sv-empty">${gettext("No answered conversations in this period yet.")}</p>`}
    <div class="qa-chart-grid">
      <figure class="qa-chart-card">
        <figcaption>${gettext("Grade distribution (a conversation reviewed twice counts once, with its lower grade)")}</figcaption>
        <${Chart} id="qa-chart-grades" label=${interpolate(gettext("Grade distribution: %(grades)s"), { grades })} option=${gradesOption(figures, c)} />
        <p class="field-hint">${grades}</p>
      </figure>
      <figure class="qa-chart-card qa-chart-card--wide">
        <figcaption>${periodTitle(unit)}</figcaption>
        <${Chart} id="qa-chart-rates" label=${gettext("QA rate and pass rate over time; the numbers are in the table below.")} option=${ratesOption(figures, c)} />
      </figure>
      <figure class="qa-chart-card">
        <figcaption>${gettext("Follow-up supervision sessions planned in this period")}</figcaption>
        <${Chart} id="qa-chart-supervision" label=${supervisionText} option=${supervisionOption(figures, c)} />
        <p class="field-hint" id="qa-supervision-figures">${supervisionText}</p>
      </figure>
    </div>
    <${GroupTable} id="qa-by-counselor" caption=${gettext("Per counselor")} first=${gettext("Counselor")}
      rows=${figures.by_counselor} name=${(row) => row.name || row.key} />
    <${GroupTable} id="qa-by-topic" caption=${gettext("Per topic")} first=${pgettext("qa figures", "Topic")}
      rows=${figures.by_topic} name=${(row) => topicLabel(row.key)} />
    <details class="qa-period-table">
      <summary>${gettext("The rates per period, as a table")}</summary>
      <${GroupTable} id="qa-by-period" caption=${periodTitle(unit)} first=${periodHeading(unit)}
        rows=${figures.by_period} name=${(row) => periodLabel(row.key, unit)} />
    </details>
  </section>`;
}
