// Who a supervisor can give a conversation to, best first: counselors with a free place (those
// serving the conversation's topic first, the least loaded first), then those who are full,
// then away; offline counselors cannot take it. Pure, so node can test it.

const RANK = { free: 0, full: 1, away: 2, offline: 3 };

/** The state of one team row (a dashboard `team` entry). */
export function counselorState(row) {
  if (!row.online) return "offline";
  if (row.presence !== "available") return "away";
  return (row.load ?? 0) < (row.max ?? 0) ? "free" : "full";
}

export function takeChoices(team, { topic = null } = {}) {
  return team
    .map((row) => ({ ...row, state: counselorState(row), serves: !topic || (row.topics || []).includes(topic) }))
    .sort(
      (a, b) =>
        RANK[a.state] - RANK[b.state] ||
        Number(b.serves) - Number(a.serves) ||
        (a.load ?? 0) - (b.load ?? 0) ||
        String(a.name).localeCompare(String(b.name)),
    );
}

/** A choice that needs the supervisor's "over capacity" decision. */
export const needsOverCapacity = (choice) => choice.state === "full" || choice.state === "away";
