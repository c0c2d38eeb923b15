// The parts of "My reviews" (issue 10), a counselor's own quality reviews: the list, and one
// review with its item scores, the lines the reviewer pointed out, the supervision session if
// one is asked for, and the one reply. Feedback to a volunteer: said plainly and kindly.

import { gettext, interpolate } from "../i18n.js";
import { html } from "../shared/preact.js";
import { formatDateTime } from "../shared/format.js";
import { topicLabel } from "../shared/labels.js";

export const REPLY_MAX = 2000;

/** "2026-12-20" in the page's language, as a day (no time zone shift). */
export function formatDay(day) {
  const [y, m, d] = String(day || "").split("-").map(Number);
  if (!y || !m || !d) return day || "";
  return new Date(y, m - 1, d).toLocaleDateString(document.documentElement.lang || undefined, {
    year: "numeric", month: "long", day: "numeric",
  });
}

function Grade({ row }) {
  return html`<span class=${`fb-grade fb-grade--${row.passed ? "pass" : "fail"}`}>${row.grade}</span>`;
}

function passedText(row) {
  return row.passed ? gettext("Passed") : gettext("Not passed this time");
}

function scoreText(row) {
  return row.score === null || row.score === undefined ? "–" : interpolate(gettext("%(score)s points"), { score: row.score });
}

export function ReviewList({ rows, chosen, choose }) {
  if (!rows) return null;
  if (!rows.length) {
    return html`<p class="sv-empty" id="fb-empty">${gettext("No reviews yet. When a supervisor reviews one of your conversations, it appears here.")}</p>`;
  }
  return html`<ol>${rows.map(
    (row) => html`<li key=${row.review}>
      <button class="fb-item" type="button" data-review=${row.review} aria-current=${String(chosen === row.review)} onClick=${() => choose(row)}>
        <${Grade} row=${row} /><b>${scoreText(row)}</b> · ${passedText(row)}
        <br /><small>${topicLabel(row.topic)} · ${row.ended_at ? formatDateTime(row.ended_at) : ""}</small>
        <br /><small>${row.replied_at ? gettext("You replied") : gettext("No reply yet")}${row.supervision && !row.supervision.held_at ? ` · ${gettext("Supervision session to do")}` : ""}</small>
      </button></li>`,
  )}</ol>`;
}

function Summary({ row, double }) {
  const missed = row.scores.filter((s) => s.critical && s.score === 0).map((s) => s.title).join("、");
  return html`<section class="fb-panel" id="fb-summary">
    <div class="fb-summary">
      <${Grade} row=${row} />
      <b>${scoreText(row)}</b>
      <span>${passedText(row)}</span>
    </div>
    <p><small>${interpolate(gettext("%(topic)s · ended %(ended)s · reviewed %(submitted)s"), {
      topic: topicLabel(row.topic),
      ended: row.ended_at ? formatDateTime(row.ended_at) : "",
      submitted: row.submitted_at ? formatDateTime(row.submitted_at) : "",
    })}</small></p>
    ${double ? html`<p><small>${gettext("Two supervisors reviewed this conversation independently; this is one of the two reviews.")}</small></p>` : null}
    ${row.critical_failed ? html`<p class="fb-critical" id="fb-critical">${interpolate(
      gettext("Something key was not done in this conversation (%(items)s). Key items matter most for a young person's safety, so the review does not pass whatever the score. The notes below say what to try next time."),
      { items: missed || gettext("key item") },
    )}</p>` : null}
    ${row.comment ? html`<h3>${gettext("The reviewer's comment")}</h3><p class="fb-comment">${row.comment}</p>` : null}
  </section>`;
}

function Scores({ scores }) {
  if (!scores.length) return null;
  return html`<section class="fb-panel"><h3>${gettext("Scores by item")}</h3>
    <p class="field-hint">${gettext("0 not done · 1 poor · 2 partly · 3 good · 4 excellent")}</p>
    <ul class="fb-scores" id="fb-scores">${scores.map((s) => html`<li key=${s.item}>
      <span>${s.title}${s.critical ? html` <small>(${gettext("key item")})</small>` : null}</span>
      <span class="fb-score">${interpolate(gettext("%(score)s of 4"), { score: s.score })}</span>
      ${s.comment ? html`<span class="fb-score-comment">${s.comment}</span>` : null}
    </li>`)}</ul></section>`;
}

function Examples({ examples }) {
  if (!examples.length) return null;
  const who = (role) => ({ counselor: gettext("You"), youth: gettext("Youth") }[role] || "");
  return html`<section class="fb-panel"><h3>${gettext("Lines the reviewer pointed out")}</h3>
    <ol class="fb-examples" id="fb-examples">${examples.map((e) => html`<li key=${e.seq} class=${`fb-example fb-example--${e.kind}`} data-kind=${e.kind}>
      <span class="fb-example-kind">${e.kind === "good" ? gettext("Done well") : gettext("Could be better")}</span>
      ${e.text ? html`<blockquote><small>${who(e.role)}: </small>${e.text}</blockquote>`
        : html`<blockquote><small>${gettext("(this line was deleted after the retention period)")}</small></blockquote>`}
      ${e.note ? html`<p class="fb-example-note">${interpolate(gettext("Reviewer's note: %(note)s"), { note: e.note })}</p>` : null}
    </li>`)}</ol></section>`;
}

function Supervision({ session }) {
  if (!session) return null;
  if (session.held_at) {
    return html`<section class="fb-panel fb-supervision--held" id="fb-supervision"><h3>${gettext("Supervision session")}</h3>
      <p>${interpolate(gettext("Held on %(date)s."), { date: formatDateTime(session.held_at) })}</p>
      ${session.notes ? html`<p>${session.notes}</p>` : null}</section>`;
  }
  return html`<section class="fb-panel fb-supervision--due" id="fb-supervision"><h3>${gettext("Supervision session")}</h3>
    <p><b>${interpolate(gettext("Please complete it by %(date)s."), { date: formatDay(session.due_on) })}</b></p>
    <p>${gettext("A supervisor will go through this conversation with you. It is a chance to learn together, not a penalty.")}</p>
  </section>`;
}

function Reply({ row, busy, error, send }) {
  if (row.replied_at) {
    return html`<section class="fb-panel fb-reply" id="fb-reply"><h3>${gettext("Your reply")}</h3>
      <p><small>${interpolate(gettext("Sent %(date)s"), { date: formatDateTime(row.replied_at) })}</small></p>
      <p class="fb-reply-text">${row.reply}</p></section>`;
  }
  return html`<form class="fb-panel fb-reply" id="fb-reply-form" onSubmit=${(event) => { event.preventDefault(); send(event.currentTarget); }}>
    <h3><label for="fb-reply-text">${gettext("Your reply")}</label></h3>
    <p class="field-hint">${gettext("You can reply once: thanks, a question, or something the reviewer could not see in the transcript. A reply cannot be changed once sent.")}</p>
    <textarea id="fb-reply-text" name="text" maxlength=${REPLY_MAX} required></textarea>
    ${error ? html`<p class="field-error" role="alert">${error}</p>` : null}
    <button class="btn btn-primary" type="submit" id="fb-send" disabled=${busy}>${gettext("Send reply")}</button>
  </form>`;
}

export function ReviewView({ row, double, busy, error, send }) {
  return html`<article aria-labelledby="fb-detail-title">
    <a class="fb-back" href="#fb-title">${gettext("↑ All my reviews")}</a>
    <h2 class="sv-section-title" id="fb-detail-title">${interpolate(gettext("Review of conversation %(id)s"), { id: row.conversation })}</h2>
    <${Summary} row=${row} double=${double} />
    <${Supervision} session=${row.supervision} />
    <${Scores} scores=${row.scores} />
    <${Examples} examples=${row.examples} />
    <${Reply} row=${row} busy=${busy} error=${error} send=${send} />
  </article>`;
}
