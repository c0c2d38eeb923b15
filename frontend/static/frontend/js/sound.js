// Notification sounds made with WebAudio, so no audio file is needed.
// Browsers only let a page play sound after the person has interacted with
// it; unlockAudio() is called from the first click or key press.

let context = null;

function audioContext() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return null;
  if (!context) context = new Context();
  return context;
}

export function unlockAudio() {
  const ctx = audioContext();
  if (ctx && ctx.state === "suspended") ctx.resume().catch(() => {});
  return ctx;
}

export function audioReady() {
  return Boolean(context && context.state === "running");
}

/** Unlock on the first interaction, whatever it is. */
export function unlockOnFirstGesture(onUnlocked) {
  const handler = () => {
    unlockAudio();
    if (audioReady() && onUnlocked) onUnlocked();
    if (audioReady()) {
      window.removeEventListener("pointerdown", handler, true);
      window.removeEventListener("keydown", handler, true);
    }
  };
  window.addEventListener("pointerdown", handler, true);
  window.addEventListener("keydown", handler, true);
}

function tone(ctx, { frequency, start, duration, type = "sine", peak = 0.12 }) {
  const oscillator = ctx.createOscillator();
  const gain = ctx.createGain();
  oscillator.type = type;
  oscillator.frequency.setValueAtTime(frequency, start);
  // A soft attack and a long exponential release: a chime, not a beep.
  gain.gain.setValueAtTime(0.0001, start);
  gain.gain.exponentialRampToValueAtTime(peak, start + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, start + duration);
  oscillator.connect(gain).connect(ctx.destination);
  oscillator.start(start);
  oscillator.stop(start + duration + 0.05);
}

/** A soft two-note chime: a new conversation, a new message in the background. */
export function chime() {
  const ctx = audioContext();
  if (!ctx || ctx.state !== "running") return false;
  const now = ctx.currentTime;
  tone(ctx, { frequency: 659.25, start: now, duration: 0.5 }); // E5
  tone(ctx, { frequency: 987.77, start: now + 0.16, duration: 0.7 }); // B5
  return true;
}

/** A crisis alert: clearer and repeated, more for a higher level, still not harsh. */
export function alertSound(level = 2) {
  const ctx = audioContext();
  if (!ctx || ctx.state !== "running") return false;
  const now = ctx.currentTime;
  const rounds = level >= 4 ? 3 : level >= 3 ? 2 : 1;
  for (let round = 0; round < rounds; round += 1) {
    const t = now + round * 0.9;
    tone(ctx, { frequency: 587.33, start: t, duration: 0.28, type: "triangle", peak: 0.2 }); // D5
    tone(ctx, { frequency: 739.99, start: t + 0.18, duration: 0.28, type: "triangle", peak: 0.2 }); // F#5
    tone(ctx, { frequency: 880.0, start: t + 0.36, duration: 0.45, type: "triangle", peak: 0.2 }); // A5
  }
  return true;
}
