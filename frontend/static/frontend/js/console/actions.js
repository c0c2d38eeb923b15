// What a counselor does to a conversation besides writing: transfer it to
// another topic, end it with the wrap-up, or write the wrap-up after the young
// person ended it.

import { gettext, interpolate } from "../i18n.js";
import { $ } from "../shared/dom.js";
import { toast } from "../shared/toast.js";
import { describeStaffFailure } from "../shared/errors.js";
import { topics } from "../shared/service.js";
import {
  linkLabels,
  prepareWrapupForm,
  readCaseFields,
  readWrapup,
  sendCaseFields,
  submitWrapup,
  wireCaseFields,
  wireSummaryCounter,
  wrapupError,
} from "./wrapup.js";

const notYours = () => gettext("That conversation is no longer yours.");

export function describeFailure(problem) {
  return describeStaffFailure(problem, {
    too_large: () => gettext("The summary is too long (4,000 characters at most)."),
    forbidden: notYours,
    not_found: notYours,
  });
}

/** A colleague in the transfer list: name, whether they can take it now, their load. */
export function colleagueLabel(colleague, topic) {
  const load = `${colleague.load} / ${colleague.max}`;
  const state = {
    free: interpolate(gettext("free (%(load)s)"), { load }),
    full: interpolate(gettext("full (%(load)s)"), { load }),
    away: gettext("away"),
    offline: gettext("offline"),
  }[colleague.state];
  const serves = !topic || (colleague.topics || []).includes(topic) ? "" : ` · ${gettext("another topic")}`;
  return `${colleague.name} · ${state}${serves}`;
}

/** The server's reason for refusing a transfer, in the counselor's words. */
function transferRefusal(problem) {
  const detail = String(problem.message || "");
  if (detail.includes("nobody online serves")) {
    return gettext("Nobody online serves that topic now: the young person would wait alone. Choose a colleague, or keep the conversation.");
  }
  if (/is (full|away|not online)/.test(detail)) {
    return gettext("That colleague cannot take it any more (full, away or offline). Choose someone else.");
  }
  return gettext("That is not possible in this conversation's current state.");
}

export function conversationActions(client, session) {
  const isThis = (conv) => (frame) => frame.conversation === conv.id;

  function sendLateWrapup(conv, wrapup) {
    return client.request({ type: "wrapup.submit", conversation: conv.id, wrapup }, { expect: "wrapup.ok", match: isThis(conv) });
  }

  // ── transfer: to a free colleague, or to the front of a topic's queue, with a handover note ──
  const transferDialog = $("#transfer-dialog");
  const transferForm = $("#transfer-form");
  const colleagueSelect = $("#transfer-colleague");
  let transferConv = null;
  const transferKind = () => transferForm.querySelector('input[name="transfer-kind"]:checked').value;
  function showTransferKind() {
    const toColleague = transferKind() === "colleague";
    $("#transfer-colleague-field").hidden = !toColleague;
    $("#transfer-topic-field").hidden = toColleague;
    $("#transfer-error").textContent = "";
  }
  transferForm.addEventListener("change", showTransferKind);
  $("#transfer-cancel").addEventListener("click", () => transferDialog.close("cancel"));

  async function loadColleagues(conv) {
    colleagueSelect.replaceChildren();
    let colleagues = [];
    try {
      colleagues = (await session.fetch("/chat/colleagues")).colleagues || [];
    } catch (problem) {
      $("#transfer-colleague-hint").textContent = describeFailure(problem);
    }
    for (const colleague of colleagues) {
      const option = document.createElement("option");
      option.value = String(colleague.user);
      option.textContent = colleagueLabel(colleague, conv.topic);
      // Only someone who can take it now: the server refuses the others, with the reason.
      option.disabled = colleague.state !== "free";
      colleagueSelect.append(option);
    }
    const free = colleagues.filter((c) => c.state === "free");
    $("#transfer-colleague-hint").textContent = free.length
      ? ""
      : gettext("No colleague is free right now. You can send the young person to the front of a topic's queue instead.");
    colleagueSelect.value = free.length ? String(free[0].user) : "";
    if (!free.length) transferForm.querySelector('input[value="topic"]').checked = true;
  }

  async function transfer(conv) {
    transferConv = conv;
    const select = $("#transfer-topic");
    select.value = topics.find((topic) => topic !== conv.topic) || select.value;
    $("#transfer-note").value = "";
    transferForm.querySelector('input[value="colleague"]').checked = true;
    await loadColleagues(conv);
    showTransferKind();
    transferDialog.showModal();
  }

  transferForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const conv = transferConv;
    if (!conv) return;
    const frame = { type: "conversation.transfer", conversation: conv.id, note: $("#transfer-note").value.trim() };
    if (transferKind() === "colleague") {
      if (!colleagueSelect.value) {
        $("#transfer-error").textContent = gettext("Choose a colleague who is free, or a topic.");
        return;
      }
      frame.counselor = Number(colleagueSelect.value);
    } else frame.topic = $("#transfer-topic").value;
    const submit = $("#transfer-submit");
    submit.disabled = true;
    try {
      await client.request(frame, { expect: "conversation.transferred", match: isThis(conv) });
      transferDialog.close("ok");
    } catch (problem) {
      // Nobody could take it (the colleague filled up, nobody serves the topic): say why, stay.
      $("#transfer-error").textContent =
        problem.code === "invalid" ? transferRefusal(problem) : describeFailure(problem);
    } finally {
      submit.disabled = false;
    }
  });

  // The wrap-up is written beside the transcript (a side panel, not a modal): the counselor
  // reads back what was said while writing it, and may scroll, copy, or keep talking.
  const dialog = $("#wrapup-dialog");
  const dialogForm = $(".wrapup-form", dialog);
  linkLabels(dialogForm);
  wireSummaryCounter(dialogForm);
  wireCaseFields(dialogForm);
  let dialogConv = null;
  dialog.addEventListener("close", () => document.body.classList.remove("has-side-wrapup"));
  $('[data-action="cancel"]', dialog).addEventListener("click", () => dialog.close("cancel"));
  dialog.addEventListener("keydown", (event) => {
    if (event.key === "Escape") dialog.close("cancel");
  });

  function endWithWrapup(conv) {
    dialogConv = conv;
    prepareWrapupForm(dialogForm, conv.risk);
    document.body.classList.add("has-side-wrapup");
    if (!dialog.open) dialog.show();
    dialogForm.elements.category.focus();
  }

  dialogForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const conv = dialogConv;
    const wrapup = readWrapup(dialogForm);
    if (!conv || !wrapup) return;
    const caseFields = readCaseFields(dialogForm);
    if (caseFields && caseFields.problem) {
      wrapupError(dialogForm).textContent = caseFields.problem;
      return;
    }
    const submit = dialogForm.querySelector('button[type="submit"]');
    submit.disabled = true;
    try {
      if (conv.status === "ended") await sendLateWrapup(conv, wrapup);
      else {
        conv.endingWithWrapup = true;
        await client.request(
          { type: "conversation.end", conversation: conv.id, wrapup },
          { expect: "conversation.ended", match: isThis(conv) },
        );
      }
      dialog.close("ok");
      followUp(conv, caseFields);
    } catch (problem) {
      conv.endingWithWrapup = false;
      if (problem.code === "invalid" && conv.status === "ended") {
        // The youth ended it at the same moment: the same wrap-up goes as wrapup.submit.
        try {
          await sendLateWrapup(conv, wrapup);
          dialog.close("ok");
          followUp(conv, caseFields);
        } catch (again) {
          wrapupError(dialogForm).textContent = describeFailure(again);
        }
      } else wrapupError(dialogForm).textContent = describeFailure(problem);
    } finally {
      submit.disabled = false;
    }
  });

  function lateWrapup(conv, form) {
    const caseFields = readCaseFields(form);
    if (caseFields && caseFields.problem) {
      wrapupError(form).textContent = caseFields.problem;
      return;
    }
    submitWrapup(
      form,
      async (wrapup) => {
        await sendLateWrapup(conv, wrapup);
        followUp(conv, caseFields);
      },
      describeFailure,
    );
  }

  // The wrap-up is accepted: the case fields go to the case it opened (cases/).
  async function followUp(conv, caseFields) {
    if (!caseFields) return;
    try {
      const opened = await sendCaseFields(session, conv.id, caseFields.fields);
      toast(interpolate(gettext("Follow-up case %(reference)s opened for the service centre."), { reference: opened.reference }));
    } catch (problem) {
      toast(interpolate(gettext("The case details could not be sent (%(why)s). A supervisor can add them."), {
        why: describeFailure(problem),
      }), { kind: "error" });
    }
  }

  return { transfer, endWithWrapup, lateWrapup };
}
