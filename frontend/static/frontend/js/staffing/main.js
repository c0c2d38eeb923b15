// The staffing planner (issue 13), for managers, supervisors and admins: the week's need of
// counselors per hour (from the platform's own traffic, /api/v1/staffing/plan) as a heat map
// beside the saved roster and the gap; where one more counselor helps most; the roster editor
// (check a change before saving it: /staffing/evaluate; save: a roster saved by someone else in
// the meantime is refused, 409, and the edits stay); the plan as CSV.

import { gettext, interpolate } from "../i18n.js";
import { ApiError } from "../api.js";
import { $ } from "../shared/dom.js";
import { html, render, useEffect, useState } from "../shared/preact.js";
import { topicLabel } from "../shared/labels.js";
import { toast } from "../shared/toast.js";
import { startStaffPage } from "../shared/staff.js";
import { DAYS, HOURS, HeatMap, WeekTable } from "./heatmap.js";

const TOPICS = ["psych", "legal", "aid"];
const VIEWS = ["needed", "scheduled", "gap"];

function isoWeek(date) {
  const d = new Date(Date.UTC(date.getFullYear(), date.getMonth(), date.getDate()));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day);
  const start = new Date(Date.UTC(d.getUTCFullYear(), 0, 1));
  const week = Math.ceil(((d - start) / 86400000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

function nextWeek() {
  const d = new Date();
  d.setDate(d.getDate() + 7);
  return isoWeek(d);
}

const pct = (v) => (v === null || v === undefined ? "–" : `${(100 * v).toFixed(1)} %`);
const seconds = (v) => (v < 60 ? interpolate(gettext("%(n)s s"), { n: Math.round(v) }) : interpolate(gettext("%(n)s min"), { n: (v / 60).toFixed(1) }));
const slot = (hour) => `${DAYS()[Math.floor(hour / 24)]} ${HOURS[hour % 24]}`;

function describe(problem) {
  if (!(problem instanceof ApiError)) return gettext("Something went wrong. Please try again.");
  if (problem.status === 0) return gettext("Not connected. Please try again when the connection is back.");
  if (problem.status === 409) return gettext("Someone else saved this week's roster in the meantime. Your changes are still here: reload the roster to see theirs before saving.");
  if (problem.status === 403) return gettext("Your role may read the plan but not change the roster.");
  if (problem.status === 400) return gettext("Please check the week and the numbers: whole numbers of counselors from 0 to 500.");
  return gettext("Something went wrong. Please try again.");
}

/** 168 values of one view for the chosen topic ("all": the sum of the topics). */
function valuesOf(plan, roster, view, topic) {
  const out = new Array(168).fill(0);
  for (const c of plan.cells) {
    if (topic !== "all" && c.topic !== topic) continue;
    const scheduled = roster ? roster[c.topic][c.hour] : c.scheduled;
    out[c.hour] += view === "needed" ? c.needed : view === "scheduled" ? scheduled : scheduled - c.needed;
  }
  return out;
}

function Figures({ plan }) {
  const e = plan.expected;
  const n = plan.at_needed;
  const short = plan.cells.filter((c) => c.gap < 0).length;
  const items = [
    [gettext("Requests forecast for the week"), Math.round(n.arrivals).toLocaleString()],
    [gettext("Counselor-hours needed"), n.counselor_hours.toLocaleString()],
    [gettext("Most counselors at once (seats)"), n.peak_counselors],
    [gettext("Connection rate with the roster"), pct(e.answered)],
    [interpolate(gettext("Answered within %(s)s s with the roster"), { s: plan.targets.within_s }), pct(e.answered_within)],
    [gettext("Youths at risk answered within 30 s"), pct(e.crisis_answered_within)],
    [gettext("Average wait with the roster"), seconds(e.mean_wait_s)],
    [gettext("Hours short of the need (hour × topic)"), short],
  ];
  return html`<div class="qa-figures" id="staffing-figures">
    ${items.map(([label, value]) => html`<div class="qa-figure"><b>${value}</b>${label}</div>`)}
  </div>`;
}

function Inputs({ inputs }) {
  const parts = inputs.topics.map((t) =>
    interpolate(gettext("%(topic)s: chats last %(min)s min alone (+%(slow)s % per other chat held), youths wait %(patience)s before leaving, %(crisis)s at risk"), {
      topic: topicLabel(t.topic), min: (t.mean_s / 60).toFixed(0), slow: Math.round(100 * t.slowdown),
      patience: seconds(t.patience_s), crisis: pct(t.crisis_share),
    }),
  );
  const growth = inputs.year_growth === null ? gettext("no history a year ago") : interpolate(gettext("%(g)s on a year ago"), { g: pct(inputs.year_growth) });
  return html`<details class="staffing-inputs" id="staffing-inputs">
    <summary>${interpolate(gettext("From %(n)s requests, %(since)s to %(until)s (trend ×%(trend)s, %(growth)s); up to %(c)s chats per counselor"), {
      n: inputs.conversations.toLocaleString(), since: inputs.since, until: inputs.until, trend: inputs.trend.toFixed(2), growth, c: inputs.capacity,
    })}</summary>
    <ul>${parts.map((p) => html`<li>${p}</li>`)}</ul>
    ${inputs.notes.length ? html`<p class="field-hint">${gettext("Too little history for some figures: defaults are used for them (docs/staffing.md).")}</p>` : null}
  </details>`;
}

function Additions({ plan }) {
  if (!plan.additions.length) return html`<p class="sv-empty">${gettext("One more counselor would change little in any hour.")}</p>`;
  return html`<ol class="staffing-additions" id="staffing-additions">
    ${plan.additions.slice(0, 8).map((a) => html`<li>
      <b>${slot(a.hour)}</b> · ${topicLabel(a.topic)}:
      ${interpolate(gettext("%(from)s → %(to)s counselors answers about %(more)s more youths (%(before)s → %(after)s)"), {
        from: a.scheduled, to: a.scheduled + 1, more: a.answered_more.toFixed(1), before: pct(a.answered_before), after: pct(a.answered_after),
      })}
    </li>`)}
  </ol>`;
}

function Editor({ roster, topic, setTopic, change, fill, save, check, busy, canEdit, dirty }) {
  return html`<section class="staffing-editor" aria-labelledby="staffing-editor-title">
    <h2 class="sv-section-title" id="staffing-editor-title">${gettext("Roster")}</h2>
    <p class="field-hint">${gettext("Counselors on duty for each topic, hour by hour. Check a change to see what it would give before saving it.")}</p>
    <div class="staffing-toolbar">
      <label class="field staffing-inline">${gettext("Topic")}
        <select class="select" id="staffing-editor-topic" value=${topic} onChange=${(e) => setTopic(e.target.value)}>
          ${TOPICS.map((t) => html`<option value=${t}>${topicLabel(t)}</option>`)}
        </select>
      </label>
      <button class="btn btn-secondary btn-small" type="button" id="staffing-fill" disabled=${busy || !canEdit} onClick=${fill}>${gettext("Fill with what is needed")}</button>
      <button class="btn btn-secondary btn-small" type="button" id="staffing-check" disabled=${busy} onClick=${check}>${gettext("Check this roster")}</button>
      <button class="btn btn-primary btn-small" type="button" id="staffing-save" disabled=${busy || !canEdit || !dirty} onClick=${save}>${gettext("Save roster")}</button>
    </div>
    <div class="table-scroll"><table class="qa-table staffing-table staffing-edit" id="staffing-roster">
      <caption>${interpolate(gettext("Counselors on duty: %(topic)s"), { topic: topicLabel(topic) })}</caption>
      <thead><tr><th scope="col">${gettext("Hour")}</th>${DAYS().map((d) => html`<th scope="col">${d}</th>`)}</tr></thead>
      <tbody>${HOURS.map((h, hour) => html`<tr><th scope="row">${h}</th>${DAYS().map((d, day) => {
        const i = day * 24 + hour;
        return html`<td><input class="input staffing-cell" type="number" min="0" max="500" step="1" inputmode="numeric"
          aria-label=${`${d} ${h}`} value=${roster[topic][i]} disabled=${!canEdit}
          onInput=${(e) => change(topic, i, e.target.value)} /></td>`;
      })}</tr>`)}</tbody>
    </table></div>
  </section>`;
}

function Planner({ session, role }) {
  const [week, setWeek] = useState(nextWeek());
  const [target, setTarget] = useState("0.95");
  const [plan, setPlan] = useState(null);
  const [roster, setRoster] = useState(null);
  const [version, setVersion] = useState(0);
  const [view, setView] = useState("gap");
  const [topic, setTopic] = useState("all");
  const [editTopic, setEditTopic] = useState("psych");
  const [busy, setBusy] = useState(false);
  const [dirty, setDirty] = useState(false);
  const [status, setStatus] = useState("");
  const canEdit = role === "manager" || role === "supervisor";
  const targets = () => ({ answered: Number(target) });

  async function load() {
    setBusy(true);
    setStatus(gettext("Working out the week…"));
    try {
      const [p, r] = await Promise.all([
        session.fetch("/staffing/plan", { method: "POST", body: { week, targets: targets() } }),
        session.fetch("/staffing/roster/read", { method: "POST", body: { week } }),
      ]);
      setPlan(p);
      setRoster(r.cells);
      setVersion(r.version);
      setDirty(false);
      setStatus(r.version ? interpolate(gettext("Roster version %(v)s."), { v: r.version }) : gettext("No roster saved for this week yet."));
    } catch (problem) {
      setStatus(describe(problem));
    }
    setBusy(false);
  }
  useEffect(() => { load(); }, []);

  function change(t, i, raw) {
    const n = Math.max(0, Math.min(500, Number.parseInt(raw, 10) || 0));
    setRoster({ ...roster, [t]: roster[t].map((v, j) => (j === i ? n : v)) });
    setDirty(true);
  }
  function fill() {
    const next = { ...roster };
    for (const t of TOPICS) next[t] = roster[t].slice();
    for (const c of plan.cells) next[c.topic][c.hour] = c.needed;
    setRoster(next);
    setDirty(true);
  }
  async function check() {
    setBusy(true);
    try {
      setPlan(await session.fetch("/staffing/evaluate", { method: "POST", body: { week, cells: roster, targets: targets() } }));
      setStatus(gettext("The figures above are for the roster as edited (not saved yet)."));
    } catch (problem) {
      setStatus(describe(problem));
    }
    setBusy(false);
  }
  async function save() {
    setBusy(true);
    try {
      const saved = await session.fetch("/staffing/roster", { method: "PUT", body: { week, based_on_version: version, cells: roster } });
      setVersion(saved.version);
      setDirty(false);
      toast(gettext("Roster saved."));
      setStatus(interpolate(gettext("Roster version %(v)s."), { v: saved.version }));
      setPlan(await session.fetch("/staffing/plan", { method: "POST", body: { week, targets: targets() } }));
    } catch (problem) {
      setStatus(describe(problem));
    }
    setBusy(false);
  }
  async function exportCsv() {
    try {
      const file = await session.fetch("/staffing/export", { method: "POST", body: { week, targets: targets() } });
      const link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob(["\ufeff", file.csv], { type: file.content_type }));
      link.download = file.filename;
      link.click();
      URL.revokeObjectURL(link.href);
    } catch (problem) {
      setStatus(describe(problem));
    }
  }

  const viewLabel = { needed: gettext("Needed"), scheduled: gettext("Scheduled"), gap: gettext("Gap (scheduled − needed)") };
  const values = plan ? valuesOf(plan, roster, view, topic) : null;
  const what = `${viewLabel[view]} · ${topic === "all" ? gettext("all topics") : topicLabel(topic)}`;
  return html`
    <form class="staffing-toolbar" id="staffing-form" onSubmit=${(e) => { e.preventDefault(); load(); }}>
      <label class="field staffing-inline">${gettext("Week")}
        <input class="input" type="week" id="staffing-week" required value=${week} onInput=${(e) => setWeek(e.target.value)} />
      </label>
      <label class="field staffing-inline">${gettext("Connection rate to reach")}
        <select class="select" id="staffing-target" value=${target} onChange=${(e) => setTarget(e.target.value)}>
          ${["0.9", "0.95", "0.98", "0.99"].map((v) => html`<option value=${v}>${pct(Number(v))}</option>`)}
        </select>
      </label>
      <button class="btn btn-primary btn-small" type="submit" disabled=${busy}>${gettext("Show the plan")}</button>
      <button class="btn btn-secondary btn-small" type="button" id="staffing-export" disabled=${!plan} onClick=${exportCsv}>${gettext("Export CSV")}</button>
    </form>
    <p class="lexicon-status" id="staffing-status">${status}</p>
    ${plan && html`
      <${Figures} plan=${plan} />
      <p class="field-hint">${interpolate(gettext("Targets in every hour: %(a)s answered, %(w)s within %(s)s s, youths at risk (level 3 or more, served first) %(c)s within 30 s."), {
        a: pct(plan.targets.answered), w: pct(plan.targets.within_share), s: plan.targets.within_s, c: pct(plan.targets.crisis_share),
      })}</p>
      <${Inputs} inputs=${plan.inputs} />
      <div class="staffing-layout">
        <section class="staffing-map" aria-labelledby="staffing-map-title">
          <h2 class="sv-section-title" id="staffing-map-title">${gettext("The week")}</h2>
          <div class="staffing-toolbar">
            <div class="sv-tabs" role="group" aria-label=${gettext("What the map shows")}>
              ${VIEWS.map((v) => html`<button type="button" class="sv-tab" id=${`staffing-view-${v}`} aria-pressed=${view === v} onClick=${() => setView(v)}>${viewLabel[v]}</button>`)}
            </div>
            <select class="select" id="staffing-topic" aria-label=${gettext("Topic")} value=${topic} onChange=${(e) => setTopic(e.target.value)}>
              <option value="all">${gettext("all topics")}</option>
              ${TOPICS.map((t) => html`<option value=${t}>${topicLabel(t)}</option>`)}
            </select>
          </div>
          <${HeatMap} values=${values} kind=${view} label=${interpolate(gettext("%(what)s per hour of the week; the numbers are in the table below."), { what })} />
          <details><summary>${gettext("The same numbers as a table")}</summary>
            <${WeekTable} values=${values} caption=${what} id="staffing-week-table" />
          </details>
        </section>
        <section class="staffing-side" aria-labelledby="staffing-more-title">
          <h2 class="sv-section-title" id="staffing-more-title">${gettext("Where one more counselor helps most")}</h2>
          <${Additions} plan=${plan} />
        </section>
      </div>
      <${Editor} roster=${roster} topic=${editTopic} setTopic=${setEditTopic} change=${change} fill=${fill}
        save=${save} check=${check} busy=${busy} canEdit=${canEdit} dirty=${dirty} />
    `}`;
}

const started = startStaffPage({ roles: ["manager", "supervisor", "admin"] });
if (started) {
  started.client.start();
  render(html`<${Planner} session=${started.session} role=${started.tokens.role} />`, $("#staffing-app"));
}
