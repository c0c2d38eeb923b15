// The wrap-up a counselor writes for every conversation: in the dialog when
// they end it, or in the panel when the young person ended it first.

import { gettext, interpolate } from "../i18n.js";
import { $, $$ } from "../shared/dom.js";
import { LIMITS } from "../shared/service.js";

let uniqueCounter = 0;
/** Give a cloned form's fields unique ids and point their labels at them. */
export function linkLabels(root) {
  uniqueCounter += 1;
  for (const field of $$("[data-id]", root)) field.id = `${field.dataset.id}-${uniqueCounter}`;
  for (const label of $$("label[data-for]", root)) label.htmlFor = `${label.dataset.for}-${uniqueCounter}`;
}

export function wrapupError(form) {
  return $('[data-role="wrapup-error"]', form);
}

/** Read and check a wrap-up form; returns the WRAPUP or null after showing what is missing. */
export function readWrapup(form) {
  const error = wrapupError(form);
  error.textContent = "";
  const category = form.elements.category.value;
  const risk = form.querySelector('input[name="risk_level"]:checked');
  const summary = form.elements.summary.value.trim();
  for (const field of [form.elements.category, form.elements.summary]) field.removeAttribute("aria-invalid");
  const missing = [];
  if (!category) {
    missing.push(gettext("a category"));
    form.elements.category.setAttribute("aria-invalid", "true");
  }
  if (!risk) missing.push(gettext("a risk level"));
  if (!summary) {
    missing.push(gettext("a summary"));
    form.elements.summary.setAttribute("aria-invalid", "true");
  }
  if (missing.length) {
    error.textContent = interpolate(gettext("Please add %(missing)s."), { missing: missing.join(gettext(", ")) });
    return null;
  }
  return {
    category,
    risk_level: Number(risk.value),
    summary: summary.slice(0, LIMITS.summary),
    needs_followup: form.elements.needs_followup.checked,
  };
}

/** Empty the form, preselect the risk level seen so far. */
export function prepareWrapupForm(form, defaultRisk) {
  form.reset();
  const risk = form.querySelector(`input[name="risk_level"][value="${defaultRisk || 0}"]`);
  if (risk) risk.checked = true;
  $('[data-role="summary-count"]', form).textContent = `0 / ${LIMITS.summary}`;
  wrapupError(form).textContent = "";
}

export function wireSummaryCounter(form) {
  const counter = $('[data-role="summary-count"]', form);
  form.elements.summary.addEventListener("input", () => {
    counter.textContent = `${form.elements.summary.value.length} / ${LIMITS.summary}`;
  });
}

/** Submit a form's wrap-up with `send`, the button disabled meanwhile; errors shown in the form. */
export async function submitWrapup(form, send, describe) {
  const wrapup = readWrapup(form);
  if (!wrapup) return false;
  const submit = form.querySelector('button[type="submit"]');
  submit.disabled = true;
  try {
    await send(wrapup);
    return true;
  } catch (problem) {
    wrapupError(form).textContent = describe(problem);
    return false;
  } finally {
    submit.disabled = false;
  }
}

// ── the follow-up case (cases/): what the counselor knows, posted after the wrap-up is saved ──

/** Show the case fields while "needs follow-up" is ticked, the contact while consent is. */
export function wireCaseFields(form) {
  const fields = $('[data-role="case-fields"]', form);
  if (!fields) return;
  const contact = $('[data-role="case-contact"]', form);
  const sync = () => {
    fields.hidden = !form.elements.needs_followup.checked;
    contact.hidden = !form.elements.case_consent.checked;
  };
  form.elements.needs_followup.addEventListener("change", sync);
  form.elements.case_consent.addEventListener("change", sync);
  form.addEventListener("reset", () => setTimeout(sync, 0));
  sync();
}

/**
 * The case fields of a wrap-up form: null when no follow-up is asked (or the page does not ask
 * for them), `{problem}` to show instead of submitting, or `{fields}` to post after the wrap-up.
 */
export function readCaseFields(form) {
  const box = $('[data-role="case-fields"]', form);
  if (!box || box.hidden || !form.elements.needs_followup.checked) return null;
  const category = form.elements.case_category.value; // "": as the wrap-up's category says
  const consent = form.elements.case_consent.checked;
  const method = consent ? form.elements.case_contact_method.value : "none";
  const contact = consent && method !== "in_app" ? form.elements.case_contact.value.trim() : "";
  if (consent && method !== "in_app" && !contact) {
    return { problem: gettext("Please add the phone number or WeChat id the young person gave.") };
  }
  // Nothing checked: as the wrap-up's risk level says (0).
  const priority = Number((form.querySelector('input[name="case_priority"]:checked') || { value: "0" }).value);
  if (!category && !priority && !consent) return null; // nothing to add to the case the wrap-up opens
  return { fields: { category, priority, consent_to_contact: consent, contact_method: method, contact: contact.slice(0, 100) } };
}

/** Post the case fields for a conversation whose wrap-up was saved (the case opens once). */
export function sendCaseFields(session, conversationId, fields) {
  return session.fetch("/cases/from-wrapup", { method: "POST", body: { conversation: conversationId, ...fields } });
}
