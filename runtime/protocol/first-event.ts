import type { EventEmitter } from "node:events";

/**
 * Resolves on whichever of `events` fires first and removes every listener it added,
 * so waiting for "drain or close" again and again on one stream leaks nothing.
 */
export function firstEvent(emitter: EventEmitter, events: readonly string[]): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      for (const event of events) emitter.off(event, done);
      resolve();
    };
    for (const event of events) emitter.on(event, done);
  });
}
