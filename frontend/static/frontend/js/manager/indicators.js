// The indicators' names, how each figure reads (a rate in %, a time in seconds or minutes, a count
// a day), its target and whether it is met, in words: shared by the dashboard (js/manager/) and
// the printable report (js/report/). The formulas are the server's (reports/indicators.py,
// docs/indicators.md); nothing is computed here but the formatting.

import { gettext, interpolate, pgettext } from "../i18n.js";
import { topicLabel } from "../shared/labels.js";

/** In the order of the dashboard's cards and the report's table, with what the drill-down lists. */
export const INDICATORS = [
  { name: "connection_rate", drill: ["conversations", "unanswered_in_hours"] },
  { name: "daily_volume", drill: ["conversations", "answered"] },
  { name: "volume_growth", drill: null },
  { name: "wait_p50", drill: ["conversations", "answered"] },
  { name: "wait_p90", drill: ["conversations", "answered"] },
  { name: "first_response_p50", drill: ["conversations", "no_counselor_reply"] },
  { name: "first_response_p90", drill: ["conversations", "no_counselor_reply"] },
  { name: "abandonment_rate", drill: ["conversations", "abandoned_in_hours"] },
  { name: "satisfaction", drill: ["conversations", "not_satisfied"] },
  { name: "qa_rate", drill: ["conversations", "inspected"] },
  { name: "qa_pass_rate", drill: ["conversations", "failed_qa"] },
  { name: "supervision_completion", drill: null },
  { name: "case_closure_rate", drill: ["cases", "not_closed"] },
  { name: "cases_closed_in_time", drill: ["cases", "closed_late"] },
  { name: "data_sharing_rate", drill: ["cases", "shared"] },
  { name: "alerts", drill: ["alerts", "all"] },
  { name: "alert_ack_p50", drill: ["alerts", "unacknowledged"] },
  { name: "alert_ack_p90", drill: ["alerts", "unacknowledged"] },
  { name: "alerts_overdue", drill: ["alerts", "overdue"] },
  { name: "referrals", drill: null },
];

export function indicatorLabel(name) {
  return (
    {
      connection_rate: gettext("Connection rate"),
      daily_volume: gettext("Answered a day"),
      volume_growth: gettext("Growth on a year earlier"),
      wait_p50: gettext("Waiting time, median"),
      wait_p90: gettext("Waiting time, 90th percentile"),
      first_response_p50: gettext("First reply, median"),
      first_response_p90: gettext("First reply, 90th percentile"),
      abandonment_rate: gettext("Left before an answer"),
      satisfaction: gettext("Satisfaction"),
      qa_rate: gettext("QA sampling rate"),
      qa_pass_rate: gettext("QA pass rate"),
      supervision_completion: gettext("Supervision completion"),
      case_closure_rate: gettext("Case closure rate"),
      cases_closed_in_time: gettext("Cases closed in time"),
      data_sharing_rate: gettext("Data-sharing rate"),
      alerts: gettext("Crisis alerts"),
      alert_ack_p50: gettext("Alert acknowledged, median"),
      alert_ack_p90: gettext("Alert acknowledged, 90th percentile"),
      alerts_overdue: gettext("Alerts overdue"),
      referrals: gettext("Referrals"),
    }[name] || name
  );
}

/** What the numerator and the denominator count, in a few words. */
export function ofWhat(name) {
  return (
    {
      connection_rate: gettext("answered of requested in service hours"),
      daily_volume: gettext("answered over days"),
      volume_growth: gettext("answered, against a year earlier"),
      abandonment_rate: gettext("left of requested in service hours"),
      satisfaction: gettext("satisfied (4 or 5 stars) of ratings"),
      qa_rate: gettext("inspected of answered"),
      qa_pass_rate: gettext("graded A, B or C of inspected"),
      supervision_completion: gettext("held of planned"),
      case_closure_rate: gettext("closed of opened"),
      cases_closed_in_time: gettext("in time of closed"),
      data_sharing_rate: gettext("shared of shareable"),
      alerts_overdue: gettext("overdue of alerts"),
    }[name] || ""
  );
}

const number = (n) => (n === null || n === undefined ? "–" : Math.round(n).toLocaleString());

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  if (seconds < 90) return interpolate(gettext("%(n)s s"), { n: Math.round(seconds) });
  if (seconds < 5400) return interpolate(gettext("%(n)s min"), { n: Math.round(seconds / 60) });
  return interpolate(gettext("%(n)s h"), { n: (seconds / 3600).toFixed(1) });
}

export function percent(value) {
  return value === null || value === undefined ? "–" : `${(100 * value).toFixed(1)} %`;
}

/** The figure as it reads: "97.2 %", "1,755", "≤ 20 s", "12". */
export function formatValue(indicator) {
  if (!indicator || indicator.value === null || indicator.value === undefined) return "–";
  const unit = indicator.unit;
  if (unit === "fraction") return percent(indicator.value);
  if (unit === "seconds") return `≤ ${duration(indicator.value)}`;
  if (unit === "per_day") return indicator.value.toFixed(0);
  return number(indicator.value);
}

export function formatTarget(indicator) {
  if (!indicator || indicator.target === null || indicator.target === undefined) return gettext("No target set");
  const shown = indicator.unit === "fraction" ? percent(indicator.target) : number(indicator.target);
  const sign = { ">=": "≥", "<=": "≤", "<": "<" }[indicator.comparison] || "";
  return interpolate(gettext("Target %(sign)s %(target)s"), { sign, target: shown });
}

/** "1,234 of 1,300", "rank 45 of 50", "" for counts. */
export function formatParts(indicator) {
  if (!indicator) return "";
  if (indicator.unit === "seconds") {
    return indicator.denominator
      ? interpolate(gettext("%(n)s measured"), { n: number(indicator.denominator) })
      : gettext("none measured");
  }
  if (indicator.unit === "count" && indicator.denominator === 1) return "";
  return interpolate(pgettext("numerator of denominator", "%(n)s of %(d)s"), {
    n: number(indicator.numerator),
    d: number(indicator.denominator),
  });
}

/** met: true / false / null, in words a tired person reads at once. */
export function metLabel(met, target = null) {
  if (met === true) return gettext("Met");
  if (met === false) return gettext("Not met");
  return target === null || target === undefined ? gettext("No target") : gettext("none measured");
}

export function metClass(met) {
  return met === true ? "is-met" : met === false ? "is-missed" : "is-none";
}

export function channelLabel(channel) {
  return { web: gettext("Web"), miniprogram: gettext("WeChat mini-program") }[channel] || channel || gettext("Not recorded");
}

export function byLabel(by) {
  return (
    {
      day: pgettext("breakdown", "Day"),
      hour: gettext("Hour of day"),
      topic: pgettext("breakdown", "Topic"),
      region: gettext("Region"),
      channel: gettext("Channel"),
      counselor: gettext("Counselor"),
    }[by] || by
  );
}

/** The label of a breakdown key: a day, an hour, a topic, a region's name, a channel, a counselor. */
export function keyLabel(by, group) {
  if (by === "hour") return `${group.key}:00`;
  if (by === "topic") return group.key ? topicLabel(group.key) : gettext("Not recorded");
  if (by === "channel") return channelLabel(group.key);
  if (!group.key) return gettext("Not recorded");
  return group.label || group.key;
}

/** A day as YYYY-MM-DD in the browser's calendar. */
export function isoDay(d) {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}
