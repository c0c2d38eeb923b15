// Renders one conversation into an <ol role="log">. Messages are keyed by
// seq (one element per seq, whatever order history and live frames come in),
// pending messages by client_id until their seq is known. Text always goes
// in as textContent.

import { gettext } from "./i18n.js";
import { el, formatTime } from "./ui.js";

const NEAR_BOTTOM_PX = 120;

export class MessageListView {
  /**
   * @param {HTMLOListElement} list
   * @param {{scroller?: HTMLElement, own: string, senderName: (sender: string) => string,
   *          showSender?: (sender: string) => boolean}} options
   *   own: the sender this viewer writes as ("youth", "counselor", "supervisor");
   *   senderName: the visible or spoken name of each sender;
   *   showSender: whether the name is shown above the bubble (always read to screen readers).
   */
  constructor(list, { scroller, own, senderName, showSender }) {
    this.list = list;
    this.scroller = scroller || list;
    this.own = own;
    this.senderName = senderName;
    this.showSender = showSender || ((sender) => sender === "supervisor");
    this.bySeq = new Map();
    this.byClientId = new Map();
    this.lastSeq = 0;
    this.noteCount = 0;
  }

  clear() {
    this.list.replaceChildren();
    this.bySeq.clear();
    this.byClientId.clear();
    this.lastSeq = 0;
  }

  get count() {
    return this.bySeq.size;
  }

  isNearBottom() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < NEAR_BOTTOM_PX;
  }

  scrollToEnd() {
    const s = this.scroller;
    s.scrollTop = s.scrollHeight;
  }

  /** Insert keeping the order of data-key (seq; notes between seqs; pending last). */
  place(node, key) {
    node.dataset.key = String(key);
    let before = null;
    for (let child = this.list.lastElementChild; child; child = child.previousElementSibling) {
      if (Number(child.dataset.key) <= key) break;
      before = child;
    }
    this.list.insertBefore(node, before);
  }

  withScroll(action, { force = false } = {}) {
    const stick = force || this.isNearBottom();
    action();
    if (stick) this.scrollToEnd();
  }

  bubble(sender, text, { at, pending = false, label } = {}) {
    const own = sender === this.own;
    const name = label || this.senderName(sender);
    const node = el(
      "li",
      { class: `msg msg--${sender}${own ? " msg--own" : ""}${pending ? " msg--pending" : ""}` },
      this.showSender(sender) && !own ? el("span", { class: "msg-sender", "aria-hidden": "true", text: name }) : null,
      el(
        "div",
        { class: "bubble" },
        el("span", { class: "visually-hidden", text: own ? gettext("You said:") : `${name}:` }),
        el("p", { class: "msg-text", text }),
      ),
      el(
        "span",
        { class: "msg-meta" },
        el("time", { datetime: at || "", text: formatTime(at) }),
        el("span", { class: `msg-status${pending ? " msg-status--pending" : ""}`, text: pending ? gettext("Sending") : "" }),
      ),
    );
    return node;
  }

  /** A stored MESSAGE (live or from history). */
  upsert(message) {
    if (this.bySeq.has(message.seq)) return this.bySeq.get(message.seq);
    let node = message.client_id ? this.byClientId.get(message.client_id) : null;
    this.withScroll(() => {
      if (node) {
        this.markSent(node);
      } else if (message.sender === "system") {
        node = el("li", { class: "msg msg--system" }, el("p", { class: "msg-text", text: message.text }));
      } else {
        node = this.bubble(message.sender, message.text, { at: message.at });
      }
      if (message.client_id) this.byClientId.set(message.client_id, node);
      node.dataset.seq = String(message.seq);
      this.bySeq.set(message.seq, node);
      this.place(node, message.seq);
      this.lastSeq = Math.max(this.lastSeq, message.seq);
    });
    return node;
  }

  markSent(node) {
    node.classList.remove("msg--pending");
    const status = node.querySelector(".msg-status");
    if (status) {
      status.classList.remove("msg-status--pending");
      status.textContent = "";
    }
  }

  /** Our own message before the server stored it. */
  addPending(item) {
    if (this.byClientId.has(item.client_id)) return;
    const node = this.bubble(this.own, item.text, { at: item.at, pending: true });
    node.dataset.clientId = item.client_id;
    this.byClientId.set(item.client_id, node);
    this.withScroll(() => this.place(node, Number.MAX_SAFE_INTEGER), { force: true });
  }

  /** The server stored our message as `seq`. */
  ack(clientId, seq) {
    const node = this.byClientId.get(clientId);
    if (!node || typeof seq !== "number") return;
    if (this.bySeq.has(seq) && this.bySeq.get(seq) !== node) {
      node.remove(); // the MESSAGE came first and is already shown
      return;
    }
    this.markSent(node);
    node.dataset.seq = String(seq);
    this.bySeq.set(seq, node);
    this.place(node, seq);
    this.lastSeq = Math.max(this.lastSeq, seq);
  }

  noteKey() {
    // Notes sit after the last message seen when they arrived.
    this.noteCount += 1;
    return this.lastSeq + 0.5 + Math.min(0.49, this.noteCount / 1e6);
  }

  /** A supervisor's whisper: for the counselor's (and supervisors') eyes only. */
  addWhisper({ text, from }) {
    const node = el(
      "li",
      { class: "msg msg--whisper" },
      el(
        "div",
        { class: "whisper", role: "note" },
        el("span", { class: "whisper-label", text: from ? `${gettext("Supervisor tip")} · ${from}` : gettext("Supervisor tip") }),
        el("p", { class: "msg-text", text }),
      ),
    );
    this.withScroll(() => this.place(node, this.noteKey()), { force: true });
    return node;
  }

  /** A line of our own (not from the server), e.g. "the counselor has joined". */
  addNotice(text) {
    const node = el("li", { class: "msg msg--notice" }, el("p", { class: "msg-text", text }));
    this.withScroll(() => this.place(node, this.noteKey()));
    return node;
  }
}
