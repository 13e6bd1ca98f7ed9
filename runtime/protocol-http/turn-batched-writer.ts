import type { ServerResponse } from "node:http";

/**
 * Writes a stream's messages so that those arriving in the same event-loop turn leave in
 * one socket write: grpc-js often hands over many messages a turn, and on a fast socket each
 * `res.write` is otherwise its own syscall and TCP segment (a third of the gateway's CPU in
 * the streaming benchmark). The batch is released at the end of the turn, so no message
 * waits for a later one.
 */
export class TurnBatchedWriter {
  readonly #res: ServerResponse;
  #corked = false;
  readonly #release = (): void => this.release();

  constructor(res: ServerResponse) {
    this.#res = res;
  }

  /** Writes one chunk; false when the response asks the writer to wait for `drain`. */
  write(chunk: string | Uint8Array): boolean {
    if (!this.#corked) {
      this.#corked = true;
      this.#res.cork();
      setImmediate(this.#release);
    }
    return this.#res.write(chunk);
  }

  /** Sends what is batched now: before waiting for `drain`, and before ending the response. */
  release(): void {
    if (!this.#corked) return;
    this.#corked = false;
    this.#res.uncork();
  }
}
