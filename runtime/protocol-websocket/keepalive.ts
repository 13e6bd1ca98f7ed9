import type { WebSocket } from "ws";

/** How a WebSocket call tells a dead peer from a quiet one, and how long it may stay quiet. */
export interface WebSocketLiveness {
  /** Ping interval; a peer that has not answered the last ping by the next one is dropped. 0: no pings. */
  readonly pingIntervalMs: number;
  /** Close after this long without a message either way (pings aside). 0: never. */
  readonly idleTimeoutMs: number;
}

/** The close code and reason of a call that stayed idle past `idleTimeoutMs` (1001, "going away"). */
export const idleCloseCode = 1001;
export const idleCloseReason = "idle timeout";

/** What a call tells the watch: a message went either way; the call is over. */
export interface LivenessWatch {
  activity(): void;
  stop(): void;
}

/**
 * Watches one call's socket: pings every `pingIntervalMs` and terminates the connection when
 * the previous ping went unanswered (a dead peer cannot take part in a close handshake), and
 * closes with {@link idleCloseCode} after `idleTimeoutMs` without a message. Either way
 * `gone` runs first, which cancels the backend stream. While the socket is paused for a slow
 * backend its pongs are not read, so no verdict is given then.
 */
export function watchLiveness(ws: WebSocket, limits: WebSocketLiveness, gone: () => void): LivenessWatch {
  let answered = true;
  let lastActivity = Date.now();
  const onPong = (): void => {
    answered = true;
  };
  ws.on("pong", onPong);
  const pinger =
    limits.pingIntervalMs > 0
      ? setInterval(() => {
          if (ws.isPaused) return;
          if (!answered) {
            gone();
            ws.terminate();
            return;
          }
          answered = false;
          ws.ping();
        }, limits.pingIntervalMs).unref()
      : undefined;
  let idle: NodeJS.Timeout | undefined;
  // One timer per idle period, not one per message: on expiry it looks at the last activity.
  const armIdle = (ms: number): void => {
    idle = setTimeout(() => {
      const quiet = Date.now() - lastActivity;
      if (quiet < limits.idleTimeoutMs) return armIdle(limits.idleTimeoutMs - quiet);
      gone();
      ws.close(idleCloseCode, idleCloseReason);
    }, ms).unref();
  };
  if (limits.idleTimeoutMs > 0) armIdle(limits.idleTimeoutMs);
  const onMessage = (): void => {
    lastActivity = Date.now();
  };
  ws.on("message", onMessage);
  return {
    activity: onMessage,
    stop() {
      clearInterval(pinger);
      clearTimeout(idle);
      ws.off("pong", onPong);
      ws.off("message", onMessage);
    },
  };
}
