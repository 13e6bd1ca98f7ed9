import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** How many requests of one HTTP/1.1 connection the gateway serves at once, and holds. */
export interface PipelineLimits {
  /** Requests of one connection whose backend calls run at the same time. */
  readonly inFlight: number;
  /** Requests parsed and waiting behind them; one more closes the connection. */
  readonly queued: number;
}

/** What node's http server hangs on an HTTP/1.1 socket; not in its types. */
interface ParsingSocket extends Socket {
  parser?: { resume(): void } | null;
  /** Set while node's server has stopped reading the connection. */
  _paused?: boolean;
}

/**
 * One HTTP/1.1 connection's requests: at most `inFlight` served at a time, the rest queued
 * without starting their backend calls. Node parses a whole read (up to 64 KiB, over a
 * thousand small pipelined GETs) and emits every request in it, and pauses reading only when
 * replies back up; so while anything waits here the connection's parser is paused, and a
 * connection that still piles up more than `queued` requests is closed.
 */
class ConnectionGate {
  #running = 0;
  #paused = false;
  readonly #waiting: Array<() => void> = [];

  constructor(
    readonly socket: ParsingSocket,
    readonly limits: PipelineLimits,
  ) {
    // Queued requests are answered by nobody once the connection is gone: drop them unstarted.
    socket.once("close", () => {
      this.#waiting.length = 0;
    });
  }

  admit(res: ServerResponse, serve: () => void): void {
    // node may still emit the rest of a chunk it was parsing when the connection went.
    if (this.socket.destroyed) return;
    if (this.#running < this.limits.inFlight) {
      this.#start(res, serve);
      return;
    }
    if (this.#waiting.length >= this.limits.queued) {
      this.#waiting.length = 0;
      this.socket.destroy();
      return;
    }
    this.#waiting.push(() => this.#start(res, serve));
    this.#pause();
  }

  #start(res: ServerResponse, serve: () => void): void {
    this.#running++;
    // 'close' comes once, after 'finish' or when the connection drops: either way the slot is
    // free. One listener per connection, not a closure per request.
    res.on("close", this.#done);
    serve();
  }

  readonly #done = (): void => {
    this.#running--;
    const next = this.socket.destroyed ? undefined : this.#waiting.shift();
    if (this.#waiting.length === 0) this.#resume();
    next?.();
  };

  // The way node's own back-pressure stops reading (parserOnIncoming in _http_server.js):
  // flag the socket, and node pauses the parser once the chunk it is executing is done.
  // socket.pause() alone does not stop a parser reading the socket's handle directly, and
  // pausing the parser mid-chunk fails the connection (HPE_PAUSED).
  #pause(): void {
    this.#paused = true;
    this.socket._paused = true;
    this.socket.pause();
  }

  // As node's socketOnDrain resumes; left paused while replies back up, for node to resume on drain.
  #resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    const socket = this.socket;
    if (socket.destroyed || !socket._paused || socket.writableNeedDrain) return;
    socket._paused = false;
    socket.parser?.resume();
    socket.resume();
  }
}

/** Serves a request now or once its connection's earlier ones are done. */
export type AdmitRequest = (req: IncomingMessage, res: ServerResponse, serve: () => void) => void;

/**
 * One gateway's connection gates (see {@link ConnectionGate}). HTTP/2 requests,
 * multiplexed by design, are served at once.
 */
export function createConnectionGates(limits: PipelineLimits): AdmitRequest {
  const gates = new WeakMap<Socket, ConnectionGate>();
  return (req, res, serve) => {
    const socket = req.socket as ParsingSocket | null | undefined;
    if (req.httpVersionMajor >= 2 || socket === null || socket === undefined) {
      serve();
      return;
    }
    let gate = gates.get(socket);
    if (gate === undefined) {
      gate = new ConnectionGate(socket, limits);
      gates.set(socket, gate);
    }
    gate.admit(res, serve);
  };
}
