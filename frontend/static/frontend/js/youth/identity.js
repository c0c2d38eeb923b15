// The anonymous identity: made on the first "start talking", kept across
// reloads, replaced when the nickname changes or the server refuses it.

import { gettext } from "../i18n.js";
import { apiRequest } from "../api.js";
import { $ } from "../shared/dom.js";
import { toast } from "../shared/toast.js";
import { describeYouthHttpError } from "../shared/errors.js";
import { client, hooks, session, state, sync, tokens } from "./context.js";
import { forgetConversation, showWaiting } from "./chat.js";
import { showScreen } from "./screens.js";

function channel() {
  const inMiniProgram = /miniProgram/i.test(navigator.userAgent) || window.__wxjs_environment === "miniprogram";
  return inMiniProgram ? "miniprogram" : "web";
}

export async function newIdentity(nickname, region = tokens.get("region") || "") {
  const previous = tokens.refresh;
  const body = { channel: channel() };
  if (nickname) body.nickname = nickname;
  if (region) body.region = region; // a GB/T 2260 code (cases/): where a follow-up goes
  const answer = await apiRequest("/auth/youth", { method: "POST", body });
  if (previous) {
    // Best effort: the old identity's tokens are of no use any more.
    session.logout().catch(() => {});
  }
  client.stop();
  sync.pruneOutbox([]);
  session.adopt(answer);
  tokens.set("nickname", nickname || "");
  tokens.set("region", region || "");
}

/**
 * The refresh token was refused: that identity is gone, and its
 * conversation with it. Start a fresh identity; if the youth was asking for
 * a counselor, ask again with the new one.
 */
hooks.identityLost = async () => {
  const wasTalking = state.screen === "chat" && Boolean(state.conversation);
  const topic = state.pendingTopic || (wasTalking ? state.topic : null);
  sync.pruneOutbox([]);
  forgetConversation();
  if (!topic) {
    if (wasTalking) toast(gettext("Your session expired. Please start again; we're still here."));
    showScreen("welcome");
    return;
  }
  try {
    await newIdentity(tokens.get("nickname") || "");
    state.pendingTopic = topic;
    state.topic = topic;
    showWaiting({ position: null });
    client.start();
  } catch (problem) {
    showScreen("welcome");
    $("#start-error").textContent = describeYouthHttpError(problem);
  }
};
