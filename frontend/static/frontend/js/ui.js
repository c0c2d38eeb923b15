// Small DOM helpers and the labels every page shows.
// Anything a person typed goes into the page through textContent only.

import { gettext, interpolate } from "./i18n.js";

/** Build an element. Strings become text nodes, never HTML. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name.startsWith("on") && typeof value === "function") node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

export function $$(selector, root = document) {
  return Array.from(root.querySelectorAll(selector));
}

export function toast(text, { kind = "info", ms = 3500 } = {}) {
  const host = document.getElementById("toasts");
  if (!host) return;
  const node = el("div", { class: `toast toast--${kind}`, text });
  host.append(node);
  setTimeout(() => node.remove(), ms);
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

export function formatTime(iso) {
  const date = iso ? new Date(iso) : new Date();
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleTimeString(document.documentElement.lang || undefined, { hour: "2-digit", minute: "2-digit" });
}

export function formatDateTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleString(document.documentElement.lang || undefined, {
    month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  });
}

/** "3 min", "45 s": how long ago, or how long something lasted. */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return interpolate(gettext("%(n)s s"), { n: s });
  const m = Math.floor(s / 60);
  if (m < 60) return interpolate(gettext("%(n)s min"), { n: m });
  return interpolate(gettext("%(h)s h %(m)s min"), { h: Math.floor(m / 60), m: m % 60 });
}

export function topicLabel(topic) {
  return (
    {
      psych: gettext("Psychological counseling"),
      legal: gettext("Legal advice"),
      aid: gettext("Hardship support"),
    }[topic] || topic || ""
  );
}

export function topicShortLabel(topic) {
  return { psych: gettext("Psych"), legal: gettext("Legal"), aid: gettext("Aid") }[topic] || topic || "";
}

export function categoryLabel(category) {
  return (
    {
      suicide: gettext("Suicide"),
      self_harm: gettext("Self-harm"),
      bullying: gettext("Bullying"),
      sexual_abuse: gettext("Sexual abuse"),
      violence: gettext("Violence"),
      fraud: gettext("Fraud"),
    }[category] || category || ""
  );
}

export function riskLabel(level) {
  return (
    [
      gettext("No risk"),
      gettext("Concern"),
      gettext("Elevated"),
      gettext("High"),
      gettext("Imminent danger"),
    ][level] || ""
  );
}

/** A risk badge element, or null for level 0. */
export function riskBadge(level) {
  if (!level) return null;
  return el("span", {
    class: `badge badge--risk-${level}`,
    text: interpolate(gettext("Risk %(level)s"), { level }),
    title: riskLabel(level),
  });
}

/**
 * Show the connection state discreetly: the banner appears only when a
 * reconnect takes more than a moment, so a blip does not alarm anybody.
 */
export function bindConnectionBanner(client, banner, textNode) {
  let timer = null;
  const show = (text) => {
    if (textNode) textNode.textContent = text;
    banner.hidden = false;
  };
  client.on("state", (state) => {
    clearTimeout(timer);
    if (state === "open" || state === "stopped" || state === "idle" || state === "lost") {
      banner.hidden = true;
      return;
    }
    const text =
      state === "offline"
        ? gettext("You seem to be offline. We'll reconnect as soon as the network is back.")
        : gettext("The connection is unstable. Reconnecting…");
    if (!banner.hidden) show(text);
    else timer = setTimeout(() => show(text), 1500);
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

/** Grow a textarea with its content, up to its CSS max-height. */
export function autoGrow(textarea) {
  const fit = () => {
    textarea.style.height = "auto";
    textarea.style.height = `${textarea.scrollHeight + 3}px`;
  };
  textarea.addEventListener("input", fit);
  return fit;
}
