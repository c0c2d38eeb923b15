// The dashboard's charts (ECharts 6, vendored; loaded on first use, drawn with SVG, tooltips drawn
// inside the chart: nothing the Content-Security-Policy refuses, as on the QA page). Every chart
// has a table beside it with the same numbers: the text alternative.

import { gettext } from "../i18n.js";
import { html, useEffect, useRef } from "../shared/preact.js";
import { loadECharts } from "../qa/charts.js";

export function palette() {
  const style = getComputedStyle(document.documentElement);
  const read = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: read("--text", "#2a2723"),
    muted: read("--muted", "#665d52"),
    line: read("--line", "#e4d8c8"),
    primary: read("--primary", "#276f60"),
    accent: read("--accent", "#d9774b"),
    supervisor: read("--supervisor", "#5a3ea6"),
    font: read("--font", "sans-serif"),
  };
}

const pct = (v) => (v === null || v === undefined ? null : Math.round(1000 * v) / 10);

/** Answered conversations as bars (left axis) and a rate in % as a line (right axis), per key. */
export function barsAndRate({ labels, counts, rates, countName, rateName }, c) {
  const axis = { axisLine: { lineStyle: { color: c.line } }, axisLabel: { color: c.muted }, splitLine: { lineStyle: { color: c.line } } };
  return {
    animation: false,
    textStyle: { color: c.text, fontFamily: c.font },
    grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
    tooltip: { trigger: "axis", renderMode: "richText", confine: true },
    legend: { top: 0, textStyle: { color: c.text } },
    xAxis: { type: "category", data: labels, ...axis },
    yAxis: [
      { type: "value", minInterval: 1, ...axis },
      { type: "value", min: 0, max: 100, ...axis, splitLine: { show: false }, axisLabel: { color: c.muted, formatter: "{value} %" } },
    ],
    series: [
      { type: "bar", name: countName, data: counts, color: c.primary, barMaxWidth: 36 },
      { type: "line", name: rateName, yAxisIndex: 1, data: rates.map(pct), connectNulls: false, color: c.accent },
    ],
  };
}

/** One chart that follows its box's width; redrawn when its option changes. */
export function EChart({ id, label, option }) {
  const box = useRef(null);
  const signature = JSON.stringify(option);
  useEffect(() => {
    let chart = null;
    let watcher = null;
    let cancelled = false;
    loadECharts().then((echarts) => {
      if (cancelled || !box.current) return;
      chart = echarts.init(box.current, null, { renderer: "svg" });
      chart.setOption(option);
      watcher = new ResizeObserver(() => chart && chart.resize());
      watcher.observe(box.current);
    });
    return () => {
      cancelled = true;
      if (watcher) watcher.disconnect();
      if (chart) chart.dispose();
    };
  }, [signature]);
  return html`<div class="mg-chart" id=${id} ref=${box} role="img" aria-label=${label || gettext("Chart; the numbers are in the table.")}></div>`;
}
