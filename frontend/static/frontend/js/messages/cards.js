// One card per left message (issue 9): the risk first and loud, what the youth wrote, the
// contact (only for whoever claimed it, and supervisors), who claimed and handled it when, and
// the buttons this person may use now. The handling form opens inside the card.

import { gettext, interpolate } from "../i18n.js";
import { html } from "../shared/preact.js";
import { RiskBadge, TopicBadge } from "../shared/labels.js";
import { formatDateTime, formatDuration } from "../shared/format.js";

export const NOTE_MAX = 2000; // the server's limit (chat/left_message_schemas.py)
export const OUTCOMES = ["called_back", "follow_up", "unreachable", "no_contact"];
// A call back and a follow-up need words for whoever picks it up next (the server says so too).
export const NOTE_REQUIRED = ["called_back", "follow_up"];

export function outcomeLabel(outcome) {
  return (
    {
      called_back: gettext("Called back"),
      follow_up: gettext("Turned into a follow-up"),
      unreachable: gettext("Could not reach them"),
      no_contact: gettext("No contact given"),
    }[outcome] || outcome || ""
  );
}

function reasonLabel(reason) {
  return (
    {
      outside_hours: gettext("Left outside service hours"),
      wait_too_long: gettext("Left after a long wait"),
      nobody_online: gettext("Left when nobody was online"),
    }[reason] || ""
  );
}

/** What this person may do with the message now: the server decides, this only avoids dead buttons. */
export function allowedActions(row, role) {
  if (row.handled_at) return [];
  const supervisor = role === "supervisor";
  if (!row.claimed_by) return supervisor ? ["claim", "handle"] : ["claim"];
  if (row.claimed_by_me) return ["handle", "release"];
  return supervisor ? ["take_over", "handle"] : [];
}

function Contact({ row }) {
  if (row.contact) {
    return html`<p class="lm-contact"><span class="lm-label">${gettext("Contact:")}</span> <b class="lm-contact-value">${row.contact}</b></p>`;
  }
  if (row.has_contact) return html`<p class="lm-contact lm-muted">${gettext("A contact was given: it is shown once you claim the message.")}</p>`;
  return html`<p class="lm-contact lm-muted">${gettext("No contact given.")}</p>`;
}

function Claim({ row }) {
  if (!row.claimed_by) return html`<p class="lm-claim lm-muted">${gettext("Nobody has claimed it yet.")}</p>`;
  const text = row.claimed_by_me
    ? interpolate(gettext("You claimed it, %(time)s."), { time: formatDateTime(row.claimed_at) })
    : interpolate(gettext("Claimed by %(name)s, %(time)s."), { name: row.claimed_by, time: formatDateTime(row.claimed_at) });
  return html`<p class=${row.claimed_by_me ? "lm-claim is-mine" : "lm-claim"}>${text}</p>`;
}

function Handled({ row }) {
  if (!row.handled_at) return null;
  return html`<div class="lm-handled">
    <p class="lm-outcome"><b>${outcomeLabel(row.outcome)}</b> · ${interpolate(gettext("handled by %(name)s, %(time)s"), {
      name: row.handled_by || gettext("an account since removed"),
      time: formatDateTime(row.handled_at),
    })}</p>
    ${row.note ? html`<p class="lm-note">${row.note}</p>` : null}
  </div>`;
}

function HandleForm({ row, error, busy, onSubmit, onCancel }) {
  const formId = `lm-handle-${row.left_message}`;
  function submit(event) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    onSubmit({ outcome: data.get("outcome") || "", note: String(data.get("note") || "") });
  }
  return html`<form class="lm-handle-form" id=${formId} onSubmit=${submit} novalidate>
    <fieldset class="lm-outcomes">
      <legend class="field-label">${gettext("What happened")}</legend>
      ${OUTCOMES.map(
        (outcome) => html`<label class="lm-outcome-choice">
          <input type="radio" name="outcome" value=${outcome} required />
          <span>${outcomeLabel(outcome)}</span>
        </label>`,
      )}
    </fieldset>
    <div class="field">
      <label class="field-label" for=${`${formId}-note`}>${gettext("Call-back note")}</label>
      <textarea class="input textarea" id=${`${formId}-note`} name="note" rows="3" maxlength=${String(NOTE_MAX)}
        placeholder=${gettext("What was said, and what happens next")}></textarea>
      <p class="field-hint">${gettext("Required for a call back and a follow-up.")}</p>
    </div>
    <p class="form-error" role="alert">${error || ""}</p>
    <div class="lm-actions">
      <button class="btn btn-primary btn-small" type="submit" disabled=${busy}>${gettext("Save and mark as handled")}</button>
      <button class="btn btn-quiet btn-small" type="button" onClick=${onCancel}>${gettext("Cancel")}</button>
    </div>
  </form>`;
}

/** The handling form's fields as the request body, or `{problem}` to show instead of sending. */
export function handlingBody(row, { outcome, note }) {
  if (!OUTCOMES.includes(outcome)) return { problem: gettext("Please choose what happened.") };
  const text = note.trim();
  if (text.length > NOTE_MAX) {
    return { problem: interpolate(gettext("The note may hold at most %(n)s characters."), { n: NOTE_MAX }) };
  }
  if (!text && NOTE_REQUIRED.includes(outcome)) {
    return { problem: gettext("Please write in the note what was said or what the follow-up is.") };
  }
  return { body: { left_message: row.left_message, outcome, note: text } };
}

export function LeftMessageCard({ row, role, editing, error, busy, on }) {
  const level = row.risk_level || 0;
  const ago = (Date.now() - new Date(row.left_at).getTime()) / 1000;
  const actions = allowedActions(row, role);
  const button = (action, label, kind) =>
    html`<button class=${`btn ${kind} btn-small`} type="button" data-action=${action} disabled=${busy}
      onClick=${() => on[action](row)}>${label}</button>`;
  const classes = ["lm-card", `lm-risk-${Math.min(level, 4)}`];
  if (row.claimed_by_me && !row.handled_at) classes.push("is-mine");
  if (row.handled_at) classes.push("is-handled");
  return html`<article class=${classes.join(" ")} data-left-message=${String(row.left_message)}
      aria-label=${interpolate(gettext("Left message #%(id)s"), { id: row.left_message })}>
    <header class="lm-card-head">
      <${RiskBadge} level=${level} fallback=${html`<span class="badge lm-no-risk">${gettext("No risk found")}</span>`} />
      ${level >= 3 ? html`<strong class="lm-urgent">${gettext("Risk to life: read and act first")}</strong>` : null}
      <${TopicBadge} topic=${row.topic} />
      <span class="lm-when">${interpolate(gettext("Left %(time)s (%(ago)s ago)"), {
        time: formatDateTime(row.left_at),
        ago: formatDuration(ago),
      })}</span>
      <span class="lm-reason">${reasonLabel(row.reason)}</span>
    </header>
    ${row.text
      ? html`<blockquote class="lm-text">${row.text}</blockquote>`
      : html`<p class="lm-text lm-muted">${gettext("The text was deleted when its retention period ended.")}</p>`}
    <${Contact} row=${row} />
    <${Claim} row=${row} />
    <${Handled} row=${row} />
    ${editing
      ? html`<${HandleForm} row=${row} error=${error} busy=${busy} onSubmit=${(fields) => on.submit(row, fields)}
          onCancel=${() => on.cancel(row)} />`
      : html`${error ? html`<p class="form-error" role="alert">${error}</p>` : null}
        ${actions.length
          ? html`<div class="lm-actions">
              ${actions.includes("claim") ? button("claim", gettext("Claim"), "btn-primary") : null}
              ${actions.includes("take_over") ? button("take_over", gettext("Take over"), "btn-secondary") : null}
              ${actions.includes("handle") ? button("handle", gettext("Record what was done"), row.claimed_by_me ? "btn-primary" : "btn-secondary") : null}
              ${actions.includes("release") ? button("release", gettext("Release"), "btn-quiet") : null}
            </div>`
          : null}`}
  </article>`;
}
