// One conversation's panel: made from the page's <template>, with its message
// list, composer, typing line, risk banner and inline wrap-up form.

import { gettext, interpolate } from "../i18n.js";
import { $, $$ } from "../shared/dom.js";
import { MessageListView } from "../shared/message-list.js";
import { bindComposer } from "../shared/composer.js";
import { TypingIndicator } from "../shared/typing.js";
import { categoryLabel, riskLabel, topicLabel } from "../shared/labels.js";
import { linkLabels, prepareWrapupForm, wireCaseFields, wireSummaryCounter } from "./wrapup.js";
import { presenceClass, presenceLabel, shownPresence, youthName } from "./desk.js";
import { bindReplies } from "./replies.js";
import { bindNotes } from "./notes.js";
import { bindEarlier } from "./earlier.js";
import { staffStorage } from "../shared/staff.js";

function channelLabel(channel) {
  return { web: gettext("Mobile web"), miniprogram: gettext("WeChat mini-program") }[channel] || channel || "";
}

/**
 * @param {number} id
 * @param {{client, sync, onTransfer: (conv) => void, onEnd: (conv) => void, onLateWrapup: (conv, form) => void,
 *          onWorry: (conv, message?: {seq: number, text: string}) => void}} deps
 */
export function createConversation(id, { client, sync, onTransfer, onEnd, onLateWrapup, onWorry }) {
  const conv = {
    id, youth: null, topic: null, risk: 0, status: "active", unread: 0, whispered: false,
    flagged: new Set(), endingWithWrapup: false, lastCategory: null,
    presence: null, // the youth's: {state: "online" | "away" | "gone", since?} (desk.js)
    lastLine: null, lastSeq: null, waitingSince: null, // what the tab shows (desk.js: noteMessage)
  };
  const panel = $("#panel-template").content.firstElementChild.cloneNode(true);
  panel.id = `conv-panel-${id}`;
  panel.setAttribute("aria-labelledby", `conv-tab-${id}`);
  panel.hidden = true;
  linkLabels(panel);
  // The youth's presence under the name; announced politely when it changes.
  const presenceLine = document.createElement("p");
  presenceLine.className = "panel-meta panel-presence";
  presenceLine.setAttribute("role", "status");
  $(".panel-meta", panel).after(presenceLine);
  $("#conv-panels").append(panel);
  conv.panel = panel;

  conv.view = new MessageListView($(".messages", panel), {
    scroller: $(".panel-scroll", panel),
    own: "counselor",
    senderName: (sender) =>
      ({ youth: youthName(conv.youth, id), supervisor: gettext("Supervisor"), counselor: gettext("Me") })[sender] || "",
    showSender: (sender) => sender === "supervisor",
    // A worry raised from a youth's message names it (`seq`): supervisors read those words.
    bubbleAction: {
      sender: "youth",
      label: gettext("Worried"),
      describe: (item) => interpolate(gettext("I'm worried about this message: %(text)s"), { text: item.text.slice(0, 60) }),
      onAction: (item) => onWorry(conv, { seq: item.seq, text: item.text }),
    },
  });
  conv.typing = new TypingIndicator($(".typing", panel));

  bindComposer($(".panel-composer", panel), $(".composer-input", panel), {
    typing: () => client.send({ type: "typing", conversation: id }),
    send: (text) => {
      sync.send(id, text);
    },
  });

  // Canned replies in the composer; notes and the youth's earlier conversations beside it.
  bindReplies($(".panel-composer", panel), $(".composer-input", panel));
  conv.notes = bindNotes(conv, { storage: staffStorage });
  bindEarlier(conv);
  conv.notes.load();

  const toggle = $(".risk-banner-toggle", panel);
  toggle.addEventListener("click", () => {
    const collapsed = $(".risk-banner", panel).classList.toggle("is-collapsed");
    toggle.setAttribute("aria-expanded", String(!collapsed));
    toggle.textContent = collapsed ? gettext("Show") : gettext("Hide");
  });

  $('[data-action="transfer"]', panel).addEventListener("click", () => onTransfer(conv));
  $('[data-action="end"]', panel).addEventListener("click", () => onEnd(conv));
  $('[data-action="worry"]', panel).addEventListener("click", () => onWorry(conv));
  const inline = $(".wrapup-inline", panel);
  wireSummaryCounter(inline);
  wireCaseFields(inline);
  inline.addEventListener("submit", (event) => {
    event.preventDefault();
    onLateWrapup(conv, inline);
  });

  for (const item of sync.pendingFor(id)) conv.view.addPending(item);
  return conv;
}

export function renderPanelHead(conv) {
  const { panel } = conv;
  $(".panel-title", panel).textContent = youthName(conv.youth, conv.id);
  const meta = [topicLabel(conv.topic)];
  if (conv.youth && conv.youth.channel) meta.push(channelLabel(conv.youth.channel));
  if (conv.youth && conv.youth.region) meta.push(conv.youth.region);
  $(".panel-meta", panel).textContent = meta.join(" · ");
  const presence = shownPresence(conv);
  const presenceLine = $(".panel-presence", panel);
  presenceLine.replaceChildren();
  if (presenceLabel(presence)) {
    const badge = document.createElement("span");
    badge.className = presenceClass(presence);
    badge.dataset.presence = presence.state;
    badge.textContent = presenceLabel(presence);
    presenceLine.append(badge);
  }
  presenceLine.hidden = !presenceLine.firstChild;
  const ended = conv.status === "ended";
  panel.classList.toggle("is-ended", ended); // hides the "worried" control on the youth's bubbles
  $(".panel-composer", panel).hidden = ended;
  $(".panel-ended", panel).hidden = !ended;
  for (const button of $$(".panel-actions button", panel)) button.hidden = ended;
}

/** The conversation ended without our wrap-up: the panel asks for it in place of the composer. */
export function showEnded(conv, by) {
  conv.status = "ended";
  conv.typing.clear();
  $(".panel-ended-note", conv.panel).textContent =
    by === "youth"
      ? gettext("The young person has ended the conversation. Please write the wrap-up.")
      : conv.presence?.state === "gone"
        ? gettext("The young person was away too long, so the conversation was closed. Please write the wrap-up.")
        : gettext("This conversation has ended. Please write the wrap-up.");
  prepareWrapupForm($(".wrapup-inline", conv.panel), conv.risk);
  renderPanelHead(conv);
}

/** A crisis flag on this conversation: the banner, at the highest level seen. */
export function showRiskBanner(conv, frame) {
  const { panel } = conv;
  const banner = $(".risk-banner", panel);
  banner.className = `risk-banner risk-banner--${Math.min(4, Math.max(1, conv.risk))}`;
  $(".risk-banner-title", panel).textContent = interpolate(
    gettext("Risk alert: %(category)s · level %(level)s (%(label)s)"),
    { category: categoryLabel(frame.category), level: frame.level, label: riskLabel(frame.level) },
  );
  $(".risk-banner-excerpt", panel).textContent = frame.excerpt ? `“${frame.excerpt}”` : "";
  const toggle = $(".risk-banner-toggle", panel);
  toggle.setAttribute("aria-expanded", "true");
  toggle.textContent = gettext("Hide");
  banner.hidden = false;
}

export function showTyping(conv, role) {
  conv.typing.show(role === "supervisor" ? gettext("The supervisor is typing") : gettext("The young person is typing"));
}
