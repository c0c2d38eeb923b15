// The order of the supervisor's active alert list, in one place: board.js sorts with it and
// frontend/tests/alert-order.test.js holds it. Only open (unacknowledged) alerts are in that
// list; acknowledged ones are in the history tab.
//
// The highest level first: a fresh level-4 alert (imminent danger) must never wait below an
// overdue level 2, as it did when overdue came first. Within a level, overdue ones first
// (nobody answered in time); then the oldest first, so the longest unanswered is on top.
// The server orders the dashboard's open alerts the same way (crisis/live.py).

/** When the alert was raised, in ms; ISO strings with different offsets or precision compare right. */
function raisedAt(alert) {
  const ms = Date.parse(alert.at);
  return Number.isNaN(ms) ? 0 : ms;
}

/** Array.prototype.sort's comparator for the active list. */
export function alertOrder(a, b) {
  if (a.level !== b.level) return b.level - a.level;
  if (Boolean(a.overdue) !== Boolean(b.overdue)) return a.overdue ? -1 : 1;
  const age = raisedAt(a) - raisedAt(b);
  if (age !== 0) return age;
  return a.alert - b.alert; // raised in the same millisecond: the first stored first
}

/** The active list: the alerts nobody has acknowledged, in alertOrder. */
export function activeAlerts(alerts) {
  return [...alerts].filter((alert) => !alert.acknowledged_by).sort(alertOrder);
}
