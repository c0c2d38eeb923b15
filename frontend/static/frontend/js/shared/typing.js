// "The counselor is typing": shown for a few seconds after each typing frame,
// gone when the message itself arrives.

import { render } from "./preact.js";

const SHOWN_MS = 6000;

export class TypingIndicator {
  /** @param {HTMLElement} node a polite live region (p.typing) */
  constructor(node) {
    this.node = node;
    this.timer = null;
  }

  show(text) {
    render(text, this.node);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.clear(), SHOWN_MS);
  }

  clear() {
    clearTimeout(this.timer);
    render(null, this.node);
  }
}
