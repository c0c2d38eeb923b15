// Every box people write a message in: the youth's, the counselor's, the
// supervisor's whisper and joined-conversation boxes. Enter sends (never while
// an input method such as pinyin is composing a word), the box grows with its
// text, typing is announced at most every few seconds, and an over-long
// message is refused with a sentence instead of being cut.

import { LIMITS } from "./service.js";
import { toast } from "./toast.js";
import { autoGrow } from "./dom.js";
import { tooLong } from "./errors.js";

const TYPING_EVERY_MS = 3000;

/** True while an input method is composing: Enter then picks a word, it does not send. */
export function isComposing(event) {
  return event.isComposing || event.keyCode === 229;
}

/**
 * @param {HTMLFormElement} form
 * @param {HTMLTextAreaElement} input
 * @param {{
 *   send: (text: string) => boolean | void | Promise<boolean | void>,
 *   enterSends?: () => boolean,
 *   typing?: () => boolean | void,
 * }} options
 *   send: deliver the text; the box is emptied unless it answers false (or a promise of false);
 *   enterSends: whether Enter sends here (phones: Enter is a new line);
 *   typing: announce that this person is typing (throttled here; false: nothing was announced).
 */
export function bindComposer(form, input, { send, enterSends = () => true, typing }) {
  const fit = autoGrow(input);
  let lastTypingSent = 0;

  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey || isComposing(event)) return;
    if (!enterSends()) return;
    event.preventDefault();
    form.requestSubmit();
  });

  if (typing) {
    input.addEventListener("input", () => {
      const now = Date.now();
      if (input.value && now - lastTypingSent > TYPING_EVERY_MS && typing() !== false) lastTypingSent = now;
    });
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    if (text.length > LIMITS.message) {
      toast(tooLong(), { kind: "error" });
      return;
    }
    const sent = await send(text);
    if (sent === false) return;
    input.value = "";
    fit();
    lastTypingSent = 0;
  });

  return { fit };
}
