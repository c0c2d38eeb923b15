// The few DOM helpers the pages still need around their components: lookups,
// the confirm dialog of base.html, the flashing tab title and the auto-growing
// textarea.

import { gettext } from "../i18n.js";

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function $$(selector, root = document) {
  return Array.from(root.querySelectorAll(selector));
}

/** A confirm dialog with our own wording; resolves true when confirmed. */
export function confirmDialog({ title, text = "", ok, cancel, danger = false }) {
  const dialog = document.getElementById("confirm-dialog");
  if (!dialog || typeof dialog.showModal !== "function") {
    return Promise.resolve(window.confirm(`${title}\n${text}`));
  }
  document.getElementById("confirm-dialog-title").textContent = title;
  document.getElementById("confirm-dialog-text").textContent = text;
  const okButton = document.getElementById("confirm-dialog-ok");
  const cancelButton = document.getElementById("confirm-dialog-cancel");
  okButton.textContent = ok || gettext("OK");
  cancelButton.textContent = cancel || gettext("Cancel");
  okButton.className = `btn ${danger ? "btn-danger" : "btn-primary"}`;
  dialog.returnValue = "";
  dialog.showModal();
  // Safer default: the button that changes nothing has the focus.
  cancelButton.focus();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
  });
}

/** Open a <dialog> whose form closes it with value "ok"; resolves true when confirmed. */
export function askDialog(dialog) {
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
  });
}

/** Alternate the tab title until the page is looked at. */
export function flashTitle(text) {
  const original = document.title.replace(/^【.*?】/, "");
  let on = false;
  clearInterval(flashTitle.timer);
  const stop = () => {
    clearInterval(flashTitle.timer);
    flashTitle.timer = null;
    document.title = original;
  };
  flashTitle.timer = setInterval(() => {
    on = !on;
    document.title = on ? `【${text}】${original}` : original;
  }, 1000);
  const onSeen = () => {
    if (document.visibilityState === "visible" && document.hasFocus()) {
      stop();
      window.removeEventListener("focus", onSeen);
      document.removeEventListener("visibilitychange", onSeen);
      document.removeEventListener("pointerdown", onSeen);
    }
  };
  // If the page is already in front, flash briefly anyway, then stop on the next interaction.
  window.addEventListener("focus", onSeen);
  document.addEventListener("visibilitychange", onSeen);
  document.addEventListener("pointerdown", onSeen);
  setTimeout(onSeen, 6000);
}

/** Grow a textarea with its content, up to its CSS max-height. Returns the fit function. */
export function autoGrow(textarea) {
  const fit = () => {
    textarea.style.height = "auto";
    textarea.style.height = `${textarea.scrollHeight + 3}px`;
  };
  textarea.addEventListener("input", fit);
  return fit;
}
