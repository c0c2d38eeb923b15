// The safety response: when a message shows a risk to life (level 3 or 4), the page says at
// once, calmly, that someone is being brought in, and shows the numbers to call as
// tap-to-call links; at level 4 also what to do right now. The texts are the helpline's
// (helpline.SafetyText, in the page from the start); the server only says which level.
// Once shown it stays for the rest of the visit, on every screen: the youth may hide the
// text, never the numbers.

import { gettext } from "../i18n.js";
import { $, $$ } from "../shared/dom.js";
import { state } from "./context.js";

const panel = $("#safety-panel");
const toggle = $("#safety-toggle");
const texts = $("#safety-texts");

function setExpanded(expanded) {
  texts.hidden = !expanded;
  panel.classList.toggle("is-folded", !expanded); // folded: the numbers only
  toggle.setAttribute("aria-expanded", String(expanded));
  toggle.textContent = expanded ? gettext("Hide the text, keep the numbers") : gettext("Show the text again");
}

/** The highest configured text at or below `level`. */
function textFor(level) {
  let chosen = null;
  for (const text of $$(".safety-text", panel)) {
    const own = Number(text.dataset.level);
    if (own <= level && (!chosen || own > Number(chosen.dataset.level))) chosen = text;
  }
  return chosen;
}

/** Show the safety response of `level`; `live`: it was just found (not restored by a reload). */
export function showSafety(level, { live = false } = {}) {
  if (!panel || typeof level !== "number" || level < 3) return;
  const previous = state.safetyLevel || 0;
  if (level <= previous) return; // shown already, at this level or higher
  state.safetyLevel = level;
  panel.dataset.level = String(level);
  const chosen = textFor(level);
  const shownLevel = chosen ? chosen.dataset.level : null;
  for (const part of $$(".safety-text, .safety-title", panel)) part.hidden = part.dataset.level !== shownLevel;
  const heading = shownLevel && $(`.safety-title[data-level="${shownLevel}"]`, panel);
  if (heading) panel.setAttribute("aria-labelledby", heading.id);
  // A higher level opens the text again, even if the youth had hidden it.
  setExpanded(true);
  panel.hidden = false;
  // Said by screen readers without moving the focus away from what the youth is writing.
  panel.setAttribute("role", "alert");
  // A phone buzzes once when it is found now (a reload restoring it stays quiet).
  if (live && navigator.vibrate) navigator.vibrate(120);
}

toggle.addEventListener("click", () => setExpanded(texts.hidden));

/** Someone is with the youth now: the text folds away (the numbers stay) to leave room to talk. */
export function foldSafety() {
  if (panel && !panel.hidden) setExpanded(false);
}
