// Short notes in the corner (#toasts in base.html, a polite live region),
// rendered by one component.

import { html, render } from "./preact.js";

let toasts = [];
let nextId = 1;

function Toasts({ items }) {
  return items.map((item) => html`<div key=${item.id} class=${`toast toast--${item.kind}`}>${item.text}</div>`);
}

function paint() {
  const host = document.getElementById("toasts");
  if (host) render(html`<${Toasts} items=${toasts} />`, host);
}

export function toast(text, { kind = "info", ms = 3500 } = {}) {
  const item = { id: nextId, text, kind };
  nextId += 1;
  toasts = [...toasts, item];
  paint();
  setTimeout(() => {
    toasts = toasts.filter((other) => other !== item);
    paint();
  }, ms);
}
