// Recording a referral of the watched conversation: to 110, 120, a mandatory
// report or another hotline, with when and what was handed over.

import { gettext, interpolate } from "../i18n.js";
import { $ } from "../shared/dom.js";
import { toast } from "../shared/toast.js";
import { board } from "./board.js";
import { describeFailure } from "./failures.js";

const form = $("#referral-form");
const kind = $("#referral-kind");
const target = $("#referral-target");

function showFieldsOfKind() {
  $("#referral-target-field").hidden = kind.value !== "hotline";
  $("#referral-other-field").hidden = kind.value !== "hotline" || target.value !== "other";
}

/** An empty form, "when" set to now. */
export function resetReferral() {
  form.reset();
  const now = new Date();
  const local = new Date(now.getTime() - now.getTimezoneOffset() * 60000);
  $("#referral-at").value = local.toISOString().slice(0, 16);
  $("#referral-error").textContent = "";
  showFieldsOfKind();
}

/** The datetime-local value as ISO-8601 with this device's UTC offset. */
function localInputToIso(value) {
  if (!value) return null;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return null;
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const hours = String(Math.floor(Math.abs(offset) / 60)).padStart(2, "0");
  const minutes = String(Math.abs(offset) % 60).padStart(2, "0");
  return `${value.length === 16 ? `${value}:00` : value}${sign}${hours}:${minutes}`;
}

export function bindReferral(client) {
  kind.addEventListener("change", showFieldsOfKind);
  target.addEventListener("change", showFieldsOfKind);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("#referral-error");
    error.textContent = "";
    const id = board.watching;
    if (id === null) return;
    const handedOver = $("#referral-handed").value.trim();
    if (!handedOver) {
      error.textContent = gettext("Please describe what was handed over.");
      $("#referral-handed").focus();
      return;
    }
    const frame = { type: "referral.record", conversation: id, kind: kind.value, handed_over: handedOver };
    if (kind.value === "hotline") {
      frame.target = target.value === "other" ? $("#referral-other").value.trim() : target.value;
      if (!frame.target) {
        error.textContent = gettext("Please name the hotline.");
        $("#referral-other").focus();
        return;
      }
    }
    const at = localInputToIso($("#referral-at").value);
    if (at) frame.at = at;
    try {
      const answer = await client.request(frame, { expect: "referral.ok", match: (f) => f.conversation === id });
      toast(interpolate(gettext("Referral recorded (no. %(id)s)."), { id: answer.referral }));
      resetReferral();
    } catch (problem) {
      error.textContent = describeFailure(problem);
    }
  });
  resetReferral();
}
