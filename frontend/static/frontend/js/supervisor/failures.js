// A supervisor's failed request as a sentence (the shared wording, and this
// console's own for forbidden and not_found).

import { gettext } from "../i18n.js";
import { describeStaffFailure } from "../shared/errors.js";

export function describeFailure(problem) {
  return describeStaffFailure(problem, {
    forbidden: () => gettext("You are not allowed to do that."),
    not_found: () => gettext("That conversation no longer exists."),
  });
}
