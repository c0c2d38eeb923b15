// The active alert list's order (issue 9): level first (4 on top), then overdue, then the
// oldest first; acknowledged alerts are not in it.

import { describe, test } from "node:test";
import assert from "node:assert/strict";

import { activeAlerts, alertOrder } from "../static/frontend/js/supervisor/alert-order.js";

const MINUTE = 60_000;
const NOW = Date.parse("2026-12-02T08:00:00Z");
let ids = 0;

/** An alert raised `minutesAgo` before NOW. */
function alert(level, { overdue = false, minutesAgo = 0, acknowledged_by = null } = {}) {
  ids += 1;
  return { alert: ids, level, overdue, acknowledged_by, at: new Date(NOW - minutesAgo * MINUTE).toISOString() };
}

const order = (...alerts) => [...alerts].sort(alertOrder).map((a) => a.alert);

describe("alertOrder", () => {
  test("a fresh level 4 is above an overdue level 2", () => {
    const overdueTwo = alert(2, { overdue: true, minutesAgo: 30 });
    const freshFour = alert(4, { minutesAgo: 0 });
    assert.deepEqual(order(overdueTwo, freshFour), [freshFour.alert, overdueTwo.alert]);
    assert.deepEqual(order(freshFour, overdueTwo), [freshFour.alert, overdueTwo.alert]);
  });

  test("at the same level, overdue is above not overdue, even when newer", () => {
    const oldOnTime = alert(3, { minutesAgo: 10 });
    const newOverdue = alert(3, { overdue: true, minutesAgo: 2 });
    assert.deepEqual(order(oldOnTime, newOverdue), [newOverdue.alert, oldOnTime.alert]);
  });

  test("at equal level and overdue, the older is above the newer", () => {
    const newer = alert(2, { minutesAgo: 1 });
    const older = alert(2, { minutesAgo: 9 });
    assert.deepEqual(order(newer, older), [older.alert, newer.alert]);
    const newerOverdue = alert(4, { overdue: true, minutesAgo: 3 });
    const olderOverdue = alert(4, { overdue: true, minutesAgo: 4 });
    assert.deepEqual(order(newerOverdue, olderOverdue), [olderOverdue.alert, newerOverdue.alert]);
  });

  test("times are compared as times, not as text (offsets and precision differ)", () => {
    // 08:00+08:00 is 00:00Z: older than 07:59:59.5Z although its text sorts after it.
    const shanghai = { alert: 901, level: 3, overdue: false, at: "2026-12-02T08:00:00+08:00" };
    const utc = { alert: 902, level: 3, overdue: false, at: "2026-12-02T07:59:59.500000+00:00" };
    assert.deepEqual(order(utc, shanghai), [901, 902]);
  });

  test("the whole list: level, then overdue, then age", () => {
    const a = alert(2, { overdue: true, minutesAgo: 20 });
    const b = alert(4, { minutesAgo: 1 });
    const c = alert(3, { minutesAgo: 15 });
    const d = alert(4, { overdue: true, minutesAgo: 5 });
    const e = alert(3, { overdue: true, minutesAgo: 2 });
    const f = alert(2, { minutesAgo: 30 });
    assert.deepEqual(order(a, b, c, d, e, f), [d, b, e, c, a, f].map((x) => x.alert));
  });
});

describe("activeAlerts", () => {
  test("only the unacknowledged, in order", () => {
    const acked = alert(4, { minutesAgo: 50, acknowledged_by: "王督导" });
    const two = alert(2, { overdue: true, minutesAgo: 10 });
    const four = alert(4, { minutesAgo: 0 });
    assert.deepEqual(activeAlerts(new Map([[1, acked], [2, two], [3, four]]).values()).map((x) => x.alert), [four.alert, two.alert]);
  });
});
