import { constants, type ClientHttp2Stream, type IncomingHttpHeaders } from "node:http2";
import { Metadata } from "@grpc/grpc-js";
import { GatewayError } from "../../gateway-error.js";
import { Code } from "../../gen/google/rpc/code_pb.js";
import { codeFromHttpStatus } from "../../http-status.js";
import type { CallOptions } from "../backend.js";
import { cancelWhenClientGoes } from "../client-gone.js";
import { decompress } from "./compression.js";
import type { Connection } from "./connection.js";
import { FrameReader, FrameTooLarge } from "./framing.js";
import { encodeTimeout } from "./grpc-timeout.js";
import { fireAt } from "./long-timeout.js";
import type { Http2Settings } from "./options.js";
import type { Pool } from "./pool.js";
import { requestHeaders } from "./request-headers.js";
import { isTransportError, metadataOf, replyTooLarge, resetError, statusFromTrailers, trailerMetadataOf, transportError } from "./status.js";

/** What a call reports, in order: header metadata (maybe), messages, then the end once. */
export interface CallListener {
  onHeaders(headers: Metadata): void;
  /** One reply message's bytes, decompressed. */
  onMessage(payload: Buffer): void;
  /** The call ended: `error` unless the server said OK; `headers` unless the server sent none. */
  onEnd(error: GatewayError | undefined, trailers: Metadata, headers: Metadata | undefined): void;
}

const noop = (): void => {};

// The listeners every call's stream shares, each finding its call on the stream, until the
// call has finished and let go of it (see ClientCall.release).
const callOfStream = Symbol("call");
type CallStream = ClientHttp2Stream & { [callOfStream]: ClientCall | undefined };

function streamResponse(this: CallStream, h: IncomingHttpHeaders, flags: number): void {
  this[callOfStream]?.onResponse(h, flags);
}
function streamData(this: CallStream, chunk: Buffer): void {
  this[callOfStream]?.onData(chunk);
}
function streamTrailers(this: CallStream, h: IncomingHttpHeaders): void {
  this[callOfStream]?.onTrailers(h);
}
function streamEnd(this: CallStream): void {
  this[callOfStream]?.onEnd();
}
function streamClose(this: CallStream): void {
  this[callOfStream]?.onClose();
}
function streamDrain(this: CallStream): void {
  this[callOfStream]?.flushDrain();
}

/**
 * How often a call the server refused unprocessed (RST_STREAM(REFUSED_STREAM), as a server
 * draining after its GOAWAY answers streams that crossed it) is sent again before it fails
 * UNAVAILABLE, and how much of what it sent is kept for that until the server answers.
 */
const maxRefusals = 3;
const replayLimitBytes = 1024 * 1024;

/**
 * One gRPC call on one HTTP/2 stream, whatever the method kind: waits for a connection with
 * room, sends the headers (the deadline as `grpc-timeout`), frames what is written, reads
 * length-prefixed replies within the size limit, and ends with the trailers' status, or
 * with a status of its own (deadline, cancellation, a broken connection) after resetting
 * the stream with CANCEL. A stream the server refused before processing it (RFC 9113
 * 8.7: REFUSED_STREAM is safe to retry) goes out again on a connection with room, what it
 * had sent replayed, as gRPC's transparent retry has it.
 */
export class ClientCall {
  headers: Metadata | undefined;
  private stream: ClientHttp2Stream | undefined;
  private connection: Connection | undefined;
  private finished = false;
  private paused = false;
  private encoding: string | undefined;
  private readonly reader: FrameReader;
  // Set by the trailers: null for OK.
  private status: GatewayError | null | undefined;
  private trailers: Metadata | undefined;
  private pending: Array<[Buffer, () => void]> | undefined = [];
  private endPending = false;
  private ended = false;
  // What went out on the stream, kept until the server answers, in case it refuses the stream; undefined once it may not be replayed.
  private sent: Buffer[] | undefined = [];
  private sentBytes = 0;
  private refusals = 0;
  private drainWaiters: Array<() => void> = [];
  private stopWaiting: () => void = noop;
  private stopDeadline: () => void = noop;
  private stopConnectWait: () => void = noop;
  private connectWaitArmed = false;
  private startedAt = 0;
  private stopWatching: () => void = noop;

  constructor(
    private readonly pool: Pool,
    private readonly path: string,
    private readonly options: CallOptions,
    private readonly settings: Http2Settings,
    private readonly listener: CallListener,
  ) {
    this.reader = new FrameReader(settings.maxReceiveMessageLength);
  }

  /** Starts the call; the listener may hear from it before this returns. */
  start(): void {
    const deadline = this.options.deadline?.getTime();
    if (deadline !== undefined) {
      if (deadline <= Date.now()) return this.abort(Code.DEADLINE_EXCEEDED, "deadline exceeded");
      this.stopDeadline = fireAt(deadline, () => this.abort(Code.DEADLINE_EXCEEDED, "deadline exceeded"));
    }
    this.startedAt = Date.now();
    this.stopWatching = cancelWhenClientGoes(this.options, () => this.cancel());
    if (this.finished) return;
    this.acquire();
  }

  private acquire(): void {
    this.stopWaiting = this.pool.acquire((error, connection) => {
      this.stopWaiting = noop;
      if (error !== undefined) this.finish(error);
      else this.open(connection!);
    });
    if (this.stream === undefined && !this.finished) this.limitConnectWait();
  }

  // The gateway's own limit on waiting for a connection, beside the transport's connect
  // timeout, counted from the start of the call. Armed only when a call has to wait: most
  // find a connection with room at once, and a timer per call is not free.
  private limitConnectWait(): void {
    const connectMs = this.options.connectTimeoutMs;
    if (this.connectWaitArmed || connectMs === undefined || connectMs <= 0 || !Number.isFinite(connectMs)) return;
    this.connectWaitArmed = true;
    this.stopConnectWait = fireAt(this.startedAt + connectMs, () => {
      if (this.stream === undefined) this.fail(transportError(Code.UNAVAILABLE, "backend unavailable", `no connection to the backend within ${connectMs} ms`));
    });
  }

  /** Sends one framed message; `written` runs when the transport can take the next. */
  write(frame: Buffer, written: () => void): void {
    if (this.finished) return written();
    if (frame.length - 5 > this.settings.maxSendMessageLength) {
      this.abort(Code.RESOURCE_EXHAUSTED, "Sent message larger than max", { length: frame.length - 5, limit: this.settings.maxSendMessageLength });
      return written();
    }
    const stream = this.stream;
    if (stream === undefined) {
      this.pending!.push([frame, written]);
      return;
    }
    if (this.sent !== undefined) {
      this.sentBytes += frame.length;
      if (this.sentBytes > replayLimitBytes) this.sent = undefined;
      else this.sent.push(frame);
    }
    if (stream.write(frame)) return written();
    if (this.drainWaiters.push(written) === 1) stream.once("drain", streamDrain);
  }

  /** Says no more messages will be written. */
  end(): void {
    if (this.finished) return;
    this.ended = true;
    if (this.stream === undefined) this.endPending = true;
    else this.stream.end();
  }

  /** Ends the call at once as CANCELLED, resetting the stream with CANCEL. */
  cancel(): void {
    this.abort(Code.CANCELLED, "call cancelled");
  }

  /** Stops reading replies (HTTP/2 flow control holds the server back) until {@link resume}. */
  pause(): void {
    this.paused = true;
    this.stream?.pause();
  }

  resume(): void {
    this.paused = false;
    this.stream?.resume();
  }

  /** Ends the call with a status of the transport's own, resetting the stream. */
  abort(code: Code, message: string, cause?: unknown): void {
    this.fail(transportError(code, message, cause));
  }

  /** Ends the call with `error`, resetting the stream. */
  fail(error: GatewayError): void {
    if (this.finished) return;
    const stream = this.stream;
    if (stream !== undefined && !stream.closed) stream.close(constants.NGHTTP2_CANCEL);
    this.finish(error);
  }

  private open(connection: Connection): void {
    const { options, settings } = this;
    const timeout = options.deadline === undefined ? undefined : encodeTimeout(options.deadline.getTime() - Date.now());
    const headers = requestHeaders(this.path, options.metadata, settings.userAgent, timeout);
    let stream: ClientHttp2Stream;
    try {
      stream = connection.request(headers);
    } catch (err) {
      // Metadata with several values under a name node's HTTP/2 client sends once (two
      // Authorization headers, say) is the request's fault, not the gateway's.
      if ((err as { code?: string }).code === "ERR_HTTP2_HEADER_SINGLE_VALUE") {
        const name = /"([^"]+)"/.exec((err as Error).message)?.[1] ?? "a header";
        return this.finish(new GatewayError(Code.INVALID_ARGUMENT, `metadata "${name}" takes one value, and the request carries several`));
      }
      // A session that died under us is unavailable; a header node refuses is ours to report.
      return this.finish(transportError(connection.session.destroyed || connection.gone ? Code.UNAVAILABLE : Code.INTERNAL, "backend call failed", err));
    }
    this.stream = stream;
    this.connection = connection;
    // Listeners shared by every call, finding theirs on the stream: six closures less per call.
    (stream as CallStream)[callOfStream] = this;
    stream.on("response", streamResponse);
    stream.on("data", streamData);
    stream.on("trailers", streamTrailers);
    stream.on("end", streamEnd);
    stream.on("close", streamClose);
    // Reported through the status at 'close'; without a listener node would throw it.
    stream.on("error", noop);
    if (this.paused) stream.pause();
    const pending = this.pending!;
    this.pending = undefined;
    for (const [frame, written] of pending) this.write(frame, written);
    if (this.endPending) stream.end();
  }

  /** @internal the stream's listener */
  onResponse(h: IncomingHttpHeaders, flags: number): void {
    // The server took the call: it is never sent again.
    this.sent = undefined;
    const status = Number(h[":status"]);
    if (status !== 200) return this.abort(codeFromHttpStatus(status), `backend answered HTTP ${status}`, { headers: h });
    const type = h["content-type"];
    if (typeof type !== "string" || !type.startsWith("application/grpc")) return this.abort(Code.UNKNOWN, "backend sent an invalid response", { headers: h });
    // Trailers-only: the status in the one header block, and no header metadata (as grpc-js has it).
    if ((flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0) return this.onTrailers(h);
    this.encoding = h["grpc-encoding"] as string | undefined;
    this.headers = metadataOf(h);
    this.listener.onHeaders(this.headers);
  }

  /** @internal the stream's listener */
  onData(chunk: Buffer): void {
    if (this.finished) return;
    const reader = this.reader;
    reader.push(chunk);
    for (;;) {
      let payload: Buffer | undefined;
      try {
        payload = reader.next();
      } catch (err) {
        if (err instanceof FrameTooLarge) return this.fail(replyTooLarge(err));
        throw err;
      }
      if (payload === undefined) return;
      if (reader.compressed) {
        let inflated: Buffer | undefined;
        try {
          inflated = decompress(payload, this.encoding, this.settings.maxReceiveMessageLength);
        } catch (err) {
          if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") return this.fail(replyTooLarge(err));
          return this.abort(Code.INTERNAL, "backend sent a malformed message", err);
        }
        if (inflated === undefined) return this.abort(Code.INTERNAL, "backend sent an unsupported encoding", { encoding: this.encoding });
        payload = inflated;
      }
      this.listener.onMessage(payload);
      if (this.finished) return;
    }
  }

  /** @internal the stream's listener */
  onTrailers(h: IncomingHttpHeaders): void {
    if (this.status !== undefined) return;
    // One conversion of the block, shared by the status and the call's trailers.
    const trailers = trailerMetadataOf(h);
    const status = statusFromTrailers(h, trailers);
    this.status = status ?? null;
    this.trailers = status === undefined ? trailers : status.trailers;
  }

  // The server's END_STREAM, every reply read: the call is over even while requests may still
  // flow (a bidi call the server ended first), so the status goes out now and our side half-closes.
  /** @internal the stream's listener */
  onEnd(): void {
    if (this.finished || this.status === undefined) return;
    const stream = this.stream!;
    if (!stream.writableEnded) stream.end();
    this.onClose();
  }

  /** @internal the stream's listener */
  onClose(): void {
    if (this.finished) return;
    const status = this.status;
    if (status === undefined) {
      const stream = this.stream!;
      const session = this.connection!.session;
      // The connection broke (server gone) or the server reset the stream without a status.
      if (stream.rstCode === constants.NGHTTP2_REFUSED_STREAM && this.sent !== undefined && this.refusals < maxRefusals) return this.retry();
      if (session.destroyed || stream.rstCode === constants.NGHTTP2_NO_ERROR || stream.rstCode === undefined) {
        return this.finish(transportError(Code.UNAVAILABLE, "backend unavailable", { rstCode: stream.rstCode }));
      }
      return this.finish(resetError(stream.rstCode, this.headers !== undefined));
    }
    if (status === null && this.reader.partial) return this.finish(transportError(Code.INTERNAL, "backend sent a truncated message"));
    this.finish(status ?? undefined);
  }

  // Refused unprocessed: the same call on a connection with room (not a draining one), what it sent replayed.
  private retry(): void {
    this.refusals++;
    this.release();
    this.stream = undefined;
    this.connection = undefined;
    this.pending = [...this.sent!.map((frame): [Buffer, () => void] => [frame, noop]), ...(this.pending ?? [])];
    this.sent = [];
    this.sentBytes = 0;
    this.endPending = this.ended;
    // Writers waiting on the refused stream's drain go on: what they wrote is replayed.
    this.flushDrain();
    this.acquire();
  }

  private finish(error: GatewayError | undefined): void {
    if (this.finished) return;
    this.finished = true;
    this.release();
    this.stopDeadline();
    this.stopConnectWait();
    if (error !== undefined && isTransportError(error) && error.code !== Code.CANCELLED) this.report(error);
    this.stopWatching();
    this.stopWaiting();
    this.flushDrain();
    if (this.pending !== undefined) for (const [, written] of this.pending.splice(0)) written();
    this.listener.onEnd(error, this.trailers ?? error?.trailers ?? new Metadata(), this.headers);
  }

  // Unlinks the call from its stream. A closed stream outlives every scavenge until a full
  // GC frees it (measured: node's native stream handle keeps it), so a link kept would hold
  // the whole request, the client's HTTP exchange included, just as long: a third of a GET's
  // allocation outlived a scavenge that way.
  private release(): void {
    const stream = this.stream as CallStream | undefined;
    if (stream !== undefined) stream[callOfStream] = undefined;
  }

  // The detail goes to the operator's hook; a failing hook changes nothing for the client.
  private report(error: GatewayError): void {
    const hook = this.options.onTransportError;
    if (hook === undefined) return;
    const { cause } = error;
    try {
      hook(error, cause instanceof Error ? cause.message : typeof cause === "string" ? cause : (JSON.stringify(cause) ?? ""));
    } catch {
      // ignored on purpose
    }
  }

  /** @internal the stream's listener, and the call's own once its writers may go on */
  flushDrain(): void {
    if (this.drainWaiters.length === 0) return;
    for (const written of this.drainWaiters.splice(0)) written();
  }
}
