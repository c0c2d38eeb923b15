// The connection state, shown discreetly: the banner appears only when a
// reconnect takes more than a moment, so a blip does not alarm anybody.

import { gettext } from "../i18n.js";

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
