// What comes after a conversation, or instead of one: leaving a message when
// nobody can take it now, the survey, and starting over.

import { gettext } from "../i18n.js";
import { $, $$ } from "../shared/dom.js";
import { describeYouthFailure } from "../shared/errors.js";
import { LIMITS } from "../shared/service.js";
import { client, state, storage, sync, view } from "./context.js";
import { forgetConversation } from "./chat.js";
import { showScreen } from "./screens.js";

const SKIPPED_SURVEYS_KEY = "yl.youth.skippedSurveys";

// ── leave a message ─────────────────────────────────────────────────────

$("#leave-message-button").addEventListener("click", () => {
  state.leaveConversation = state.conversation;
  showScreen("leave");
});

$("#leave-back-button").addEventListener("click", () => showScreen("chat"));

$("#leave-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("#leave-text").value.trim();
  const contact = $("#leave-contact").value.trim();
  const error = $("#leave-error");
  error.textContent = "";
  if (!text) {
    error.textContent = gettext("Please write a few words first.");
    $("#leave-text").focus();
    return;
  }
  const frame = { type: "leave_message", conversation: state.leaveConversation || state.conversation, text };
  if (contact) frame.contact = contact.slice(0, LIMITS.contact);
  try {
    await client.request(frame, { expect: "leave_message.ok" });
  } catch (problem) {
    error.textContent = describeYouthFailure(problem);
  }
});

export function messageLeft() {
  forgetConversation();
  $("#leave-form").reset();
  showScreen("left");
}

// ── survey ──────────────────────────────────────────────────────────────

export function skippedSurveys() {
  try {
    return JSON.parse(storage.getItem(SKIPPED_SURVEYS_KEY) || "[]");
  } catch {
    return [];
  }
}

export function showSurvey(conversation, note) {
  if (state.conversation === conversation) sync.untrack(conversation);
  state.surveyConversation = conversation;
  state.conversation = null;
  state.status = "ended";
  view.clear();
  $("#survey-ended-note").textContent = note || "";
  $("#survey-form").reset();
  lightStars(0);
  showScreen("survey");
}

const starCaptions = () => [
  "",
  gettext("Not helpful at all"),
  gettext("Not very helpful"),
  gettext("Okay"),
  gettext("Helpful"),
  gettext("Very helpful"),
];

function starOf(label) {
  return Number(label.getAttribute("for").replace("star-", ""));
}

function lightStars(score) {
  for (const label of $$(".star-label")) label.classList.toggle("is-lit", starOf(label) <= score);
  $("#star-caption").textContent = starCaptions()[score] || "";
}

for (const input of $$(".star-input")) {
  input.addEventListener("change", () => {
    lightStars(Number(input.value));
    $("#survey-error").textContent = "";
  });
}
for (const label of $$(".star-label")) {
  label.addEventListener("pointerenter", () => lightStars(starOf(label)));
  label.addEventListener("pointerleave", () => {
    const chosen = $(".star-input:checked");
    lightStars(chosen ? Number(chosen.value) : 0);
  });
}

$("#survey-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const chosen = $(".star-input:checked");
  const error = $("#survey-error");
  error.textContent = "";
  if (!chosen) {
    error.textContent = gettext("Please choose from 1 to 5 stars.");
    return;
  }
  const frame = { type: "survey.submit", conversation: state.surveyConversation, score: Number(chosen.value) };
  const comment = $("#survey-comment").value.trim();
  if (comment) frame.comment = comment.slice(0, LIMITS.surveyComment);
  try {
    await client.request(frame, { expect: "survey.ok" });
  } catch (problem) {
    if (problem.code === "invalid") {
      showScreen("thanks"); // already rated: nothing is lost
      return;
    }
    error.textContent = describeYouthFailure(problem);
  }
});

$("#survey-skip-button").addEventListener("click", () => {
  const skipped = skippedSurveys();
  if (state.surveyConversation && !skipped.includes(state.surveyConversation)) {
    skipped.push(state.surveyConversation);
    storage.setItem(SKIPPED_SURVEYS_KEY, JSON.stringify(skipped.slice(-20)));
  }
  showScreen("thanks");
});

// ── start over ──────────────────────────────────────────────────────────

for (const button of $$('[data-action="restart"]')) {
  button.addEventListener("click", () => {
    forgetConversation();
    state.surveyConversation = null;
    state.leaveConversation = null;
    state.pendingTopic = null;
    $("#start-form").reset();
    for (const card of $$(".topic-card")) card.classList.remove("is-checked");
    showScreen("welcome");
  });
}
