// "I'm worried about this youth": the counselor's own crisis alert (`crisis.raise`).
// It reads no detector, so it works while the detector is down; started from the
// panel's button, or from one of the youth's messages (then `seq` names it).

import { gettext, interpolate } from "../i18n.js";
import { $ } from "../shared/dom.js";
import { toast } from "../shared/toast.js";
import { categoryLabel, riskLabel } from "../shared/labels.js";
import { describeFailure } from "./actions.js";

const NOTE_MAX = 1000;

export function worryActions(client) {
  const dialog = $("#worry-dialog");
  const form = $(".worry-form", dialog);
  const quote = $("#worry-quote", dialog);
  const error = $("#worry-error", dialog);
  const submit = form.querySelector('button[type="submit"]');
  let current = null; // {conv, seq}

  $('[data-action="cancel"]', dialog).addEventListener("click", () => dialog.close("cancel"));

  /** Open the form for `conv`, about the youth's message `message` ({seq, text}) when given. */
  function open(conv, message = null) {
    current = { conv, seq: message ? message.seq : null };
    quote.hidden = !message;
    quote.textContent = message ? `“${message.text}”` : "";
    form.elements.category.value = conv.lastCategory || "suicide";
    const level = String(Math.min(4, Math.max(2, conv.risk || 0)));
    for (const radio of form.querySelectorAll('input[name="level"]')) radio.checked = radio.value === level;
    form.elements.note.value = "";
    error.textContent = "";
    submit.disabled = false;
    dialog.showModal();
    form.elements.category.focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!current) return;
    const { conv, seq } = current;
    const checked = form.querySelector('input[name="level"]:checked');
    if (!checked) {
      error.textContent = gettext("Please choose how serious it is.");
      return;
    }
    const note = form.elements.note.value.trim();
    if (note.length > NOTE_MAX) {
      error.textContent = interpolate(gettext("The note is too long (%(max)s characters at most)."), { max: NOTE_MAX });
      return;
    }
    const frame = { type: "crisis.raise", conversation: conv.id, category: form.elements.category.value, level: Number(checked.value) };
    if (note) frame.note = note;
    if (seq) frame.seq = seq;
    submit.disabled = true;
    error.textContent = "";
    try {
      await client.request(frame, { expect: "crisis.raise.ok", match: (f) => f.conversation === conv.id });
      dialog.close("ok");
      conv.lastCategory = frame.category;
      toast(gettext("Supervisors have been alerted."));
      conv.view.addNotice(interpolate(gettext("You alerted the supervisors: %(category)s, level %(level)s (%(label)s)."), {
        category: categoryLabel(frame.category), level: frame.level, label: riskLabel(frame.level),
      }));
    } catch (problem) {
      // The dialog stays open with what was typed: the counselor can try again at once.
      error.textContent = describeFailure(problem);
    } finally {
      submit.disabled = false;
    }
  });

  return { open };
}
