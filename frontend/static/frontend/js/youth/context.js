// What every module of the youth page shares: the identity, the socket, the
// conversation sync, the message list and the page's state.
//
// The refresh token is kept in localStorage so that a reload (or a language
// switch, which reloads) keeps the same anonymous identity and conversation:
// auth.ok lists the open conversation, `history` after seq 0 brings the
// transcript back, and the outbox resends whatever was not acknowledged.
// The transcript itself is never written to storage: a shared phone must not
// keep it.

import { gettext } from "../i18n.js";
import { Session, TokenStore, safeStorage } from "../api.js";
import { ConversationSync, RealtimeClient } from "../ws-client.js";
import { MessageListView } from "../shared/message-list.js";
import { TypingIndicator } from "../shared/typing.js";
import { $ } from "../shared/dom.js";

export const storage = safeStorage("local");
export const tokens = new TokenStore(storage, "yl.youth");

export const state = {
  screen: "loading",
  conversation: null,
  status: null, // "queued" | "active" | "closed" | "ended"
  topic: null,
  counselor: null,
  everAssigned: false, // a counselor took it at least once: a survey is due at the end
  pendingTopic: null, // asked for before the socket was ready
  surveyConversation: null,
  leaveConversation: null,
  unavailableReason: null, // the card shown when nobody can answer: why
  unavailableDismissed: null, // the reason whose card the youth answered with "keep waiting"
  safetyLevel: 0, // the safety response shown (3 or 4), kept for the rest of the visit
};

/** Filled in by main.js: what to do when the refresh token is refused. */
export const hooks = { identityLost: () => {} };

export const session = new Session(tokens, { onLost: () => hooks.identityLost() });
export const client = new RealtimeClient(session);
export const sync = new ConversationSync(client, { storage, key: "yl.youth.outbox" });
export const typing = new TypingIndicator($("#typing"));

export const view = new MessageListView($("#messages"), {
  scroller: $("#chat-scroll"),
  own: "youth",
  senderName: (sender) =>
    ({
      counselor: state.counselor || gettext("Counselor"),
      supervisor: gettext("Supervisor"),
      youth: gettext("You"),
    })[sender] || "",
  showSender: (sender) => sender === "supervisor",
});
