import type { ClientHttp2Session } from "node:http2";

/** What a connection's keepalive needs of it. */
export interface KeepaliveSettings {
  /** The wait after a ping's answer before the next ping. */
  readonly intervalMs: number;
  /** How long a ping may go unanswered before the connection is given up. */
  readonly timeoutMs: number;
  /** Ping while no call is in flight too. */
  readonly withoutCalls: boolean;
}

/**
 * A connection's pings, as grpc-js and grpc-go schedule theirs: one ping in flight at most,
 * the next `intervalMs` after the previous answer (so a server's minimum interval, which
 * counts from the ping it last read, is never undercut by timer or network jitter), and none
 * while the connection is idle unless `withoutCalls`. A ping that came due while idle goes
 * out as soon as the next call starts, so a connection that died while idle is found out
 * within `timeoutMs` of being used again. A draining session (closed after a GOAWAY, its
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
      if (this.idle() && !this.settings.withoutCalls) this.due = true;
      else this.ping();
    }, this.settings.intervalMs);
    this.timer.unref();
  }

  private ping(): void {
    if (this.stopped || this.session.closed) return;
    const { timeoutMs } = this.settings;
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
