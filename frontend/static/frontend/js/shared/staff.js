// What the counselor and supervisor consoles share: the session in
// sessionStorage (it dies with the tab), the redirect to sign-in, sign-out,
// the connection banner and the sound switch.

import { gettext } from "../i18n.js";
import { Session, TokenStore, homeForRole, safeStorage } from "../api.js";
import { RealtimeClient } from "../ws-client.js";
import { audioReady, unlockAudio, unlockOnFirstGesture } from "../sound.js";
import { $ } from "./dom.js";
import { bindConnectionBanner } from "./connection.js";

export const staffStorage = safeStorage("session");

function goToLogin() {
  const next = encodeURIComponent(window.location.pathname);
  window.location.replace(`/console/login/?next=${next}`);
}

export function roleLabel(role) {
  return (
    {
      counselor: gettext("Counselor"),
      supervisor: gettext("Supervisor"),
      admin: gettext("Administrator"),
      centre: gettext("Service centre"),
      manager: gettext("Manager"),
    }[role] || role || ""
  );
}

/**
 * Start a staff page, or send the browser where it belongs: to sign-in
 * without a token, to the other console for another role.
 * @returns {{tokens: TokenStore, session: Session, client: RealtimeClient} | null}
 */
export function startStaffPage({ roles }) {
  const tokens = new TokenStore(staffStorage, "yl.staff");
  if (!tokens.hasIdentity) {
    goToLogin();
    return null;
  }
  if (tokens.role && !roles.includes(tokens.role)) {
    window.location.replace(homeForRole(tokens.role));
    return null;
  }
  const session = new Session(tokens, { onLost: goToLogin });
  const client = new RealtimeClient(session);
  bindConnectionBanner(client, $("#conn-banner"), $("#conn-banner-text"));

  // Admins read no transcript, so not the messages youths left either.
  const leftMessages = $("#left-messages-link");
  if (leftMessages && tokens.role === "admin") leftMessages.hidden = true;

  const user = $("#console-user");
  if (user) user.textContent = [tokens.get("username"), roleLabel(tokens.role)].filter(Boolean).join(" · ");

  $("#logout-button").addEventListener("click", async () => {
    // A counselor who signs out takes no new conversations (the server would only notice
    // after the grace period).
    if (tokens.role === "counselor") client.send({ type: "presence", status: "away" });
    client.stop();
    await session.logout();
    for (const key of Object.keys(staffStorage)) {
      if (key.startsWith("yl.staff.")) staffStorage.removeItem(key);
    }
    goToLogin();
  });

  client.on("auth.ok", (frame) => {
    if (frame.role && !roles.includes(frame.role)) {
      client.stop();
      window.location.replace(homeForRole(frame.role));
    }
  });

  // Alerts must be heard: offer the sound switch until the browser allows audio.
  const soundButton = $("#sound-button");
  const refreshSoundButton = () => {
    soundButton.hidden = audioReady();
  };
  soundButton.addEventListener("click", () => {
    unlockAudio();
    setTimeout(refreshSoundButton, 100);
  });
  unlockOnFirstGesture(refreshSoundButton);
  setTimeout(refreshSoundButton, 500);

  session.schedule();
  return { tokens, session, client };
}
