// An honest countdown: it counts to the offer's `expiresAt`, fixed by Cartpath when the
// offer was first shown, so reloading the page does not start it again.

/** Whole seconds left (never below 0), or null when the offer has no countdown. */
export function secondsLeft(expiresAt, now) {
  if (!expiresAt) return null;
  const end = Date.parse(expiresAt);
  if (Number.isNaN(end)) return null;
  return Math.max(0, Math.ceil((end - now) / 1000));
}

export function formatCountdown(seconds) {
  const minutes = Math.floor(seconds / 60);
  const rest = String(seconds % 60).padStart(2, '0');
  return `${minutes}:${rest}`;
}
