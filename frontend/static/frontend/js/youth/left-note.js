// "Your message was read": a youth who left a message when nobody could answer, and comes back
// with the same identity (the token in localStorage), sees on the welcome screen that a
// counselor read it and when (GET /api/v1/left-messages/mine: only their own, never its text).

import { gettext, interpolate } from "../i18n.js";
import { $ } from "../shared/dom.js";
import { session, tokens } from "./context.js";

// Long after, the line would only puzzle; the record stays on the server either way.
const SHOWN_FOR_DAYS = 30;

/** "12月3日 09:12" / "December 3 at 09:12", in the page's language. */
export function readMoment(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleString(document.documentElement.lang || undefined, {
    month: "long",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}

async function showLeftMessageNote() {
  let answer;
  try {
    answer = await session.fetch("/left-messages/mine");
  } catch {
    return; // a nicety: without it the page works as before
  }
  const left = answer && answer.left_message;
  if (!left || Date.now() - new Date(left.left_at).getTime() > SHOWN_FOR_DAYS * 86_400_000) return;
  $("#left-note-text").textContent = left.read_at
    ? interpolate(gettext("Your message has been read by a counselor (%(time)s)."), { time: readMoment(left.read_at) })
    : gettext("Your message has been received. A counselor will read it as soon as they can.");
  $("#left-note").classList.toggle("is-read", Boolean(left.read_at));
  $("#left-note").hidden = false;
}

/** A follow-up's stage in words a 14-year-old understands (cases/: GET /api/v1/cases/mine). */
export function caseLine(item) {
  const since = readMoment(item.since);
  const where = (document.documentElement.lang || "").startsWith("en") ? item.centre_city_en || item.centre_city : item.centre_city;
  if (item.stage === "closed") return interpolate(gettext("Your request %(ref)s is finished (%(time)s)."), { ref: item.reference, time: since });
  if (item.stage === "resolved") {
    return interpolate(gettext("Your request %(ref)s has been dealt with (%(time)s). Someone may call to ask how it went."), {
      ref: item.reference,
      time: since,
    });
  }
  if (item.stage === "followed_up") {
    return interpolate(gettext("Your request %(ref)s is being followed up by the service centre of %(place)s (since %(time)s)."), {
      ref: item.reference,
      place: where,
      time: since,
    });
  }
  return interpolate(gettext("Your request %(ref)s has been received (%(time)s). A service centre will take it up."), {
    ref: item.reference,
    time: readMoment(item.received_at),
  });
}

async function showCaseNote() {
  let answer;
  try {
    answer = await session.fetch("/cases/mine");
  } catch {
    return; // a nicety, like the note above
  }
  const recent = (answer.cases || []).filter((c) => Date.now() - new Date(c.since).getTime() <= SHOWN_FOR_DAYS * 86_400_000);
  if (!recent.length) return;
  const list = $("#case-note-list");
  list.replaceChildren(
    ...recent.map((item) => {
      const line = document.createElement("li");
      line.textContent = caseLine(item);
      return line;
    }),
  );
  $("#case-note").hidden = false;
}

if (tokens.hasIdentity) {
  showLeftMessageNote();
  showCaseNote();
}
