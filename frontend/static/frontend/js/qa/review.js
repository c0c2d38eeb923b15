// The parts of the quality inspection page: the list of my reviews, the figures of the month,
// and one review (masked transcript, wrap-up, alerts, pre-screen, survey, rubric form).

import { gettext, interpolate } from "../i18n.js";
import { html } from "../shared/preact.js";
import { formatDateTime, formatDuration } from "../shared/format.js";

const SCALE = [0, 1, 2, 3, 4];

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

function Transcript({ lines }) {
  if (!lines.length) return html`<p class="sv-empty">${gettext("No messages (deleted after the retention period, or none written).")}</p>`;
  return html`<ol class="qa-transcript" id="qa-transcript">${lines.map(
    (line) => html`<li key=${line.seq} class=${`qa-line qa-line--${line.role}`}><small>${roleLabel(line.role)} ${formatDateTime(line.at)}</small>${line.text}</li>`,
  )}</ol>`;
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
  return { body: { review: detail.review.review, scores, comment: String(data.get("comment") || "").trim() } };
}

function Rubric({ detail, busy, error, submit }) {
  const review = detail.review;
  if (review.status === "submitted") {
    return html`<section class="qa-panel" id="qa-result"><h3>${interpolate(gettext("Grade %(grade)s, score %(score)s"), { grade: review.grade, score: review.score })}</h3>
      <p>${review.passed ? gettext("Passed.") : gettext("Not passed.")} ${review.critical_failed ? gettext("A critical item was not done.") : ""}</p>
      <p>${review.comment}</p></section>`;
  }
  return html`<form class="qa-rubric" id="qa-rubric" onSubmit=${(event) => { event.preventDefault(); submit(event.currentTarget); }}>
    <h3>${interpolate(gettext("Rubric, version %(version)s"), { version: review.rubric_version })}</h3>
    <p class="field-hint">${gettext("0: not done, 1: poor, 2: partly, 3: good, 4: excellent. A critical item scored 0 fails the review.")}</p>
    ${detail.items.map((item) => html`<fieldset key=${item.key} data-item=${item.key}>
      <legend><b>${item.title}</b> ${item.critical ? html`<span class="badge badge--risk-3">${gettext("critical")}</span>` : null}</legend>
      <p class="field-hint">${item.description}</p>
      <div class="qa-scale">${SCALE.map((n) => html`<label><input type="radio" name=${`score-${item.key}`} value=${n} required /> ${n}</label>`)}</div>
      <textarea name=${`comment-${item.key}`} maxlength="2000" aria-label=${interpolate(gettext("Comment on “%(item)s”"), { item: item.title })}></textarea>
    </fieldset>`)}
    <label>${gettext("Overall comment")}<textarea name="comment" maxlength="2000"></textarea></label>
    ${error ? html`<p class="field-error" role="alert">${error}</p>` : null}
    <button class="btn btn-primary" type="submit" id="qa-submit" disabled=${busy}>${gettext("Submit the review (final)")}</button>
  </form>`;
}

export function ReviewView({ detail, busy, error, submit }) {
  return html`<article>
    <h2 class="sv-section-title">${interpolate(gettext("Conversation %(id)s"), { id: detail.review.conversation })}
      · ${reasonLabel(detail.reason)} · ${interpolate(gettext("risk level %(level)s"), { level: detail.risk_level })}</h2>
    <div class="qa-columns">
      <section><h3>${gettext("Transcript (masked)")}</h3><${Transcript} lines=${detail.transcript} /></section>
      <section><${Side} detail=${detail} /></section>
    </div>
    <${Rubric} detail=${detail} busy=${busy} error=${error} submit=${submit} />
  </article>`;
}
