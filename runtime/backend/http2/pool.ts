import { Code } from "../../gen/google/rpc/code_pb.js";
import type { GatewayError } from "../../gateway-error.js";
import { endpointKey, resolveTarget, type Endpoint, type Target } from "./address.js";
import { Connection } from "./connection.js";
import { maxTimerMs } from "./long-timeout.js";
import type { Http2Settings } from "./options.js";
import { transportError } from "./status.js";

/** Called with a connection that has room for one stream, or the reason there is none. */
export type Acquired = (error: GatewayError | undefined, connection: Connection | undefined) => void;

interface Backoff {
  failures: number;
  retryAt: number;
}

/**
 * The connections of one dialed target: one per endpoint, opened when a call needs one (no
 * background reconnecting), calls spread round robin over the ready ones, queued while every
 * ready one is at the server's stream limit. An endpoint that failed is retried after a
 * backoff of at most `maxReconnectBackoffMs` (capped at 1 s), so a backend back up is
 * reached by the first call after it; meanwhile calls fail fast with UNAVAILABLE.
 */
export class Pool {
  private endpoints: readonly Endpoint[] | undefined;
  private resolving: Promise<void> | undefined;
  private readonly connections = new Map<string, Connection>();
  // The same connections as a list, for the round robin of every call without a copy of the map.
  private list: Connection[] = [];
  private readonly backoff = new Map<string, Backoff>();
  private readonly waiting: Acquired[] = [];
  private next = 0;
  private closed = false;
  private lastError: unknown;
  /** The keepalive interval of new connections: the settings', doubled each time a server said too_many_pings. */
  private keepaliveTimeMs: number;

  constructor(
    private readonly target: Target,
    private readonly settings: Http2Settings,
  ) {
    this.keepaliveTimeMs = settings.keepaliveTimeMs;
  }

  /** Hands `done` a connection with room; returns the function that stops waiting. */
  acquire(done: Acquired): () => void {
    if (this.closed) {
      done(transportError(Code.UNAVAILABLE, "backend closed"), undefined);
      return noop;
    }
    const ready = this.pick();
    if (ready !== undefined) {
      done(undefined, ready);
      return noop;
    }
    this.waiting.push(done);
    this.progress();
    return () => {
      const at = this.waiting.indexOf(done);
      if (at >= 0) this.waiting.splice(at, 1);
    };
  }

  /** Closes every connection (`graceful`: once its streams are done) and fails the waiting calls. */
  close(graceful = false): void {
    this.closed = true;
    for (const connection of this.list) connection.close(graceful);
    this.connections.clear();
    this.list = [];
    this.failWaiting(transportError(Code.UNAVAILABLE, "backend closed"));
  }

  // Round robin over the connections with room now.
  private pick(): Connection | undefined {
    const all = this.list;
    for (let i = 0; i < all.length; i++) {
      const connection = all[(this.next + i) % all.length]!;
      if (connection.usable) {
        this.next = (this.next + i + 1) % all.length;
        return connection;
      }
    }
    return undefined;
  }

  // Moves the waiting calls on: to a connection with room, to new connections, or to a failure.
  private progress(): void {
    while (this.waiting.length > 0) {
      const connection = this.pick();
      if (connection === undefined) break;
      this.waiting.shift()!(undefined, connection);
    }
    if (this.waiting.length === 0 || this.closed) return;
    if (this.endpoints === undefined) {
      this.resolve();
      return;
    }
    // A ready connection at its stream limit: the calls wait for a slot.
    let pending = false;
    for (const connection of this.connections.values()) if (!connection.gone) pending = true;
    const now = Date.now();
    for (const endpoint of this.endpoints) {
      const key = endpointKey(endpoint);
      if (this.connections.has(key)) continue;
      const backoff = this.backoff.get(key);
      if (backoff !== undefined && backoff.retryAt > now) continue;
      this.open(key, endpoint);
      pending = true;
    }
    if (!pending) this.failWaiting(transportError(Code.UNAVAILABLE, "backend unavailable", this.lastError));
  }

  private resolve(): void {
    if (this.resolving !== undefined) return;
    const key = "resolve";
    const backoff = this.backoff.get(key);
    if (backoff !== undefined && backoff.retryAt > Date.now()) {
      this.failWaiting(transportError(Code.UNAVAILABLE, "backend unavailable", this.lastError));
      return;
    }
    this.resolving = resolveTarget(this.target).then(
      (endpoints) => {
        this.resolving = undefined;
        this.backoff.delete(key);
        if (endpoints.length === 0) throw new Error("the name resolved to no address");
        this.endpoints = endpoints;
        this.progress();
      },
      (err: unknown) => {
        this.resolving = undefined;
        this.lastError = err;
        this.failed(key);
        this.failWaiting(transportError(Code.UNAVAILABLE, "backend unavailable", err));
      },
    );
  }

  private open(key: string, endpoint: Endpoint): void {
    const settings = this.keepaliveTimeMs === this.settings.keepaliveTimeMs ? this.settings : { ...this.settings, keepaliveTimeMs: this.keepaliveTimeMs };
    const connection = new Connection(endpoint, this.target.authority, settings, {
      ready: () => {
        this.backoff.delete(key);
        this.progress();
      },
      room: () => this.progress(),
      tooManyPings: (_connection, pingedEvery) => this.pingLessOften(pingedEvery),
      gone: (gone, error, wasReady) => {
        if (this.connections.get(key) === gone) {
          this.connections.delete(key);
          this.list = [...this.connections.values()];
        }
        this.lastError = error;
        if (!wasReady) this.failed(key);
        // A name may now point elsewhere: resolve it again before the next connection.
        if (this.target.kind === "dns") this.endpoints = undefined;
        this.progress();
      },
    });
    this.connections.set(key, connection);
    this.list = [...this.connections.values()];
  }

  // Twice the interval the refused connection used, once however many connections the server
  // refused for it (grpc-js and grpc-go do the same), and said once per change, as they do.
  private pingLessOften(pingedEvery: number): void {
    const next = Math.min(pingedEvery * 2, maxTimerMs);
    if (next <= this.keepaliveTimeMs) return;
    this.keepaliveTimeMs = next;
    process.emitWarning(`the backend ${this.target.authority} answered GOAWAY too_many_pings; keepalive pings now every ${next} ms`, {
      code: "GRPC_GATEWAY_KEEPALIVE",
    });
  }

  private failed(key: string): void {
    const backoff = this.backoff.get(key) ?? { failures: 0, retryAt: 0 };
    const { initialReconnectBackoffMs: initial, maxReconnectBackoffMs: max } = this.settings;
    // Jittered by up to a fifth either way, so many gateways do not reconnect in step; never past the cap.
    const delay = Math.min(initial * 2 ** backoff.failures * (0.8 + Math.random() * 0.4), max);
    backoff.failures++;
    backoff.retryAt = Date.now() + delay;
    this.backoff.set(key, backoff);
  }

  private failWaiting(error: GatewayError): void {
    for (const done of this.waiting.splice(0)) done(error, undefined);
  }
}

const noop = (): void => {};
