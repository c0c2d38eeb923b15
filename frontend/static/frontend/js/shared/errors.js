// Error codes (docs/protocol.md) as the sentences people read. Each page says
// a few of them its own way (a counselor's "not yours any more" is a
// supervisor's "no longer exists"); the rest is said once here.

import { gettext } from "../i18n.js";
import { ApiError } from "../api.js";
import { toast } from "./toast.js";

const NO_CONNECTION = new Set(["offline", "disconnected", "timeout"]);

/** The request failed because there is no (working) connection. */
export function isOffline(problem) {
  return Boolean(problem) && NO_CONNECTION.has(problem.code);
}

/**
 * A failed request of a staff console as a sentence.
 * @param {{code?: string, message?: string}} problem a FrameError
 * @param {Record<string, () => string>} own this page's wording for some codes
 */
export function describeStaffFailure(problem, own = {}) {
  if (isOffline(problem)) return gettext("Not connected. Please try again when the connection is back.");
  if (own[problem.code]) return own[problem.code]();
  if (problem.code === "invalid") return gettext("That is not possible in this conversation's current state.");
  return problem.message || gettext("Something went wrong. Please try again.");
}

/** A failed request of the youth page: offline, or our fault, never theirs. */
export function describeYouthFailure(problem) {
  return isOffline(problem)
    ? gettext("You're offline right now. Please try again when the connection is back.")
    : gettext("Something went wrong on our side. Please try again in a moment.");
}

/** A failed HTTP call of the youth page (creating the anonymous identity). */
export function describeYouthHttpError(problem) {
  if (problem instanceof ApiError && problem.status === 429) {
    return gettext("Too many tries in a short time. Please wait a minute and try again.");
  }
  if (problem instanceof ApiError && problem.status === 0) {
    return gettext("We can't reach the service. Please check your network and try again.");
  }
  return gettext("Something went wrong on our side. Please try again in a moment.");
}

/**
 * Toast the error frames nobody asked for (no ref): a request() caller handles its own.
 * @param {Record<string, () => string>} sentences the codes this page tells about
 */
export function toastUnsolicitedErrors(client, sentences) {
  client.on("error", (frame) => {
    if (frame.ref !== undefined) return;
    const sentence = sentences[frame.code];
    if (sentence) toast(sentence(), { kind: "error" });
  });
}

export const tooLong = () => gettext("That message is too long. Please split it into shorter ones.");
export const staffTooFast = () => gettext("Too many actions at once. Please slow down a little.");
