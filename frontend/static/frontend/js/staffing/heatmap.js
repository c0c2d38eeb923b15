// The week as a heat map (issue 13): 7 days across, 24 hours down, one colour per value, with the
// same numbers as a table (the chart's text alternative). Drawn by the QA page's chart component
// (vendored Apache ECharts, loaded on first use, SVG renderer); the tooltip is drawn inside the
// chart (renderMode "richText"), so nothing the page's Content-Security-Policy refuses. The
// tooltip's formatter is a function: the option is not JSON, so the chart is keyed on the values.

import { gettext } from "../i18n.js";
import { html } from "../shared/preact.js";
import { Chart } from "../qa/charts.js";

export const DAYS = () => [
  gettext("Mon"), gettext("Tue"), gettext("Wed"), gettext("Thu"), gettext("Fri"), gettext("Sat"), gettext("Sun"),
];
export const HOURS = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, "0")}:00`);

function colours() {
  const style = getComputedStyle(document.documentElement);
  const read = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: read("--text", "#2a2723"),
    muted: read("--muted", "#665d52"),
    line: read("--line", "#e4d8c8"),
    primary: read("--primary", "#276f60"),
    danger: read("--danger", "#b3261e"),
    surface: read("--surface", "#fffdf9"),
    font: read("--font", "sans-serif"),
  };
}

/** values: 168 numbers, hour 0 = Monday 00:00. A gap is drawn red below zero, green above. */
function option(values, kind) {
  const c = colours();
  const data = values.map((v, i) => [Math.floor(i / 24), i % 24, v]);
  const high = Math.max(1, ...values);
  // A gap is red below zero and green above, white at zero: a range symmetric about zero.
  const reach = Math.max(1, ...values.map(Math.abs));
  const range = kind === "gap"
    ? { min: -reach, max: reach, inRange: { color: [c.danger, c.surface, c.primary] } }
    : { min: 0, max: high, inRange: { color: [c.surface, c.primary] } };
  return {
    animation: false,
    textStyle: { color: c.text, fontFamily: c.font },
    grid: { left: 8, right: 8, top: 24, bottom: 48, containLabel: true },
    tooltip: { renderMode: "richText", confine: true, formatter: (p) => `${DAYS()[p.value[0]]} ${HOURS[p.value[1]]}: ${p.value[2]}` },
    xAxis: { type: "category", data: DAYS(), position: "top", axisLabel: { color: c.muted }, axisLine: { lineStyle: { color: c.line } } },
    yAxis: { type: "category", data: HOURS, inverse: true, axisLabel: { color: c.muted, interval: 2 }, axisLine: { lineStyle: { color: c.line } } },
    visualMap: { ...range, calculable: false, orient: "horizontal", left: "center", bottom: 0, itemHeight: 120, textStyle: { color: c.muted } },
    series: [{ type: "heatmap", data, label: { show: true, fontSize: 10, color: c.text }, itemStyle: { borderColor: c.surface, borderWidth: 1 } }],
  };
}

/** The chart itself is the QA page's (one ECharts component: SVG, resized with its box, disposed). */
export function HeatMap({ values, kind, label }) {
  return html`<${Chart} id="staffing-heatmap" label=${label} option=${option(values, kind)} />`;
}

/** The same 168 numbers as a table: hours down, days across. */
export function WeekTable({ values, caption, id }) {
  return html`<div class="table-scroll"><table class="qa-table staffing-table" id=${id}>
    <caption>${caption}</caption>
    <thead><tr><th scope="col">${gettext("Hour")}</th>${DAYS().map((d) => html`<th scope="col">${d}</th>`)}</tr></thead>
    <tbody>${HOURS.map((h, hour) => html`<tr><th scope="row">${h}</th>${DAYS().map((_, day) => html`<td class="qa-num">${values[day * 24 + hour]}</td>`)}</tr>`)}</tbody>
  </table></div>`;
}
