// The young person's earlier conversations with this helpline (same anonymous
// identity), in the panel's side: date, topic, who served, the wrap-up and the
// notes, not the transcript. Fetched only when the counselor opens the section:
// every read is logged on the server as a transcript access.

import { gettext, interpolate } from "../i18n.js";
import { $ } from "../shared/dom.js";
import { html, render } from "../shared/preact.js";
import { RiskBadge, topicLabel } from "../shared/labels.js";
import { formatDateTime } from "../shared/format.js";
import { deskApi } from "./desk-api.js";
import { NoteItem } from "./notes.js";

/** The wrap-up category's name, as the wrap-up form itself shows it. */
export function wrapupCategoryLabel(category, doc = globalThis.document) {
  const option = doc?.querySelector?.(`#wrapup-dialog select[name="category"] option[value="${CSS.escape(category)}"]`);
  return (option && option.textContent.trim()) || category;
}

function Earlier({ item, myName }) {
  const { wrapup } = item;
  return html`
    <li class="earlier">
      <p class="earlier-head">
        <time datetime=${item.requested_at}>${formatDateTime(item.requested_at)}</time>
        <span class="earlier-topic">${topicLabel(item.topic)}</span>
        ${item.counselor ? html`<span class="earlier-who">${item.counselor}</span>` : null}
      </p>
      ${wrapup
        ? html`<div class="earlier-wrapup">
            <p class="earlier-line">
              <span class="earlier-category">${wrapupCategoryLabel(wrapup.category)}</span>
              <${RiskBadge} level=${wrapup.risk_level} />
              ${wrapup.needs_followup ? html`<span class="badge badge--todo">${gettext("Follow-up")}</span>` : null}
            </p>
            <p class="earlier-summary">${wrapup.summary}</p>
          </div>`
        : html`<p class="side-empty">${gettext("No wrap-up was written.")}</p>`}
      ${item.notes.length
        ? html`<ol class="notes-list notes-list--earlier">
            ${item.notes.map((note) => html`<${NoteItem} key=${note.id} note=${note} myName=${myName} />`)}</ol>`
        : null}
    </li>`;
}

function EarlierList({ state, myName }) {
  if (state.error) return html`<p class="side-empty">${state.error}</p>`;
  if (!state.loaded) return html`<p class="side-empty">${gettext("Loading…")}</p>`;
  if (!state.items.length) return html`<p class="side-empty">${gettext("No earlier conversation with this helpline.")}</p>`;
  return html`
    <p class="earlier-count">${interpolate(gettext("Earlier conversations: %(n)s"), { n: state.items.length })}</p>
    <ol class="earlier-list">${state.items.map((item) => html`<${Earlier} key=${item.conversation} item=${item} myName=${myName} />`)}</ol>`;
}

export function bindEarlier(conv, { myName = "" } = {}) {
  const details = $(".side-earlier", conv.panel);
  const body = $(".earlier-body", details);
  const state = { loaded: false, loading: false, items: [], error: "" };
  const draw = () => render(html`<${EarlierList} state=${state} myName=${myName} />`, body);
  details.addEventListener("toggle", () => {
    if (!details.open || state.loaded || state.loading) return;
    state.loading = true;
    state.error = "";
    draw();
    deskApi
      .earlier(conv.id)
      .then((answer) => {
        state.items = (answer && answer.conversations) || [];
        state.loaded = true;
      })
      .catch((problem) => {
        state.error =
          problem && problem.status === 403
            ? gettext("Earlier conversations are shown only while the conversation is active and yours.")
            : gettext("The earlier conversations could not be loaded.");
      })
      .finally(() => {
        state.loading = false;
        draw();
      });
  });
}
