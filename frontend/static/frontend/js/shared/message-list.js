// One conversation as the three pages show it: speech bubbles (pending until the
// server stored them), system lines, supervisors' whispers and our own notices,
// rendered by components into an <ol role="log">. Text is always text: htm
// makes text nodes of it, never HTML.
//
// MessageListView keeps the items in order: messages by seq (one item per seq,
// whatever order history and live frames come in), our pending messages by
// client_id at the end until their seq is known, notes between the seqs they
// arrived after. It renders after each change and keeps the list scrolled to
// the end when the reader was there.

import { gettext } from "../i18n.js";
import { formatTime } from "./format.js";
import { html, render } from "./preact.js";

const NEAR_BOTTOM_PX = 120;
const PENDING_KEY = Number.MAX_SAFE_INTEGER;

/** A message held back while the server is busy: it goes by itself, nothing to do. */
const heldText = () => gettext("Many people are writing now: your message will go by itself");

function Bubble({ item }) {
  const { sender, own, pending, name, showName } = item;
  const classes = `msg msg--${sender}${own ? " msg--own" : ""}${pending ? " msg--pending" : ""}`;
  return html`
    <li class=${classes} data-seq=${item.seq ?? undefined}>
      ${showName && !own ? html`<span class="msg-sender" aria-hidden="true">${name}</span>` : null}
      <div class="bubble">
        <span class="visually-hidden">${own ? gettext("You said:") : `${name}:`}</span>
        <p class="msg-text">${item.text}</p>
      </div>
      <span class="msg-meta">
        <time datetime=${item.at || ""}>${formatTime(item.at)}</time>
        <span class=${`msg-status${pending ? " msg-status--pending" : ""}`}>${pending ? (item.held ? heldText() : gettext("Sending")) : ""}</span>
        ${item.action && typeof item.seq === "number"
          ? html`<button class="msg-action" type="button" aria-label=${item.action.describe(item)}
              onClick=${() => item.action.onAction(item)}><svg class="msg-action-icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M5 21V4h11l-1.5 4L16 12H5" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/></svg>${item.action.label}</button>`
          : null}
      </span>
    </li>`;
}

function SystemLine({ item }) {
  return html`<li class="msg msg--system" data-seq=${item.seq}><p class="msg-text">${item.text}</p></li>`;
}

function Whisper({ item }) {
  const label = item.from ? `${gettext("Supervisor tip")} · ${item.from}` : gettext("Supervisor tip");
  return html`
    <li class="msg msg--whisper">
      <div class="whisper" role="note">
        <span class="whisper-label">${label}</span>
        <p class="msg-text">${item.text}</p>
      </div>
    </li>`;
}

function Notice({ item }) {
  return html`<li class="msg msg--notice"><p class="msg-text">${item.text}</p></li>`;
}

const KINDS = { bubble: Bubble, system: SystemLine, whisper: Whisper, notice: Notice };

export function MessageItems({ items }) {
  return items.map((item) => html`<${KINDS[item.kind]} key=${item.id} item=${item} />`);
}

export class MessageListView {
  /**
   * @param {HTMLOListElement} list
   * @param {{scroller?: HTMLElement, own: string, senderName: (sender: string) => string,
   *          showSender?: (sender: string) => boolean,
   *          bubbleAction?: {sender: string, label: string, describe: (item) => string, onAction: (item) => void}}} options
   *   own: the sender this viewer writes as ("youth", "counselor", "supervisor");
   *   senderName: the visible or spoken name of each sender, taken when a message arrives;
   *   showSender: whether the name is shown above the bubble (always read to screen readers);
   *   bubbleAction: a small button under each stored bubble of `sender` (the counselor's
   *   "worried about this message"); `describe` is its spoken name, `onAction` gets the item
   *   (its `seq` and `text`).
   */
  constructor(list, { scroller, own, senderName, showSender, bubbleAction }) {
    this.list = list;
    this.scroller = scroller || list;
    this.own = own;
    this.senderName = senderName;
    this.showSender = showSender || ((sender) => sender === "supervisor");
    this.bubbleAction = bubbleAction || null;
    this.items = []; // sorted by key
    this.bySeq = new Map();
    this.byClientId = new Map();
    this.lastSeq = 0;
    this.noteCount = 0;
    this.nextId = 1;
  }

  get count() {
    return this.bySeq.size;
  }

  clear() {
    this.items = [];
    this.bySeq.clear();
    this.byClientId.clear();
    this.lastSeq = 0;
    this.paint();
  }

  isNearBottom() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < NEAR_BOTTOM_PX;
  }

  scrollToEnd() {
    const s = this.scroller;
    s.scrollTop = s.scrollHeight;
  }

  paint() {
    render(html`<${MessageItems} items=${this.items} />`, this.list);
  }

  /** Apply a change and render; stay at the end if the reader was there (or `force`). */
  change(action, { force = false } = {}) {
    const stick = force || this.isNearBottom();
    action();
    this.paint();
    if (stick) this.scrollToEnd();
  }

  /** Put an item at its place by key: seq; notes between seqs; pending last. */
  place(item, key) {
    const at = this.items.indexOf(item);
    if (at !== -1) this.items.splice(at, 1);
    item.key = key;
    let index = this.items.length;
    while (index > 0 && this.items[index - 1].key > key) index -= 1;
    this.items.splice(index, 0, item);
  }

  newItem(fields) {
    const item = { id: this.nextId, ...fields };
    this.nextId += 1;
    return item;
  }

  bubble(sender, text, { at, pending = false }) {
    const own = sender === this.own;
    return this.newItem({
      kind: "bubble", sender, text, at, pending, own,
      name: this.senderName(sender), showName: this.showSender(sender),
      action: this.bubbleAction && this.bubbleAction.sender === sender ? this.bubbleAction : null,
    });
  }

  /** A stored MESSAGE (live or from history). */
  upsert(message) {
    if (this.bySeq.has(message.seq)) return;
    this.change(() => {
      let item = message.client_id ? this.byClientId.get(message.client_id) : null;
      if (item) item.pending = false;
      else if (message.sender === "system") item = this.newItem({ kind: "system", text: message.text });
      else item = this.bubble(message.sender, message.text, { at: message.at });
      if (message.client_id) this.byClientId.set(message.client_id, item);
      item.seq = message.seq;
      this.bySeq.set(message.seq, item);
      this.place(item, message.seq);
      this.lastSeq = Math.max(this.lastSeq, message.seq);
    });
  }

  /** The server is busy (or back): our pending messages say so until they are stored. */
  setHeld(held) {
    this.held = held;
    this.change(() => {
      for (const item of this.byClientId.values()) if (item.pending) item.held = held;
    });
  }

  /** Our own message before the server stored it. */
  addPending(entry) {
    if (this.byClientId.has(entry.client_id)) return;
    this.change(() => {
      const item = this.bubble(this.own, entry.text, { at: entry.at, pending: true });
      item.held = Boolean(this.held);
      this.byClientId.set(entry.client_id, item);
      this.place(item, PENDING_KEY);
    }, { force: true });
  }

  /** The server stored our message as `seq`. */
  ack(clientId, seq) {
    const item = this.byClientId.get(clientId);
    if (!item || typeof seq !== "number") return;
    const stored = this.bySeq.get(seq);
    this.change(() => {
      if (stored && stored !== item) {
        // The MESSAGE came first and is already shown.
        this.items.splice(this.items.indexOf(item), 1);
        return;
      }
      item.pending = false;
      item.seq = seq;
      this.bySeq.set(seq, item);
      this.place(item, seq);
      this.lastSeq = Math.max(this.lastSeq, seq);
    });
  }

  noteKey() {
    // Notes sit after the last message seen when they arrived.
    this.noteCount += 1;
    return this.lastSeq + 0.5 + Math.min(0.49, this.noteCount / 1e6);
  }

  /** A supervisor's whisper: for the counselor's (and supervisors') eyes only. */
  addWhisper({ text, from }) {
    this.change(() => this.place(this.newItem({ kind: "whisper", text, from }), this.noteKey()), { force: true });
  }

  /** A line of our own (not from the server), e.g. "the counselor has joined". */
  addNotice(text) {
    this.change(() => this.place(this.newItem({ kind: "notice", text }), this.noteKey()));
  }
}
