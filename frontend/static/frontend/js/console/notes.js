// The private notes of a conversation, in its panel's side: staff only. They
// go over HTTP (console/desk-api.js), never over the socket the youth shares,
// so the youth's page cannot receive them. Loaded the first time the panel is
// shown; added notes appear at once.

import { gettext, interpolate } from "../i18n.js";
import { $ } from "../shared/dom.js";
import { html, render } from "../shared/preact.js";
import { formatDateTime } from "../shared/format.js";
import { deskApi } from "./desk-api.js";

/** "Me", a supervisor's name with their role, or a colleague's name. */
export function noteAuthor(note, myName) {
  if (note.author_role === "supervisor") return interpolate(gettext("%(name)s (supervisor)"), { name: note.author });
  return myName && note.author === myName ? gettext("Me") : note.author;
}

export function NoteItem({ note, myName }) {
  return html`
    <li class="note">
      <p class="note-meta"><span class="note-author">${noteAuthor(note, myName)}</span>
        <time datetime=${note.at}>${formatDateTime(note.at)}</time></p>
      <p class="note-text">${note.text}</p>
    </li>`;
}

const SIDE_KEY = "yl.staff.side-closed";

/** The side of one panel: notes now, earlier conversations when asked (earlier.js). */
export function bindNotes(conv, { myName = "", storage = null } = {}) {
  const side = $(".panel-side", conv.panel);
  const list = $(".notes-list", side);
  const empty = $(".notes-empty", side);
  const form = $(".note-form", side);
  const box = $(".note-input", side);
  const error = $(".note-error", side);
  const state = { notes: [], loaded: false, loading: null };

  function draw() {
    render(state.notes.map((note) => html`<${NoteItem} key=${note.id} note=${note} myName=${myName} />`), list);
    empty.hidden = state.notes.length > 0;
    empty.textContent = state.loaded ? gettext("No notes yet.") : gettext("Loading…");
  }

  function load() {
    if (state.loaded || state.loading) return state.loading;
    state.loading = deskApi
      .notes(conv.id)
      .then((answer) => {
        state.notes = (answer && answer.notes) || [];
        state.loaded = true;
        draw();
      })
      .catch(() => {
        empty.hidden = false;
        empty.textContent = gettext("The notes could not be loaded.");
      })
      .finally(() => {
        state.loading = null;
      });
    return state.loading;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = box.value.trim();
    error.textContent = "";
    if (!text) {
      error.textContent = gettext("Write the note first.");
      box.focus();
      return;
    }
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      const note = await deskApi.addNote(conv.id, text);
      state.notes = [...state.notes.filter((n) => n.id !== note.id), note];
      box.value = "";
      draw();
    } catch (problem) {
      error.textContent =
        problem && problem.status === 403
          ? gettext("This conversation is no longer yours.")
          : gettext("The note could not be saved. Try again.");
    } finally {
      button.disabled = false;
    }
  });
  // Ctrl+Enter adds the note (Enter alone is a new line: notes are often longer).
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  // The side can be folded away; the choice holds for every panel of this tab.
  const toggle = $(".side-toggle", side);
  function setClosed(closed) {
    conv.panel.classList.toggle("is-side-closed", closed);
    toggle.setAttribute("aria-expanded", String(!closed));
    toggle.textContent = closed ? gettext("Notes") : gettext("Hide notes");
  }
  setClosed(storage?.getItem(SIDE_KEY) === "1");
  toggle.addEventListener("click", () => {
    const closed = !conv.panel.classList.contains("is-side-closed");
    storage?.setItem(SIDE_KEY, closed ? "1" : "0");
    for (const panel of document.querySelectorAll(".conv-panel")) {
      panel.dispatchEvent(new CustomEvent("side-toggle", { detail: closed }));
    }
  });
  conv.panel.addEventListener("side-toggle", (event) => setClosed(event.detail));

  draw();
  return {
    load,
    focus() {
      if (conv.panel.classList.contains("is-side-closed")) toggle.click();
      box.focus();
    },
  };
}
