// What a counselor does to a conversation besides writing: transfer it to
// another topic, end it with the wrap-up, or write the wrap-up after the young
// person ended it.

import { gettext } from "../i18n.js";
import { $, askDialog } from "../shared/dom.js";
import { toast } from "../shared/toast.js";
import { describeStaffFailure } from "../shared/errors.js";
import { topics } from "../shared/service.js";
import { linkLabels, prepareWrapupForm, readWrapup, submitWrapup, wireSummaryCounter, wrapupError } from "./wrapup.js";

const notYours = () => gettext("That conversation is no longer yours.");

export function describeFailure(problem) {
  return describeStaffFailure(problem, {
    too_large: () => gettext("The summary is too long (4,000 characters at most)."),
    forbidden: notYours,
    not_found: notYours,
  });
}

export function conversationActions(client) {
  const isThis = (conv) => (frame) => frame.conversation === conv.id;

  function sendLateWrapup(conv, wrapup) {
    return client.request({ type: "wrapup.submit", conversation: conv.id, wrapup }, { expect: "wrapup.ok", match: isThis(conv) });
  }

  async function transfer(conv) {
    const select = $("#transfer-topic");
    select.value = topics.find((topic) => topic !== conv.topic) || select.value;
    if (!(await askDialog($("#transfer-dialog")))) return;
    try {
      await client.request(
        { type: "conversation.transfer", conversation: conv.id, topic: select.value },
        { expect: "conversation.transferred", match: isThis(conv) },
      );
    } catch (problem) {
      toast(describeFailure(problem), { kind: "error" });
    }
  }

  const dialog = $("#wrapup-dialog");
  const dialogForm = $(".wrapup-form", dialog);
  linkLabels(dialogForm);
  wireSummaryCounter(dialogForm);
  let dialogConv = null;
  $('[data-action="cancel"]', dialog).addEventListener("click", () => dialog.close("cancel"));

  function endWithWrapup(conv) {
    dialogConv = conv;
    prepareWrapupForm(dialogForm, conv.risk);
    dialog.showModal();
    dialogForm.elements.category.focus();
  }

  dialogForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const conv = dialogConv;
    const wrapup = readWrapup(dialogForm);
    if (!conv || !wrapup) return;
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
    } catch (problem) {
      conv.endingWithWrapup = false;
      if (problem.code === "invalid" && conv.status === "ended") {
        // The youth ended it at the same moment: the same wrap-up goes as wrapup.submit.
        try {
          await sendLateWrapup(conv, wrapup);
          dialog.close("ok");
        } catch (again) {
          wrapupError(dialogForm).textContent = describeFailure(again);
        }
      } else wrapupError(dialogForm).textContent = describeFailure(problem);
    } finally {
      submit.disabled = false;
    }
  });

  function lateWrapup(conv, form) {
    submitWrapup(form, (wrapup) => sendLateWrapup(conv, wrapup), describeFailure);
  }

  return { transfer, endWithWrapup, lateWrapup };
}
