// Keyboard shortcuts of the console (listed in the "Shortcuts" dialog):
// Alt+1..9 a conversation, Alt+↑/↓ the previous or next one, Alt+R the reply
// box, Alt+N a private note, ? this list. event.code, not event.key: on a Mac
// Alt+R types "®", and a Chinese input method changes what the keys type.

/** What a key press asks for, or null. */
export function shortcutFor(event) {
  const target = event.target;
  const typing = Boolean(target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/u.test(target.tagName || "")));
  if (event.isComposing) return null;
  if (event.altKey && !event.ctrlKey && !event.metaKey) {
    const digit = /^Digit([1-9])$/u.exec(event.code || "");
    if (digit) return { type: "tab", index: Number(digit[1]) - 1 };
    if (event.code === "ArrowUp" || event.code === "ArrowDown") return { type: "step", by: event.code === "ArrowUp" ? -1 : 1 };
    if (event.code === "KeyR") return { type: "composer" };
    if (event.code === "KeyN") return { type: "note" };
    return null;
  }
  if (!typing && !event.altKey && !event.ctrlKey && !event.metaKey && event.key === "?") return { type: "help" };
  return null;
}

/** The conversation a tab or step shortcut lands on, or null. */
export function targetOf(shortcut, ids, activeId) {
  if (!ids.length) return null;
  if (shortcut.type === "tab") return ids[shortcut.index] ?? null;
  if (shortcut.type === "step") {
    const at = ids.indexOf(activeId);
    if (at === -1) return ids[0];
    return ids[(at + shortcut.by + ids.length) % ids.length];
  }
  return null;
}

/**
 * @param {{ids: () => number[], activeId: () => number | null, select: (id: number) => void,
 *          composer: () => void, note: () => void}} desk
 */
export function bindShortcuts(desk) {
  const dialog = document.getElementById("shortcuts-dialog");
  const showHelp = () => dialog && !dialog.open && dialog.showModal();
  document.getElementById("shortcuts-button")?.addEventListener("click", showHelp);
  dialog?.querySelector('[data-action="close"]')?.addEventListener("click", () => dialog.close());
  document.addEventListener("keydown", (event) => {
    if (document.querySelector("dialog[open]")) return; // a dialog has the keys
    const shortcut = shortcutFor(event);
    if (!shortcut) return;
    if (shortcut.type === "help") showHelp();
    else if (shortcut.type === "composer") desk.composer();
    else if (shortcut.type === "note") desk.note();
    else {
      const id = targetOf(shortcut, desk.ids(), desk.activeId());
      if (id === null) return;
      desk.select(id);
    }
    event.preventDefault();
  });
}
