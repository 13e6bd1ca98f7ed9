import type { CallOptions } from "./backend.js";

const noop = (): void => {};

/**
 * Calls `cancel` once if the HTTP client behind `options` goes away; returns the function
 * that stops watching. Uses the gateway's own cheap hook when there is one, else the signal.
 */
export function cancelWhenClientGoes(options: CallOptions, cancel: () => void): () => void {
  if (options.onClientGone !== undefined) return options.onClientGone(cancel);
  const { signal } = options;
  if (signal.aborted) {
    cancel();
    return noop;
  }
  signal.addEventListener("abort", cancel, { once: true });
  return () => signal.removeEventListener("abort", cancel);
}
