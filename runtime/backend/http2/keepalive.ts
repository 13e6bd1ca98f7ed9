import type { ClientHttp2Session } from "node:http2";
import type { Http2Settings } from "./options.js";

/** The settings a connection's keepalive reads. */
type KeepaliveSettings = Pick<Http2Settings, "keepaliveTimeMs" | "keepaliveTimeoutMs" | "keepalivePermitWithoutCalls">;

/**
 * A connection's pings, as grpc-js and grpc-go schedule theirs: one ping in flight at most,
 * the next `keepaliveTimeMs` after the previous answer (so a server's minimum interval, which
 * counts from the ping it last read, is never undercut by timer or network jitter), and none
 * while the connection is idle unless `keepalivePermitWithoutCalls`. A ping that came due while idle goes
 * out as soon as the next call starts, so a connection that died while idle is found out
 * within `keepaliveTimeoutMs` of being used again. A draining session (closed after a GOAWAY, its
 * streams finishing) is not pinged: node cancels its pings (ERR_HTTP2_PING_CANCEL).
 */
export class Keepalive {
  private timer: NodeJS.Timeout | undefined;
  private due = false;
  private stopped = false;

  constructor(
    private readonly session: ClientHttp2Session,
    private readonly settings: KeepaliveSettings,
    private readonly idle: () => boolean,
    private readonly dead: (error: unknown) => void,
  ) {
    this.arm();
  }

  /** A call started on the connection: a ping due meanwhile goes out now. */
  callStarted(): void {
    if (!this.due) return;
    this.due = false;
    this.ping();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private arm(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      if (this.idle() && !this.settings.keepalivePermitWithoutCalls) this.due = true;
      else this.ping();
    }, this.settings.keepaliveTimeMs);
    this.timer.unref();
  }

  private ping(): void {
    if (this.stopped || this.session.closed) return;
    const { keepaliveTimeoutMs: timeoutMs } = this.settings;
    const unanswered = setTimeout(() => this.dead(new Error(`keepalive ping unanswered within ${timeoutMs} ms`)), timeoutMs);
    unanswered.unref();
    try {
      this.session.ping((err) => {
        clearTimeout(unanswered);
        if (this.stopped) return;
        if (err) this.dead(err);
        else this.arm();
      });
    } catch (err) {
      clearTimeout(unanswered);
      this.dead(err);
    }
  }
}
