import type { ServerResponse } from "node:http";
import type { ClientGone } from "../protocol/call.js";

/**
 * Notices an HTTP client that goes away before its reply is complete. One `close`
 * listener per request; the AbortSignal that backends may ask for is made only when one
 * does (an AbortController costs several microseconds, paid on every request otherwise).
 */
export class ClientDisconnect implements ClientGone {
  #gone = false;
  #listener: (() => void) | undefined;
  #controller: AbortController | undefined;
  readonly #res: ServerResponse;
  readonly #onClose = (): void => {
    if (!this.#res.writableFinished) this.#leave();
  };

  constructor(res: ServerResponse) {
    this.#res = res;
    // 'close' comes once; `on` spares once's wrapper, and dispose removes it.
    res.on("close", this.#onClose);
    if (res.destroyed) this.#gone = true; // gone before anyone listened
  }

  /** Whether the client has gone. */
  get gone(): boolean {
    return this.#gone;
  }

  /** Aborted when the client goes; created on first use. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#gone) this.#controller.abort();
    }
    return this.#controller.signal;
  }

  /**
   * Calls `listener` once when the client goes (at once if it has already), until the
   * returned function is called. One listener at a time: the backend call's cancel.
   */
  readonly onGone = (listener: () => void): (() => void) => {
    if (this.#gone) {
      listener();
      return noop;
    }
    this.#listener = listener;
    return () => {
      if (this.#listener === listener) this.#listener = undefined;
    };
  };

  /** Stops watching; call when the reply is complete or failed. */
  dispose(): void {
    this.#res.off("close", this.#onClose);
    this.#listener = undefined;
  }

  #leave(): void {
    this.#gone = true;
    const listener = this.#listener;
    this.#listener = undefined;
    this.#controller?.abort();
    listener?.();
  }
}

const noop = (): void => {};
