// Canned replies in the composer: "/" at the start of the reply box, or Ctrl+/
// anywhere in it, opens a list filtered as one types (by shortcut, then title,
// then text); Enter or a click puts the chosen reply into the box, where the
// counselor edits it before sending. Nothing is ever sent from here: a reply
// only becomes a message when the counselor presses Enter again in the box.
// "Save as my reply" keeps the box's text among one's own replies.

import { gettext, interpolate, currentLanguage } from "../i18n.js";
import { html, render } from "../shared/preact.js";
import { confirmDialog } from "../shared/dom.js";
import { isComposing } from "../shared/composer.js";
import { toast } from "../shared/toast.js";
import { deskApi } from "./desk-api.js";

// ── pure helpers (frontend/tests/replies.test.js) ─────────────────────
/** The query of a box that holds only "/" and one word being typed, else null. */
export function slashQuery(value) {
  const match = /^\/([^\s/]*)$/u.exec(value || "");
  return match ? match[1] : null;
}

/** The replies that match, best first: shortcut exactly, shortcut prefix, title, text. */
export function filterReplies(replies, query) {
  const q = (query || "").trim().toLowerCase();
  if (!q) return replies.slice();
  const ranks = [[], [], [], []];
  for (const reply of replies) {
    const shortcut = (reply.shortcut || "").toLowerCase();
    if (shortcut === q) ranks[0].push(reply);
    else if (shortcut.startsWith(q)) ranks[1].push(reply);
    else if (reply.title.toLowerCase().includes(q)) ranks[2].push(reply);
    else if (reply.text.toLowerCase().includes(q)) ranks[3].push(reply);
  }
  return ranks.flat();
}

/** The box's text with the reply put in: in place of "/query", else at the selection. */
export function withReply(value, start, end, reply) {
  if (slashQuery(value) !== null) return { value: reply.text, caret: reply.text.length };
  const before = value.slice(0, start);
  const after = value.slice(end);
  const gap = before && !/\s$/u.test(before) ? " " : "";
  const inserted = before + gap + reply.text;
  return { value: inserted + after, caret: inserted.length };
}

/** The page's language as a reply language. */
export function replyLanguage(lang) {
  return /^en/i.test(lang || "") ? "en" : "zh-hans";
}

// ── the replies, fetched once a page and after each change ────────────
const store = { replies: [], loading: null, ready: false, listeners: new Set() };

export function loadReplies({ force = false } = {}) {
  if (!store.loading || force) {
    store.loading = deskApi
      .replies()
      .then((answer) => {
        store.replies = (answer && answer.replies) || [];
        store.ready = true;
        for (const listener of store.listeners) listener();
        return store.replies;
      })
      .catch((error) => {
        store.loading = null; // try again next time the list opens
        throw error;
      });
  }
  return store.loading;
}

// ── the list ──────────────────────────────────────────────────────────
let pickerCount = 0;

function ReplyOption({ reply, id, selected, onPick, onDelete }) {
  return html`
    <li id=${id} role="option" aria-selected=${String(selected)} class=${`reply-option${selected ? " is-selected" : ""}`}
      onMouseDown=${(event) => event.preventDefault()} onClick=${() => onPick(reply)}>
      <span class="reply-line">
        <span class="reply-title">${reply.title}</span>
        ${reply.shortcut ? html`<span class="reply-shortcut">/${reply.shortcut}</span>` : null}
        ${reply.own ? html`<span class="badge reply-own">${gettext("Mine")}</span>` : null}
        ${reply.own
          ? html`<button type="button" class="reply-delete" tabindex="-1"
              aria-label=${interpolate(gettext("Delete my reply %(title)s"), { title: reply.title })}
              onClick=${(event) => { event.stopPropagation(); onDelete(reply); }}>×</button>`
          : null}
      </span>
      <span class="reply-text">${reply.text}</span>
    </li>`;
}

function ReplyList({ state, listId, onPick, onDelete }) {
  if (state.error) return html`<p class="reply-empty">${gettext("The replies could not be loaded. Try again in a moment.")}</p>`;
  if (!state.items.length) {
    return html`<p class="reply-empty">${state.loaded ? gettext("No reply matches.") : gettext("Loading…")}</p>`;
  }
  return html`<ul class="reply-options" role="listbox" id=${listId} aria-label=${gettext("Canned replies")}>
    ${state.items.map((reply, index) => html`<${ReplyOption} key=${reply.id} reply=${reply} id=${`${listId}-${reply.id}`}
      selected=${index === state.index} onPick=${onPick} onDelete=${onDelete} />`)}
  </ul>`;
}

/**
 * Canned replies for one composer.
 * @param {HTMLFormElement} form the composer's form
 * @param {HTMLTextAreaElement} input its text box
 */
export function bindReplies(form, input) {
  pickerCount += 1;
  const listId = `reply-list-${pickerCount}`;
  const picker = document.createElement("div");
  picker.className = "reply-picker";
  picker.hidden = true;
  picker.innerHTML = `<input class="input reply-search" type="search" autocomplete="off" spellcheck="false">
    <div class="reply-list"></div><p class="reply-hint"></p>`;
  const search = picker.querySelector(".reply-search");
  const list = picker.querySelector(".reply-list");
  search.setAttribute("aria-label", gettext("Find a canned reply"));
  search.placeholder = gettext("Find a reply: shortcut, title or words");
  search.setAttribute("aria-controls", listId);
  picker.querySelector(".reply-hint").textContent = gettext("↑↓ choose · Enter insert · Esc close");
  form.classList.add("has-replies");
  form.prepend(picker);
  input.setAttribute("aria-haspopup", "listbox");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-keyshortcuts", "Control+/");

  const tools = document.createElement("div");
  tools.className = "composer-tools";
  const openButton = document.createElement("button");
  openButton.type = "button";
  openButton.className = "btn btn-quiet btn-small composer-tool";
  openButton.dataset.action = "replies";
  openButton.textContent = gettext("Replies");
  openButton.title = gettext("Canned replies (/ or Ctrl+/)");
  const saveButton = document.createElement("button");
  saveButton.type = "button";
  saveButton.className = "btn btn-quiet btn-small composer-tool";
  saveButton.dataset.action = "save-reply";
  saveButton.textContent = gettext("Save as my reply");
  tools.append(openButton, saveButton);
  input.after(tools);

  const state = { open: false, mode: "slash", query: "", items: [], index: 0, loaded: false, error: false };

  function refresh() {
    state.items = filterReplies(store.replies, state.query);
    state.index = Math.min(state.index, Math.max(0, state.items.length - 1));
    state.loaded = store.ready;
    render(html`<${ReplyList} state=${state} listId=${listId} onPick=${insert} onDelete=${remove} />`, list);
    const active = state.items[state.index];
    const activeId = state.open && active ? `${listId}-${active.id}` : "";
    for (const box of [input, search]) {
      if (activeId) box.setAttribute("aria-activedescendant", activeId);
      else box.removeAttribute("aria-activedescendant");
    }
    const chosen = list.querySelector(".is-selected");
    if (chosen && typeof chosen.scrollIntoView === "function") chosen.scrollIntoView({ block: "nearest" });
  }
  store.listeners.add(() => state.open && refresh());

  function open(mode) {
    state.open = true;
    state.mode = mode;
    state.index = 0;
    state.query = mode === "slash" ? slashQuery(input.value) || "" : "";
    state.error = false;
    search.hidden = mode !== "search";
    search.value = "";
    picker.hidden = false;
    input.setAttribute("aria-expanded", "true");
    input.setAttribute("aria-controls", listId);
    refresh();
    loadReplies().then(refresh, () => {
      state.error = true;
      refresh();
    });
    if (mode === "search") search.focus();
  }

  function close({ focus = false } = {}) {
    if (!state.open) return;
    state.open = false;
    picker.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    if (focus) input.focus();
  }

  function insert(reply) {
    const next = withReply(input.value, input.selectionStart ?? input.value.length, input.selectionEnd ?? input.value.length, reply);
    close();
    input.value = next.value;
    input.dispatchEvent(new Event("input", { bubbles: true })); // the box grows to fit
    input.focus();
    input.setSelectionRange(next.caret, next.caret);
  }

  async function remove(reply) {
    const sure = await confirmDialog({
      title: gettext("Delete this reply of yours?"),
      text: reply.title,
      ok: gettext("Delete"),
      danger: true,
    });
    if (!sure) return;
    try {
      await deskApi.deleteReply(reply.id);
      await loadReplies({ force: true });
      toast(gettext("Reply deleted."));
    } catch {
      toast(gettext("The reply could not be deleted. Try again."), { kind: "error" });
    }
  }

  input.addEventListener("input", () => {
    const query = slashQuery(input.value);
    if (query !== null) {
      if (!state.open || state.mode !== "slash") open("slash");
      else {
        state.query = query;
        state.index = 0;
        refresh();
      }
    } else if (state.open && state.mode === "slash") {
      close();
    }
  });
  search.addEventListener("input", () => {
    state.query = search.value;
    state.index = 0;
    refresh();
  });
  input.addEventListener("blur", () => {
    // A click in the list keeps the focus (mousedown is prevented); leaving the box closes it.
    setTimeout(() => {
      if (state.open && state.mode === "slash" && document.activeElement !== input) close();
    }, 150);
  });
  search.addEventListener("blur", () => {
    setTimeout(() => {
      if (state.open && state.mode === "search" && document.activeElement !== search) close();
    }, 150);
  });

  // Capture on the form: this runs before the composer's own Enter-sends handler on the box.
  form.addEventListener(
    "keydown",
    (event) => {
      if (event.key === "/" && (event.ctrlKey || event.metaKey) && !event.altKey) {
        event.preventDefault();
        event.stopPropagation();
        if (state.open) close({ focus: true });
        else open("search");
        return;
      }
      if (!state.open || isComposing(event)) return;
      const move = { ArrowDown: 1, ArrowUp: -1 }[event.key];
      if (move && state.items.length) {
        state.index = (state.index + move + state.items.length) % state.items.length;
        refresh();
      } else if (event.key === "Enter" && !event.shiftKey) {
        // Enter inserts, never sends; with nothing to insert it does nothing (no "/word" message).
        const chosen = state.items[state.index];
        if (chosen) insert(chosen);
      } else if (event.key === "Escape") {
        close({ focus: true });
      } else {
        return;
      }
      event.preventDefault();
      event.stopPropagation();
    },
    true,
  );

  openButton.addEventListener("click", () => (state.open ? close({ focus: true }) : open("search")));
  saveButton.addEventListener("click", () => saveAsReply(input.value));
  return { open, close };
}

// ── "Save as my reply" ───────────────────────────────────────────────
function describeReplyError(error) {
  if (error && error.status === 400 && error.code === "invalid") return error.message;
  if (error && error.status === 0) return gettext("Not connected. Try again when the connection is back.");
  return gettext("The reply could not be saved. Try again.");
}

export function saveAsReply(text) {
  const dialog = document.getElementById("reply-dialog");
  if (!dialog) return;
  const form = dialog.querySelector("form");
  const error = document.getElementById("reply-error");
  form.elements.title.value = "";
  form.elements.text.value = (text || "").trim();
  form.elements.shortcut.value = "";
  form.elements.language.value = replyLanguage(currentLanguage());
  error.textContent = "";
  dialog.showModal();
  (form.elements.text.value ? form.elements.title : form.elements.text).focus();
}

function wireReplyDialog() {
  const dialog = document.getElementById("reply-dialog");
  if (!dialog) return;
  const form = dialog.querySelector("form");
  const error = document.getElementById("reply-error");
  dialog.querySelector('[data-action="cancel"]').addEventListener("click", () => dialog.close());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const reply = {
      title: form.elements.title.value.trim(),
      text: form.elements.text.value.trim(),
      shortcut: form.elements.shortcut.value.trim().replace(/^\//u, ""),
      language: form.elements.language.value,
    };
    if (!reply.title || !reply.text) {
      error.textContent = gettext("A reply needs a title and a text.");
      return;
    }
    if (reply.shortcut && !/^[\p{L}\p{N}_][\p{L}\p{N}_-]*$/u.test(reply.shortcut)) {
      error.textContent = gettext("A shortcut is one word: letters, digits, - and _.");
      return;
    }
    try {
      await deskApi.saveReply(reply);
    } catch (problem) {
      error.textContent = describeReplyError(problem);
      return;
    }
    dialog.close();
    toast(gettext("Saved to your replies."));
    loadReplies({ force: true }).catch(() => {});
  });
}

if (typeof document !== "undefined" && typeof document.getElementById === "function") wireReplyDialog();
