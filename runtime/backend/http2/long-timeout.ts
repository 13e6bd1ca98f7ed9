/** The longest delay setTimeout honours; a longer one fires at once. */
export const maxTimerMs = 0x7fffffff;

/**
 * Calls `fire` once `at` (epoch ms) has passed, chaining timers for a moment further away
 * than setTimeout can wait. Returns the function that stops it. The timer never keeps the
 * process alive by itself: the call it guards does.
 */
export function fireAt(at: number, fire: () => void): () => void {
  let timer: NodeJS.Timeout;
  const arm = (): void => {
    const left = at - Date.now();
    if (left <= 0) return fire();
    timer = setTimeout(left > maxTimerMs ? arm : fire, Math.min(left, maxTimerMs));
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}
