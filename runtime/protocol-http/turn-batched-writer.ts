import type { ServerResponse } from "node:http";

/**
 * Writes a stream's messages so that those arriving in the same event-loop turn leave in
 * one socket write: grpc-js often hands over many messages a turn, and on a fast socket each
 * `res.write` is otherwise its own syscall and TCP segment (a third of the gateway's CPU in
 * the streaming benchmark). The batch is released at the end of the turn, so no message
 * waits for a later one, or as soon as it reaches the response's high-water mark.
 *
 * The batch is held here rather than by `res.cork()`: from Node 22 on, a write to a corked
 * response returns true however much it buffers, so a client that reads nothing would never
 * hold the backend back. An uncorked `res.write` of the whole batch reports back-pressure,
 * and `drain` follows it, on every Node version.
 */
export class TurnBatchedWriter {
  readonly #res: ServerResponse;
  #batch: (string | Uint8Array)[] = [];
  #batchBytes = 0;
  #scheduled = false;
  readonly #release = (): void => {
    this.#scheduled = false;
    this.release();
  };

  constructor(res: ServerResponse) {
    this.#res = res;
  }

  /** Queues one chunk; false when the response asks the writer to wait for `drain`. */
  write(chunk: string | Uint8Array): boolean {
    this.#batch.push(chunk);
    this.#batchBytes += typeof chunk === "string" ? chunk.length : chunk.byteLength;
    if (this.#batchBytes >= this.#res.writableHighWaterMark || this.#res.writableNeedDrain) return this.release();
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#release);
    }
    return true;
  }

  /**
   * Writes what is batched now (before waiting for `drain`, and before ending the response)
   * and flushes compression middleware, which would otherwise hold it. Returns what
   * `res.write` said: false when the client is not keeping up.
   */
  release(): boolean {
    const batch = this.#batch;
    if (batch.length === 0) return !this.#res.writableNeedDrain;
    this.#batch = [];
    this.#batchBytes = 0;
    const ok = this.#res.write(joinChunks(batch));
    (this.#res as ServerResponse & { flush?: () => void }).flush?.();
    return ok;
  }
}

function joinChunks(chunks: readonly (string | Uint8Array)[]): string | Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  if (chunks.every((c) => typeof c === "string")) return chunks.join("");
  return Buffer.concat(chunks.map((c) => (typeof c === "string" ? Buffer.from(c) : c)));
}
