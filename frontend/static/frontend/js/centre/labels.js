// The words of the case work (issue 11), one place for the centre page, the console's wrap-up
// and the youth page: statuses, categories, priorities, events, outcomes.

import { gettext, pgettext } from "../i18n.js";

export const CATEGORIES = ["crisis", "bullying", "abuse", "sexual_harm", "fraud", "legal", "school", "hardship", "family", "other"];
export const STATUSES = ["open", "dispatched", "in_progress", "resolved", "closed"];

export function categoryLabel(category) {
  return (
    {
      crisis: gettext("Psychological crisis"),
      bullying: gettext("Bullying"),
      abuse: gettext("Abuse or violence at home"),
      sexual_harm: gettext("Sexual harm"),
      fraud: gettext("Fraud"),
      legal: gettext("Legal rights"),
      school: gettext("Schooling"),
      hardship: gettext("Hardship aid"),
      family: gettext("Family"),
      other: gettext("Other"),
    }[category] || category || ""
  );
}

export function priorityLabel(priority) {
  return { 1: gettext("Normal"), 2: gettext("Urgent"), 3: pgettext("case priority", "Critical") }[priority] || "";
}

export function statusLabel(status) {
  return (
    {
      open: gettext("Waiting to be dispatched"),
      dispatched: gettext("Dispatched, waiting to be accepted"),
      in_progress: gettext("Being worked"),
      resolved: gettext("Resolved, waiting for the call-back"),
      closed: gettext("Closed"),
    }[status] || status || ""
  );
}

export function eventLabel(kind) {
  return (
    {
      open: gettext("Opened"),
      dispatch: gettext("Dispatched"),
      accept: gettext("Accepted"),
      return: gettext("Returned"),
      action: gettext("Action taken"),
      resolve: gettext("Resolved"),
      callback: gettext("Youth called back"),
      close: gettext("Closed"),
      reopen: gettext("Reopened"),
      escalate: gettext("Escalated one level up"),
      urge: gettext("Urged"),
      mark_key: gettext("Marked as a key case"),
      share: gettext("Shared outward, de-identified"),
    }[kind] || kind
  );
}

export function actionLabel(kind) {
  return (
    {
      call: gettext("Phone call"),
      visit: gettext("Visit"),
      hand_off: gettext("Handed over"),
      meeting: gettext("Meeting"),
      note: gettext("Note"),
    }[kind] || kind || ""
  );
}

export function outcomeLabel(outcome) {
  return (
    {
      settled: gettext("Settled"),
      handed_over: gettext("Handed over to another body"),
      unreachable: gettext("The youth could not be reached"),
      declined: gettext("The youth declined help"),
      other: gettext("Other"),
    }[outcome] || outcome || ""
  );
}

export function callbackLabel(result) {
  return (
    {
      satisfied: gettext("Satisfied"),
      not_satisfied: gettext("Not satisfied"),
      unreachable: gettext("Could not be reached"),
    }[result] || result || ""
  );
}

export function contactMethodLabel(method) {
  return (
    {
      none: gettext("Not to be contacted"),
      phone: gettext("Phone"),
      wechat: gettext("WeChat"),
      in_app: gettext("On the helpline page"),
    }[method] || method || ""
  );
}

/** The button that starts an event (the state machine's event kinds). */
export function verbLabel(event) {
  return (
    {
      dispatch: gettext("Dispatch"),
      accept: gettext("Accept"),
      return: gettext("Return with a reason"),
      action: gettext("Record an action"),
      resolve: gettext("Resolve"),
      callback: gettext("Record the call-back"),
      close: gettext("Close the case"),
      reopen: gettext("Reopen"),
      mark_key: gettext("Mark as a key case"),
      share: gettext("Record as shared"),
      urge: gettext("Urge"),
    }[event] || event
  );
}
