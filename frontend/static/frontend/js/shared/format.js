// Times and durations in the page's language.

import { gettext, interpolate } from "../i18n.js";

function lang() {
  return document.documentElement.lang || undefined;
}

export function formatTime(iso) {
  const date = iso ? new Date(iso) : new Date();
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleTimeString(lang(), { hour: "2-digit", minute: "2-digit" });
}

export function formatDateTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleString(lang(), { month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
}

/** "3 min", "45 s": how long ago, or how long something lasted. */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return interpolate(gettext("%(n)s s"), { n: s });
  const m = Math.floor(s / 60);
  if (m < 60) return interpolate(gettext("%(n)s min"), { n: m });
  return interpolate(gettext("%(h)s h %(m)s min"), { h: Math.floor(m / 60), m: m % 60 });
}
