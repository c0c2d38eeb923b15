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
