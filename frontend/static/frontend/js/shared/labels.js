// The names of topics, crisis categories and risk levels, and the risk badge.

import { gettext, interpolate } from "../i18n.js";
import { html } from "./preact.js";

export function topicLabel(topic) {
  return (
    {
      psych: gettext("Psychological counseling"),
      legal: gettext("Legal advice"),
      aid: gettext("Hardship support"),
    }[topic] || topic || ""
  );
}

export function topicShortLabel(topic) {
  return { psych: gettext("Psych"), legal: gettext("Legal"), aid: gettext("Aid") }[topic] || topic || "";
}

/** The crisis categories (docs/protocol.md), in the order the forms list them. */
export const CATEGORIES = ["suicide", "self_harm", "sexual_abuse", "violence", "bullying", "fraud"];

export function categoryLabel(category) {
  return (
    {
      suicide: gettext("Suicide"),
      self_harm: gettext("Self-harm"),
      bullying: gettext("Bullying"),
      sexual_abuse: gettext("Sexual abuse"),
      violence: gettext("Violence"),
      fraud: gettext("Fraud"),
    }[category] || category || ""
  );
}

export function riskLabel(level) {
  return (
    [
      gettext("No risk"),
      gettext("Concern"),
      gettext("Elevated"),
      gettext("High"),
      gettext("Imminent danger"),
    ][level] || ""
  );
}

/** The risk badge; nothing for level 0, or `fallback` when given. */
export function RiskBadge({ level, fallback = null }) {
  if (!level) return fallback;
  return html`<span class=${`badge badge--risk-${level}`} title=${riskLabel(level)}>${interpolate(gettext("Risk %(level)s"), { level })}</span>`;
}

export function TopicBadge({ topic }) {
  return html`<span class="badge badge--topic">${topicShortLabel(topic)}</span>`;
}
