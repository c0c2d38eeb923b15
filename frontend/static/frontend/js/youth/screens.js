// The screens of the youth page (welcome → chat → survey → thanks, and leave a
// message), one <section class="screen"> each in youth.html: one is shown at a
// time, and its heading takes the focus so a screen reader says where we are.

import { gettext, interpolate } from "../i18n.js";
import { $, $$ } from "../shared/dom.js";
import { loadServiceInfo } from "../shared/service.js";
import { state } from "./context.js";

const app = $("#app");

export function showScreen(name, { focus = true } = {}) {
  const changed = state.screen !== name;
  state.screen = name;
  app.dataset.screen = name;
  document.body.classList.toggle("is-chat", name === "chat");
  for (const section of $$(".screen", app)) section.hidden = section.dataset.screen !== name;
  if (changed && focus) {
    const heading = $(`.screen[data-screen="${name}"] h1`, app);
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
    window.scrollTo(0, 0);
  }
  if (name === "welcome") showServiceHours();
}

let hoursShown = false;

/** Outside the service hours the welcome screen says so before anyone asks. */
async function showServiceHours() {
  if (hoursShown) return;
  try {
    const info = await loadServiceInfo();
    hoursShown = true;
    const notice = $("#closed-notice");
    if (info && info.open === false) {
      $("#closed-notice-text").textContent = interpolate(
        gettext("Online counseling is open %(hours)s every day. You can still leave us a message now, and a counselor will read it when the service opens."),
        { hours: info.service_hours || "" },
      );
      notice.hidden = false;
    } else notice.hidden = true;
    // A topic with hours of its own that is closed now says so on its card (a message can still be left).
    const openTopics = Array.isArray(info && info.open_topics) ? info.open_topics : null;
    for (const input of $$(".topic-input")) {
      const card = input.closest(".topic-card");
      const closed = openTopics !== null && info.open && !openTopics.includes(input.value);
      let note = $(".topic-closed", card);
      if (closed && !note) {
        note = document.createElement("span");
        note.className = "topic-closed";
        $(".topic-text", card).append(note);
      }
      if (note) {
        note.hidden = !closed;
        note.textContent = closed
          ? interpolate(gettext("Answered %(hours)s; you can leave a message now."), { hours: (info.hours || {})[input.value] || "" })
          : "";
      }
    }
  } catch {
    // Not knowing the hours changes nothing: the queue will say if it is closed.
  }
}
