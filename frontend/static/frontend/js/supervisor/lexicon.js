// The risk lexicon editor: the detector's words and phrases as a JSON
// document, checked as it is typed, saved as a new version (refused when
// someone else saved first), with the list of saved versions.

import { gettext, interpolate } from "../i18n.js";
import { ApiError } from "../api.js";
import { $, confirmDialog } from "../shared/dom.js";
import { html, render } from "../shared/preact.js";
import { formatDateTime } from "../shared/format.js";

function describeHttp(problem) {
  if (problem instanceof ApiError && (problem.status === 401 || problem.status === 403)) {
    return gettext("You don't have permission to edit the lexicon.");
  }
  if (problem instanceof ApiError && problem.status === 0) return gettext("Not connected. Please try again when the connection is back.");
  return (problem && problem.message) || gettext("Something went wrong. Please try again.");
}

function Versions({ versions }) {
  if (!versions.length) return html`<li class="sv-empty">${gettext("No saved versions yet.")}</li>`;
  return versions.map(
    (v) => html`<li key=${v.version}>
      <span class="version-no">${interpolate(gettext("Version %(version)s"), { version: v.version })}</span>
      ${v.note ? ` · ${v.note}` : ""}
      <span class="version-meta">${[v.updated_by, v.updated_at ? formatDateTime(v.updated_at) : ""].filter(Boolean).join(" · ")}</span>
    </li>`,
  );
}

function Problems({ errors }) {
  return errors.map((text, index) => html`<li key=${index}>${text}</li>`);
}

/** Where JSON.parse stopped, as "line 3, column 7", when the engine says. */
function whereParsingFailed(message, text) {
  const lineColumn = message.match(/line (\d+) column (\d+)/);
  if (lineColumn) return interpolate(gettext("line %(line)s, column %(column)s"), { line: lineColumn[1], column: lineColumn[2] });
  const position = message.match(/position (\d+)/);
  if (!position) return "";
  const before = text.slice(0, Number(position[1])).split("\n");
  return interpolate(gettext("line %(line)s, column %(column)s"), { line: before.length, column: before[before.length - 1].length + 1 });
}

export function createLexiconEditor(session) {
  const editor = $("#lexicon-editor");
  const lexicon = {
    loaded: false,
    baseVersion: null,
    savedText: "",

    async open() {
      if (!this.loaded) await this.load();
    },

    get dirty() {
      return this.loaded && editor.value !== this.savedText;
    },

    setStatus(text, kind = "") {
      const status = $("#lexicon-status");
      status.textContent = text;
      status.className = `lexicon-status${kind ? ` is-${kind}` : ""}`;
    },

    setErrors(errors) {
      render(html`<${Problems} errors=${errors} />`, $("#lexicon-errors"));
    },

    async load() {
      this.setStatus(gettext("Loading…"));
      this.setErrors([]);
      try {
        const current = await session.fetch("/crisis/lexicon");
        this.baseVersion = current.version;
        this.savedText = JSON.stringify(current.document, null, 2);
        editor.value = this.savedText;
        editor.removeAttribute("aria-invalid");
        this.loaded = true;
        this.describe(current);
        this.setStatus("");
      } catch (problem) {
        this.setStatus(describeHttp(problem), "error");
      }
      this.loadVersions();
    },

    describe(view) {
      $("#lexicon-info").textContent = view.updated_at
        ? interpolate(gettext("Version %(version)s, saved by %(who)s on %(when)s."), {
            version: view.version,
            who: view.updated_by || gettext("the system"),
            when: formatDateTime(view.updated_at),
          })
        : gettext("The lexicon shipped with the system is in use; nobody has edited it yet.");
    },

    async loadVersions() {
      try {
        const answer = await session.fetch("/crisis/lexicon/versions");
        render(html`<${Versions} versions=${answer.versions || []} />`, $("#lexicon-versions"));
      } catch {
        // The list is a convenience; the editor works without it.
      }
    },

    /** The editor's document, or null after saying what is wrong with it. */
    check() {
      let value;
      try {
        value = JSON.parse(editor.value);
        editor.removeAttribute("aria-invalid");
      } catch (problem) {
        editor.setAttribute("aria-invalid", "true");
        const message = String(problem.message || problem);
        const where = whereParsingFailed(message, editor.value);
        this.setStatus(interpolate(gettext("Not valid JSON (%(where)s)."), { where: where || message }), "error");
        return null;
      }
      if (typeof value !== "object" || Array.isArray(value) || value === null) {
        this.setStatus(gettext("The lexicon must be a JSON object."), "error");
        return null;
      }
      this.setStatus(this.dirty ? gettext("Valid JSON. Unsaved changes.") : "");
      return value;
    },

    async save() {
      const document = this.check();
      if (!document) return;
      if (!this.dirty) {
        this.setStatus(gettext("Nothing has changed."));
        return;
      }
      const note = $("#lexicon-note").value.trim();
      const button = $("#lexicon-save");
      button.disabled = true;
      this.setErrors([]);
      try {
        const saved = await session.fetch("/crisis/lexicon", {
          method: "PUT",
          body: { document, note, base_version: this.baseVersion },
        });
        this.baseVersion = saved.version;
        this.savedText = JSON.stringify(saved.document, null, 2);
        editor.value = this.savedText;
        $("#lexicon-note").value = "";
        this.describe(saved);
        this.setStatus(interpolate(gettext("Saved as version %(version)s. The detector uses it now."), { version: saved.version }), "ok");
        this.loadVersions();
      } catch (problem) {
        if (problem instanceof ApiError && problem.status === 409) {
          this.setStatus(gettext("Someone else saved a newer version while you were editing. Copy your changes somewhere safe, then reload."), "error");
        } else if (problem instanceof ApiError && problem.status === 400) {
          // The server's list names each place and problem; our own sentence introduces it.
          this.setStatus(gettext("The lexicon was not accepted. Please fix the problems listed below."), "error");
          this.setErrors(Array.isArray(problem.body.errors) ? problem.body.errors.map(String) : []);
        } else this.setStatus(describeHttp(problem), "error");
      } finally {
        button.disabled = false;
      }
    },
  };

  let checkTimer = null;
  editor.addEventListener("input", () => {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(() => lexicon.check(), 300);
  });
  editor.addEventListener("keydown", (event) => {
    // Tab indents inside the editor; Escape then Tab leaves it (keyboard users are not trapped).
    if (event.key === "Tab" && !event.shiftKey && !editor.dataset.escaped) {
      event.preventDefault();
      const { selectionStart, selectionEnd, value } = editor;
      editor.value = `${value.slice(0, selectionStart)}  ${value.slice(selectionEnd)}`;
      editor.selectionStart = editor.selectionEnd = selectionStart + 2;
    } else if (event.key === "Escape") editor.dataset.escaped = "1";
    else delete editor.dataset.escaped;
  });
  $("#lexicon-format").addEventListener("click", () => {
    const document = lexicon.check();
    if (document) {
      editor.value = JSON.stringify(document, null, 2);
      lexicon.check();
    }
  });
  $("#lexicon-reload").addEventListener("click", async () => {
    if (lexicon.dirty) {
      const confirmed = await confirmDialog({
        title: gettext("Discard your changes?"),
        text: gettext("Reloading replaces the editor with the latest saved version."),
        ok: gettext("Discard and reload"),
        cancel: gettext("Keep editing"),
        danger: true,
      });
      if (!confirmed) return;
    }
    lexicon.loaded = false;
    lexicon.load();
  });
  $("#lexicon-save").addEventListener("click", () => lexicon.save());
  window.addEventListener("beforeunload", (event) => {
    if (lexicon.dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  return lexicon;
}
