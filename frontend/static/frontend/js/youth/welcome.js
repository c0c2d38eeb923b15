// The welcome screen's form: a topic, an optional nickname, "start talking".

import { gettext } from "../i18n.js";
import { $, $$ } from "../shared/dom.js";
import { describeYouthHttpError } from "../shared/errors.js";
import { LIMITS } from "../shared/service.js";
import { client, state, tokens, view } from "./context.js";
import { showWaiting } from "./chat.js";
import { newIdentity } from "./identity.js";
import { showScreen } from "./screens.js";

export function requestConsult(topic) {
  client.send({ type: "consult.request", topic });
}

for (const input of $$(".topic-input")) {
  input.addEventListener("change", () => {
    for (const card of $$(".topic-card")) card.classList.toggle("is-checked", card.contains($(".topic-input:checked")));
    $("#start-error").textContent = "";
  });
}

$("#start-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const chosen = $(".topic-input:checked");
  const error = $("#start-error");
  error.textContent = "";
  if (!chosen) {
    error.textContent = gettext("Please choose what you'd like to talk about.");
    $(".topic-input").focus();
    return;
  }
  const nickname = $("#nickname").value.trim().slice(0, LIMITS.nickname);
  const button = $("#start-button");
  button.disabled = true;
  try {
    // A new nickname is a new identity: the protocol has no renaming, and a
    // fresh identity keeps consultations apart, which is the safer default.
    if (!tokens.hasIdentity || (nickname && nickname !== (tokens.get("nickname") || ""))) {
      await newIdentity(nickname);
    }
  } catch (problem) {
    button.disabled = false;
    error.textContent = describeYouthHttpError(problem);
    return;
  }
  button.disabled = false;
  state.pendingTopic = chosen.value;
  state.topic = chosen.value;
  state.everAssigned = false;
  view.clear();
  showWaiting({ position: null });
  showScreen("chat");
  if (client.ready) requestConsult(chosen.value);
  else client.start();
});
