// Quick exit (快速离开): one tap leaves for a neutral page, as crisis services do for a youth who
// is overheard or watched. What the page keeps on this phone (the anonymous identity's tokens,
// the unsent messages) is removed, and the page is replaced in the history, so Back does not
// return to it. The conversation stays on the server; nobody else can resume it.

import { client } from "./context.js";

const link = document.getElementById("quick-exit");

function forgetEverythingLocal() {
  for (const store of [window.localStorage, window.sessionStorage]) {
    try {
      for (const key of Object.keys(store)) if (key.startsWith("yl.")) store.removeItem(key);
    } catch {
      // Storage switched off: there is nothing kept to remove.
    }
  }
}

export function quickExit(url) {
  try {
    client.stop();
  } catch {
    // Leaving matters more than closing the socket neatly.
  }
  forgetEverythingLocal();
  document.title = "";
  window.location.replace(url);
}

link.addEventListener("click", (event) => {
  event.preventDefault();
  quickExit(link.href);
});
