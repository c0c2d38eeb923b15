// Being told while looking elsewhere: a desktop notification (only once the
// counselor allowed them, asked on a click of theirs) and a sound, for a new
// chat and for a risk flag while the page is hidden. A notification shows on
// the desktop, where others may see it: it names the chat, never what the
// young person wrote.

import { gettext, interpolate } from "../i18n.js";
import { alertSound, chime } from "../sound.js";

function supported() {
  return typeof window !== "undefined" && "Notification" in window;
}

export function pageHidden(doc = globalThis.document) {
  return doc?.visibilityState !== "visible";
}

/** Ask for permission; call it from a click or key press (browsers ignore other asks). */
export function askNotificationPermission() {
  if (!supported() || Notification.permission !== "default") return;
  try {
    const asked = Notification.requestPermission();
    if (asked && typeof asked.catch === "function") asked.catch(() => {});
  } catch {
    // Old Safari takes a callback and returns nothing: nothing to wait for.
  }
}

/** Ask on the first click on any of these controls (going available is the natural moment). */
export function askOnGesture(...controls) {
  for (const control of controls) control?.addEventListener("click", askNotificationPermission, { once: true });
}

function notify(title, body, tag, onClick) {
  if (!supported() || Notification.permission !== "granted" || !pageHidden()) return false;
  try {
    const notification = new Notification(title, { body, tag });
    notification.onclick = () => {
      window.focus();
      if (onClick) onClick();
      notification.close();
    };
    return true;
  } catch {
    return false; // some browsers allow notifications only from a service worker
  }
}

/** A new chat: the chime (main.js) and, while the page is hidden, a notification. */
export function announceNewChat({ name, topic, onClick }) {
  notify(gettext("New conversation"), interpolate(gettext("%(name)s · %(topic)s"), { name, topic }), "yl-new-chat", onClick);
}

/** A risk flag: the clearer alert sound while the page is hidden (else the chime), and a notification. */
export function announceRisk({ name, level, conversation, onClick }) {
  if (pageHidden()) alertSound(level);
  else chime();
  notify(
    interpolate(gettext("Risk alert · level %(level)s"), { level }),
    interpolate(gettext("Conversation with %(name)s"), { name }),
    `yl-risk-${conversation}`,
    onClick,
  );
}
