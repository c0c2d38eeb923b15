// One case (issue 11): what it is, its deadlines, the contact (only for the centre working it),
// the timeline, and a button for each event the state machine allows this person now. An event
// that needs words opens its small form under the buttons; the server checks everything again.

import { gettext, interpolate } from "../i18n.js";
import { html } from "../shared/preact.js";
import { formatDateTime } from "../shared/format.js";
import {
  actionLabel,
  callbackLabel,
  categoryLabel,
  contactMethodLabel,
  eventLabel,
  outcomeLabel,
  priorityLabel,
  statusLabel,
  verbLabel,
} from "./labels.js";

export const NOTE_MAX = 2000;
const DIRECT = ["accept"]; // no form: one click
const PRIMARY = ["dispatch", "accept", "resolve", "callback", "close"];

export function FlagBadge({ row }) {
  if (row.flag === "overdue") {
    const which = row.deadline === "accept" ? gettext("Not accepted in time") : gettext("Past its deadline");
    return html`<span class="badge cs-flag cs-flag-overdue">⚠ ${which}</span>`;
  }
  if (row.flag === "near") return html`<span class="badge cs-flag cs-flag-near">${gettext("Deadline near")}</span>`;
  return null;
}

export function PriorityBadge({ priority }) {
  return html`<span class=${`badge cs-priority cs-priority-${priority}`}>${priorityLabel(priority)}</span>`;
}

function Field({ label, children }) {
  return html`<div class="cs-fact"><dt>${label}</dt><dd>${children}</dd></div>`;
}

function TimelineItem({ entry, matterNames }) {
  const bits = [];
  if (entry.action_kind && !entry.detail.fields_by_counselor) bits.push(actionLabel(entry.action_kind));
  if (entry.matter_kind) bits.push(matterNames[entry.matter_kind] || entry.matter_kind_name || entry.matter_kind);
  if (entry.kind === "dispatch" && entry.detail.name) bits.push(interpolate(gettext("to %(name)s"), { name: entry.detail.name }));
  if (entry.kind === "resolve" && entry.detail.outcome) bits.push(outcomeLabel(entry.detail.outcome));
  if (entry.kind === "callback" && entry.detail.result) bits.push(callbackLabel(entry.detail.result));
  if (entry.kind === "escalate") bits.push(interpolate(gettext("now held at %(code)s"), { code: entry.detail.to }));
  if (entry.kind === "close" && entry.detail.in_time !== undefined) {
    bits.push(entry.detail.in_time ? gettext("in time") : gettext("late"));
  }
  if (entry.detail.fields_by_counselor) bits.push(gettext("the counselor's case details"));
  return html`<li class=${`cs-event cs-event-${entry.kind}`}>
    <div class="cs-event-head">
      <b>${eventLabel(entry.kind)}</b>${bits.length ? html` · <span>${bits.join(" · ")}</span>` : null}
    </div>
    <div class="cs-event-meta">${formatDateTime(entry.at)} · ${entry.actor || gettext("the system")}</div>
    ${entry.note ? html`<p class="cs-event-note">${entry.note}</p>` : null}
  </li>`;
}

function Select({ name, label, options, required = true }) {
  return html`<label class="field"><span class="field-label">${label}</span>
    <select class="select" name=${name} required=${required}>
      <option value="">${gettext("Choose…")}</option>
      ${options.map(([value, text]) => html`<option value=${value}>${text}</option>`)}
    </select></label>`;
}

function Note({ label, required = false, name = "note" }) {
  return html`<label class="field"><span class="field-label">${label}${required ? " *" : ""}</span>
    <textarea class="input textarea" name=${name} rows="3" maxlength=${String(NOTE_MAX)} required=${required}></textarea></label>`;
}

/** The fields of an event's form; each returns the request body from the form's data, or a problem. */
const FORMS = {
  dispatch: {
    fields: ({ targets }) => html`${targets.length
      ? html`<${Select} name="centre" label=${gettext("To which centre")}
          options=${targets.map((c) => [String(c.id), `${c.name} · ${c.region_name}`])} />`
      : html`<p class="form-error">${gettext("No active centre to dispatch it to. Ask an administrator to add one.")}</p>`}
      <${Note} label=${gettext("A note for the centre (optional)")} />`,
    body: (d) => (d.get("centre") ? { centre: Number(d.get("centre")), note: d.get("note") } : { problem: gettext("Please choose a centre.") }),
  },
  return: {
    fields: () => html`<${Note} name="reason" label=${gettext("Why you return it")} required=${true} />`,
    body: (d) => (String(d.get("reason")).trim() ? { reason: d.get("reason") } : { problem: gettext("Please write why.") }),
  },
  action: {
    fields: ({ matterKinds }) => html`<${Select} name="action_kind" label=${gettext("What was done")}
        options=${["call", "visit", "meeting", "note", "hand_off"].map((k) => [k, actionLabel(k)])} />
      <${Select} name="matter_kind" label=${gettext("Handed over: which matter (only for a hand-over)")} required=${false}
        options=${matterKinds.map((m) => [m.code, m.name])} />
      <${Note} label=${gettext("What happened")} />`,
    body: (d) => {
      const kind = d.get("action_kind");
      if (!kind) return { problem: gettext("Please choose what was done.") };
      if (kind === "hand_off" && !d.get("matter_kind")) return { problem: gettext("Please choose the matter handed over.") };
      if (kind === "note" && !String(d.get("note")).trim()) return { problem: gettext("Please write the note.") };
      return { action_kind: kind, matter_kind: kind === "hand_off" ? d.get("matter_kind") : "", note: d.get("note") };
    },
  },
  resolve: {
    fields: () => html`<${Select} name="outcome" label=${gettext("Outcome")}
        options=${["settled", "handed_over", "unreachable", "declined", "other"].map((o) => [o, outcomeLabel(o)])} />
      <${Note} label=${gettext("What was settled")} />`,
    body: (d) => (d.get("outcome") ? { outcome: d.get("outcome"), note: d.get("note") } : { problem: gettext("Please choose the outcome.") }),
  },
  callback: {
    fields: () => html`<${Select} name="result" label=${gettext("What the youth said")}
        options=${["satisfied", "not_satisfied", "unreachable"].map((r) => [r, callbackLabel(r)])} />
      <${Note} label=${gettext("Note (optional)")} />`,
    body: (d) => (d.get("result") ? { result: d.get("result"), note: d.get("note") } : { problem: gettext("Please choose the result.") }),
  },
  close: {
    fields: ({ detail }) => html`${detail.callback_result === "satisfied"
        ? null
        : html`<p class="field-hint">${gettext("No satisfied call-back is recorded: write why it is closed (the youth did not agree to be contacted, could not be reached, ...).")}</p>`}
      <${Note} name="reason" label=${gettext("Reason")} required=${detail.callback_result !== "satisfied"} />
      <label class="checkbox"><input type="checkbox" name="shareable" /> ${gettext("Its material may be shared outward, de-identified")}</label>`,
    body: (d) => ({ reason: d.get("reason") || "", shareable: d.get("shareable") === "on" }),
  },
  reopen: {
    fields: () => html`<${Note} name="reason" label=${gettext("Why it is reopened")} required=${true} />`,
    body: (d) => (String(d.get("reason")).trim() ? { reason: d.get("reason") } : { problem: gettext("Please write why.") }),
  },
  mark_key: {
    fields: ({ supervisors }) => html`<${Select} name="supervisor" label=${gettext("Followed by which supervisor")}
        options=${supervisors.map((s) => [String(s.id), s.name])} />
      <${Note} label=${gettext("Note (optional)")} />`,
    body: (d) => (d.get("supervisor") ? { supervisor: Number(d.get("supervisor")), note: d.get("note") } : { problem: gettext("Please choose a supervisor.") }),
  },
  share: {
    fields: () => html`<${Note} label=${gettext("Where it was shared, de-identified")} />`,
    body: (d) => ({ note: d.get("note") }),
  },
  urge: {
    fields: () => html`<${Note} label=${gettext("A word for the centre (optional)")} />`,
    body: (d) => ({ note: d.get("note") }),
  },
};

export function formBody(event, data) {
  const made = FORMS[event].body(data);
  if (made.problem) return made;
  for (const key of ["note", "reason"]) {
    if (typeof made[key] === "string" && made[key].length > NOTE_MAX) {
      return { problem: interpolate(gettext("At most %(n)s characters, please."), { n: NOTE_MAX }) };
    }
  }
  return { body: made };
}

export function CaseDetail({ detail, me, targets, form, error, busy, on }) {
  const row = detail.case;
  const matterNames = Object.fromEntries(me.matter_kinds.map((m) => [m.code, m.name]));
  const contact = detail.consent_to_contact
    ? html`${contactMethodLabel(detail.contact_method)}${detail.contact
        ? html` · <b class=${detail.contact_shown ? "cs-contact" : "cs-contact is-masked"}>${detail.contact}</b>`
        : null}${detail.contact_shown ? null : html` <span class="cs-muted">(${gettext("shown only to the centre working it")})</span>`}`
    : gettext("The youth did not agree to be contacted");
  function submit(event) {
    event.preventDefault();
    on.submit(form, new FormData(event.currentTarget));
  }
  return html`<article class="cs-detail" aria-labelledby="cs-detail-title" data-case=${String(row.id)}>
    <header class="cs-detail-head">
      <h2 class="cs-detail-title" id="cs-detail-title">${row.reference}</h2>
      <span class=${`badge cs-status cs-status-${row.status}`}>${statusLabel(row.status)}</span>
      <${PriorityBadge} priority=${row.priority} />
      <${FlagBadge} row=${row} />
      ${row.is_key ? html`<span class="badge cs-key">★ ${gettext("Key case")}</span>` : null}
      ${row.high_risk ? html`<span class="badge cs-risk">${gettext("High risk")}</span>` : null}
    </header>
    <p class="cs-summary">${detail.summary}</p>
    <dl class="cs-facts">
      <${Field} label=${gettext("Category")}>${categoryLabel(row.category)}</${Field}>
      <${Field} label=${gettext("Youth's region")}>${row.region_name}</${Field}>
      <${Field} label=${gettext("Held at")}>${detail.holder_region_name}</${Field}>
      <${Field} label=${gettext("Centre")}>${row.centre || "—"}</${Field}>
      <${Field} label=${gettext("Opened")}>${formatDateTime(row.opened_at)}</${Field}>
      <${Field} label=${gettext("To be accepted by")}>${row.accept_due_at ? formatDateTime(row.accept_due_at) : "—"}</${Field}>
      <${Field} label=${gettext("To be resolved by")}>${formatDateTime(row.due_at)}</${Field}>
      <${Field} label=${gettext("Contact")}>${contact}</${Field}>
      ${detail.key_supervisor ? html`<${Field} label=${gettext("Followed by")}>${detail.key_supervisor}</${Field}>` : null}
      ${detail.outcome ? html`<${Field} label=${gettext("Outcome")}>${outcomeLabel(detail.outcome)}</${Field}>` : null}
      ${detail.callback_result ? html`<${Field} label=${gettext("Call-back")}>${callbackLabel(detail.callback_result)}</${Field}>` : null}
      ${detail.referral ? html`<${Field} label=${gettext("Referral's handover")}>${detail.referral.handed_over}</${Field}>` : null}
    </dl>
    ${detail.allowed.length
      ? html`<div class="cs-actions" role="group" aria-label=${gettext("What you can do now")}>
          ${detail.allowed.map((event) => html`<button type="button" data-event=${event} disabled=${busy}
              class=${`btn btn-small ${form === event ? "btn-primary" : PRIMARY.includes(event) ? "btn-primary" : "btn-secondary"}`}
              aria-expanded=${DIRECT.includes(event) ? undefined : String(form === event)}
              onClick=${() => (DIRECT.includes(event) ? on.direct(event) : on.open(event))}>${verbLabel(event)}</button>`)}
        </div>`
      : html`<p class="cs-muted cs-readonly">${gettext("Nothing for you to do on this case now.")}</p>`}
    ${form
      ? html`<form class="cs-form" id="cs-form" data-form=${form} onSubmit=${submit} novalidate>
          <h3 class="cs-form-title">${verbLabel(form)}</h3>
          ${FORMS[form].fields({ detail, targets, matterKinds: me.matter_kinds, supervisors: me.supervisors })}
          <p class="form-error" role="alert">${error || ""}</p>
          <div class="cs-form-buttons">
            <button class="btn btn-primary btn-small" type="submit" disabled=${busy}>${gettext("Save")}</button>
            <button class="btn btn-quiet btn-small" type="button" onClick=${on.cancel}>${gettext("Cancel")}</button>
          </div>
        </form>`
      : error ? html`<p class="form-error" role="alert">${error}</p>` : null}
    <section class="cs-timeline" aria-labelledby="cs-timeline-title">
      <h3 class="cs-section-title" id="cs-timeline-title">${gettext("Timeline")}</h3>
      <ol class="cs-events">${detail.timeline.map((entry) => html`<${TimelineItem} key=${entry.id} entry=${entry} matterNames=${matterNames} />`)}</ol>
    </section>
  </article>`;
}
