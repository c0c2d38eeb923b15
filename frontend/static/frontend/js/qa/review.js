// The parts of the quality inspection page: the list of my reviews, the figures of the month,
// and one review (masked transcript, wrap-up, alerts, pre-screen, survey, rubric form).
// While a review is open, each transcript line can be marked as a good or poor example (with a
// note); when the grade the scores give so far fails, the form offers to require a follow-up
// supervision session. The marks are inputs of the rubric form (their `form` attribute), so
// the form's data holds everything that is submitted.

import { gettext, interpolate } from "../i18n.js";
import { html, useState } from "../shared/preact.js";
import { formatDateTime, formatDuration } from "../shared/format.js";

const SCALE = [0, 1, 2, 3, 4];
const EXAMPLES_MAX = 50;
const SUPERVISION_DAYS = 14; // the default due day: two weeks from today
const SUPERVISION_MAX_DAYS = 60;

function isoDay(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
}

function daysFromToday(days) {
  const today = new Date();
  return isoDay(new Date(today.getFullYear(), today.getMonth(), today.getDate() + days));
}

/** "2026-12-18" as a day in the page's language. */
export function formatDay(day) {
  const [y, m, d] = String(day).split("-").map(Number);
  const date = new Date(y, m - 1, d);
  if (Number.isNaN(date.getTime())) return String(day);
  return date.toLocaleDateString(document.documentElement.lang || undefined, { year: "numeric", month: "long", day: "numeric", weekday: "short" });
}

function kindLabel(kind) {
  return kind === "good" ? gettext("✓ Good example") : gettext("⚠ Poor example");
}

function reasonLabel(reason) {
  return {
    high_risk: gettext("High risk"),
    failed_check: gettext("Failed a check"),
    minimum: gettext("Counselor minimum"),
    random: gettext("Random"),
  }[reason] || reason;
}

function roleLabel(role) {
  return { youth: gettext("Youth"), counselor: gettext("Counselor"), supervisor: gettext("Supervisor"), system: gettext("System") }[role] || role;
}

function percent(value) {
  return value === null || value === undefined ? "–" : `${(100 * value).toFixed(1)} %`;
}

export function Figures({ figures }) {
  return html`
    <div class="qa-figure">${gettext("QA rate")}<b id="qa-rate">${percent(figures.qa_rate)}</b></div>
    <div class="qa-figure">${gettext("Pass rate")}<b>${percent(figures.pass_rate)}</b></div>
    <div class="qa-figure">${gettext("Grades")}<b>${["A", "B", "C", "D", "E"].map((g) => `${g} ${figures.grades[g] || 0}`).join(" · ")}</b></div>
    <div class="qa-figure">${gettext("Failed a pre-screen check")}<b>${percent(figures.prescreen_failure_rate)}</b></div>
    <${Calibration} figure=${figures.calibration} />`;
}

/** Double reviews, blind: how often the two agree (within 10 points; on pass/fail; kappa). */
function Calibration({ figure }) {
  if (!figure) return null;
  const kappa = figure.kappa === null || figure.kappa === undefined ? "–" : figure.kappa.toFixed(2);
  return html`<div class="qa-figure" id="qa-calibration">
    ${interpolate(gettext("Calibration (%(pairs)s double reviews)"), { pairs: figure.pairs })}
    <b>${interpolate(gettext("within 10 points %(close)s · same pass/fail %(same)s · kappa %(kappa)s"), {
      close: percent(figure.within_10), same: percent(figure.pass_agreement), kappa,
    })}</b>
  </div>`;
}

export function AssignmentList({ rows, chosen, choose }) {
  if (!rows) return null;
  if (!rows.length) return html`<p class="sv-empty" id="qa-empty">${gettext("No reviews assigned to you.")}</p>`;
  return html`<ol>${rows.map(
    (row) => html`<li key=${row.review}>
      <button class="qa-item" type="button" data-review=${row.review} aria-current=${String(chosen === row.review)} onClick=${() => choose(row)}>
        <b>${interpolate(gettext("Conversation %(id)s"), { id: row.conversation })}</b>
        ${row.risk_level ? html` <span class=${`badge badge--risk-${Math.min(row.risk_level, 4)}`}>L${row.risk_level}</span>` : null}
        <br /><small>${reasonLabel(row.reason)} · ${row.ended_at ? formatDateTime(row.ended_at) : ""}</small>
        <br /><small>${row.status === "submitted" ? interpolate(gettext("Submitted: grade %(grade)s"), { grade: row.grade }) : gettext("To review")}</small>
      </button></li>`,
  )}</ol>`;
}

/** Mark one line as a good or poor example: two toggle buttons, and a note once marked. */
function ExampleMark({ line, kind, choose }) {
  const toggle = (wanted) => choose(kind === wanted ? "" : wanted);
  const label = interpolate(gettext("Mark line %(seq)s as an example"), { seq: line.seq });
  return html`<div class="qa-mark" role="group" aria-label=${label}>
    <button type="button" class="qa-mark-btn qa-mark-btn--good" data-mark="good" aria-pressed=${String(kind === "good")} onClick=${() => toggle("good")}>${gettext("✓ Good")}</button>
    <button type="button" class="qa-mark-btn qa-mark-btn--poor" data-mark="poor" aria-pressed=${String(kind === "poor")} onClick=${() => toggle("poor")}>${gettext("⚠ Poor")}</button>
    ${kind ? html`<input type="hidden" form="qa-rubric" name=${`example-${line.seq}`} value=${kind} />
      <input class="qa-mark-note" type="text" form="qa-rubric" name=${`example-note-${line.seq}`} maxlength="500"
        placeholder=${gettext("Why is it an example? (optional)")} aria-label=${interpolate(gettext("Note on line %(seq)s"), { seq: line.seq })} />` : null}
  </div>`;
}

/** The transcript; while the review is open, each line with its example mark. Once submitted,
 * the lines marked are highlighted with their notes, read-only. */
function Transcript({ lines, examples, editable }) {
  const [marks, setMarks] = useState({});
  if (!lines.length) return html`<p class="sv-empty">${gettext("No messages (deleted after the retention period, or none written).")}</p>`;
  const given = Object.fromEntries((examples || []).map((e) => [e.seq, e]));
  const kindOf = (seq) => (editable ? marks[seq] || "" : given[seq]?.kind || "");
  return html`<ol class="qa-transcript" id="qa-transcript">${lines.map((line) => {
    const kind = kindOf(line.seq);
    return html`<li key=${line.seq} data-seq=${line.seq} class=${`qa-line qa-line--${line.role}${kind ? ` qa-line--${kind}` : ""}`}>
      <small>${roleLabel(line.role)} ${formatDateTime(line.at)}</small>${line.text}
      ${editable ? html`<${ExampleMark} line=${line} kind=${kind} choose=${(value) => setMarks({ ...marks, [line.seq]: value })} />`
        : kind ? html`<p class="qa-example-tag"><b>${kindLabel(kind)}</b>${given[line.seq].note ? ` · ${given[line.seq].note}` : ""}</p>` : null}
    </li>`;
  })}</ol>`;
}

function PreScreen({ prescreen }) {
  if (!prescreen) return html`<p>${gettext("Not screened yet.")}</p>`;
  const seconds = (value) => (value === null || value === undefined ? "–" : formatDuration(value));
  return html`<ul>
    <li>${gettext("First response")}: ${seconds(prescreen.first_response_s)}</li>
    <li>${gettext("Longest wait for the counselor")}: ${seconds(prescreen.longest_silence_s)}</li>
    <li>${gettext("Duration")}: ${seconds(prescreen.duration_s)}</li>
    <li>${interpolate(gettext("Messages: %(youth)s from the youth, %(counselor)s from the counselor"), { youth: prescreen.youth_messages, counselor: prescreen.counselor_messages })}</li>
    ${Object.entries(prescreen.results).map(([name, result]) => html`<li class=${result.passed === false ? "qa-check--failed" : ""}>
      ${name}: ${result.passed === null ? gettext("does not apply") : result.passed ? gettext("passed") : gettext("failed")} ${result.detail ? `(${result.detail})` : ""}</li>`)}
  </ul>`;
}

function Side({ detail }) {
  const wrapup = detail.wrapup;
  return html`
    <section class="qa-panel"><h3>${gettext("Wrap-up")}</h3>
      ${wrapup ? html`<p>${wrapup.category} · ${interpolate(gettext("risk level %(level)s"), { level: wrapup.risk_level })}</p><p>${wrapup.summary}</p>`
        : html`<p>${gettext("No wrap-up.")}</p>`}</section>
    <section class="qa-panel"><h3>${gettext("Alerts")}</h3>
      ${detail.alerts.length ? html`<ul>${detail.alerts.map((a) => html`<li>L${a.level} ${a.category}: ${a.excerpt}
        ${a.verdict ? ` · ${a.verdict.real_risk ? gettext("real risk") : gettext("false alarm")}` : ` · ${gettext("no verdict")}`}</li>`)}</ul>`
        : html`<p>${gettext("No alerts.")}</p>`}</section>
    <section class="qa-panel"><h3>${gettext("Pre-screen")}</h3><${PreScreen} prescreen=${detail.prescreen} /></section>
    <section class="qa-panel"><h3>${gettext("Survey")}</h3>
      ${detail.survey ? html`<p>${interpolate(gettext("Score %(score)s of 5"), { score: detail.survey.score })}</p><p>${detail.survey.comment}</p>`
        : html`<p>${gettext("No survey.")}</p>`}</section>`;
}

/** The submit body from the rubric form, or a problem to show. */
export function scoresBody(detail, form) {
  const data = new FormData(form);
  const scores = [];
  for (const item of detail.items) {
    const value = data.get(`score-${item.key}`);
    if (value === null) return { problem: interpolate(gettext("Score “%(item)s”."), { item: item.title }) };
    scores.push({ item: item.key, score: Number(value), comment: String(data.get(`comment-${item.key}`) || "").trim() });
  }
  const examples = [];
  for (const line of detail.transcript) {
    const kind = data.get(`example-${line.seq}`);
    if (kind) examples.push({ seq: line.seq, kind: String(kind), note: String(data.get(`example-note-${line.seq}`) || "").trim() });
  }
  if (examples.length > EXAMPLES_MAX) {
    return { problem: interpolate(gettext("At most %(max)s lines can be marked as examples."), { max: EXAMPLES_MAX }) };
  }
  const body = { review: detail.review.review, scores, comment: String(data.get("comment") || "").trim(), examples };
  if (data.get("supervision") === "on") {
    const due = String(data.get("supervision-due") || "");
    if (!due || due < daysFromToday(0) || due > daysFromToday(SUPERVISION_MAX_DAYS)) {
      return { problem: interpolate(gettext("Choose a due date for the supervision session between today and %(days)s days from now."), { days: SUPERVISION_MAX_DAYS }) };
    }
    body.supervision = { due_on: due };
  }
  return { body };
}

/** The grade the scores given so far make (as the server computes it), or null before any. */
function provisional(detail, form) {
  const data = new FormData(form);
  const total = detail.items.reduce((sum, item) => sum + item.weight, 0);
  let points = 0;
  let scored = 0;
  let criticalZero = false;
  for (const item of detail.items) {
    const value = data.get(`score-${item.key}`);
    if (value === null) continue;
    scored += 1;
    points += (item.weight * Number(value)) / (SCALE.length - 1);
    if (item.critical && Number(value) === 0) criticalZero = true;
  }
  if (!scored || !total) return null;
  const complete = scored === detail.items.length;
  const score = Math.round((1000 * points) / total) / 10;
  const failing = criticalZero || (complete && score < 60);
  return { complete, score, failing, criticalZero };
}

/** When the review fails: require a follow-up supervision session of the counselor. */
function SupervisionChoice() {
  // Uncontrolled: the form's input handler re-renders before the change event arrives.
  const [wanted, setWanted] = useState(false);
  return html`<fieldset class="qa-supervise" id="qa-supervise">
    <legend><b>${gettext("Follow-up supervision")}</b></legend>
    <label class="qa-check"><input type="checkbox" name="supervision" id="qa-supervision-wanted" onChange=${(e) => setWanted(e.currentTarget.checked)} />
      ${gettext("Require a supervision session with the counselor")}</label>
    ${wanted ? html`<label class="qa-due">${gettext("To be held by")}
      <input type="date" name="supervision-due" id="qa-supervision-due" value=${daysFromToday(SUPERVISION_DAYS)} min=${daysFromToday(0)} max=${daysFromToday(SUPERVISION_MAX_DAYS)} required /></label>
      <p class="field-hint">${gettext("It appears under “Supervision follow-up” until someone marks it held.")}</p>` : null}
  </fieldset>`;
}

/** The lines marked as examples of a submitted review, read-only. */
function MarkedExamples({ detail }) {
  const examples = detail.review.examples || [];
  if (!examples.length) return null;
  const text = Object.fromEntries(detail.transcript.map((line) => [line.seq, line]));
  return html`<section class="qa-panel" id="qa-examples"><h3>${gettext("Lines marked as examples")}</h3>
    <ul class="qa-example-list">${examples.map((e) => html`<li key=${e.seq} class=${`qa-example qa-example--${e.kind}`}>
      <b>${kindLabel(e.kind)}</b> · ${text[e.seq] ? `${roleLabel(text[e.seq].role)}: ${text[e.seq].text}` : interpolate(gettext("line %(seq)s"), { seq: e.seq })}
      ${e.note ? html`<br /><small>${e.note}</small>` : null}</li>`)}</ul></section>`;
}

function Rubric({ detail, busy, error, submit }) {
  const review = detail.review;
  const [sofar, setSofar] = useState(null);
  if (review.status === "submitted") {
    return html`<section class="qa-panel" id="qa-result"><h3>${interpolate(gettext("Grade %(grade)s, score %(score)s"), { grade: review.grade, score: review.score })}</h3>
      <p>${review.passed ? gettext("Passed.") : gettext("Not passed.")} ${review.critical_failed ? gettext("A critical item was not done.") : ""}</p>
      ${review.supervision_due ? html`<p class="qa-supervision-due" id="qa-result-supervision">${interpolate(gettext("A supervision session with the counselor is required by %(day)s."), { day: formatDay(review.supervision_due) })}</p>` : null}
      <p>${review.comment}</p></section>
      <${MarkedExamples} detail=${detail} />`;
  }
  return html`<form class="qa-rubric" id="qa-rubric" onInput=${(event) => setSofar(provisional(detail, event.currentTarget))} onSubmit=${(event) => { event.preventDefault(); submit(event.currentTarget); }}>
    <h3>${interpolate(gettext("Rubric, version %(version)s"), { version: review.rubric_version })}</h3>
    <p class="field-hint">${gettext("0: not done, 1: poor, 2: partly, 3: good, 4: excellent. A critical item scored 0 fails the review.")}</p>
    ${detail.items.map((item) => html`<fieldset key=${item.key} data-item=${item.key}>
      <legend><b>${item.title}</b> ${item.critical ? html`<span class="badge badge--risk-3">${gettext("critical")}</span>` : null}</legend>
      <p class="field-hint">${item.description}</p>
      <div class="qa-scale">${SCALE.map((n) => html`<label><input type="radio" name=${`score-${item.key}`} value=${n} required /> ${n}</label>`)}</div>
      <textarea name=${`comment-${item.key}`} maxlength="2000" aria-label=${interpolate(gettext("Comment on “%(item)s”"), { item: item.title })}></textarea>
    </fieldset>`)}
    <label>${gettext("Overall comment")}<textarea name="comment" maxlength="2000"></textarea></label>
    ${sofar ? html`<p class=${`qa-sofar${sofar.failing ? " is-failing" : ""}`} id="qa-sofar" aria-live="polite">${
      sofar.criticalZero ? gettext("A critical item scored 0: this review will not pass.")
        : sofar.complete ? interpolate(gettext("Score %(score)s: %(verdict)s"), { score: sofar.score, verdict: sofar.failing ? gettext("not passed") : gettext("passed") })
          : gettext("Score every item to see the result.")}</p>` : null}
    ${sofar && sofar.failing ? html`<${SupervisionChoice} />` : null}
    ${error ? html`<p class="field-error" role="alert">${error}</p>` : null}
    <button class="btn btn-primary" type="submit" id="qa-submit" disabled=${busy}>${gettext("Submit the review (final)")}</button>
  </form>`;
}

export function ReviewView({ detail, busy, error, submit }) {
  return html`<article>
    <h2 class="sv-section-title">${interpolate(gettext("Conversation %(id)s"), { id: detail.review.conversation })}
      · ${reasonLabel(detail.reason)} · ${interpolate(gettext("risk level %(level)s"), { level: detail.risk_level })}</h2>
    <div class="qa-columns">
      <section><h3>${gettext("Transcript (masked)")}</h3>
        ${detail.review.status === "submitted" ? null : html`<p class="field-hint">${gettext("You may mark lines as good or poor examples for training; they are saved with the review.")}</p>`}
        <${Transcript} key=${detail.review.review} lines=${detail.transcript} examples=${detail.review.examples} editable=${detail.review.status !== "submitted"} /></section>
      <section><${Side} detail=${detail} /></section>
    </div>
    <${Rubric} key=${detail.review.review} detail=${detail} busy=${busy} error=${error} submit=${submit} />
  </article>`;
}
