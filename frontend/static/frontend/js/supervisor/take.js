// Taking a conversation: a youth at risk who waits behind a full team, or a chat that needs
// someone else. The supervisor gives it to themselves (they join it and talk with the youth
// at once) or to a counselor they choose; a counselor who is full or away only when the
// supervisor ticks "over capacity". The server re-checks everything (conversation.take).

import { gettext, interpolate } from "../i18n.js";
import { $, askDialog } from "../shared/dom.js";
import { toast } from "../shared/toast.js";
import { html, render } from "../shared/preact.js";
import { topicLabel } from "../shared/labels.js";
import { board } from "./board.js";
import { describeFailure } from "./failures.js";
import { needsOverCapacity, takeChoices } from "./take-choices.js";

const SELF = "self";

function stateLabel(choice) {
  const load = `${choice.load ?? 0} / ${choice.max ?? "–"}`;
  return {
    free: interpolate(gettext("Free (%(load)s chats)"), { load }),
    full: interpolate(gettext("Full (%(load)s chats)"), { load }),
    away: gettext("Away"),
    offline: gettext("Offline"),
  }[choice.state];
}

function Options({ choices, topic }) {
  return html`
    <label class="take-option take-option--self">
      <input type="radio" name="take-to" value=${SELF} checked />
      <span class="take-option-name">${gettext("Myself: I'll talk with the young person now")}</span>
    </label>
    ${choices.map(
      (choice) => html`<label key=${choice.user} class=${`take-option take-option--${choice.state}`}>
        <input type="radio" name="take-to" value=${String(choice.user)} disabled=${choice.state === "offline"} />
        <span class="take-option-name">${choice.name}</span>
        <span class="take-option-state">${stateLabel(choice)}</span>
        ${choice.serves ? null : html`<span class="take-option-topic">${interpolate(gettext("does not serve %(topic)s"), { topic: topicLabel(topic) })}</span>`}
      </label>`,
    )}`;
}

export function createTake(client) {
  const dialog = $("#take-dialog");
  const form = $("#take-form");
  const overField = $("#take-over-field");
  const over = $("#take-over");
  const error = $("#take-error");
  let choices = [];
  let conversation = null;

  function chosen() {
    const input = form.querySelector('input[name="take-to"]:checked');
    if (!input || input.value === SELF) return null;
    return choices.find((c) => String(c.user) === input.value) || null;
  }

  function refreshOver() {
    const choice = chosen();
    const needed = Boolean(choice && needsOverCapacity(choice));
    overField.hidden = !needed;
    if (!needed) over.checked = false;
    error.textContent = "";
  }
  form.addEventListener("change", refreshOver);
  $("#take-cancel").addEventListener("click", () => dialog.close("cancel"));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const choice = chosen();
    if (choice && needsOverCapacity(choice) && !over.checked) {
      error.textContent = interpolate(gettext("%(name)s cannot take more now. Tick the box to assign it anyway."), {
        name: choice.name,
      });
      return;
    }
    const frame = { type: "conversation.take", conversation };
    if (choice) {
      frame.counselor = choice.user;
      if (over.checked) frame.over_capacity = true;
    }
    const submit = $("#take-submit");
    submit.disabled = true;
    try {
      const answer = await client.request(frame, {
        expect: "conversation.take.ok",
        match: (f) => f.conversation === conversation,
      });
      dialog.close("ok");
      toast(interpolate(gettext("%(name)s has the conversation now."), { name: answer.to.name }));
    } catch (problem) {
      error.textContent = describeFailure(problem);
    } finally {
      submit.disabled = false;
    }
  });

  return {
    open(id) {
      conversation = id;
      const info = board.info.get(id) || {};
      choices = takeChoices(board.team, { topic: info.topic });
      $("#take-dialog-title").textContent = interpolate(gettext("Take conversation #%(id)s"), { id });
      render(html`<${Options} choices=${choices} topic=${info.topic} />`, $("#take-options"));
      over.checked = false;
      overField.hidden = true;
      error.textContent = "";
      askDialog(dialog);
      const first = form.querySelector('input[name="take-to"]');
      if (first) first.focus();
    },
  };
}
