/**
 * Counting the messages of a streamed HTTP reply as its chunks arrive, without parsing
 * them: the load generator must stay cheaper than the servers it measures. Each counter
 * also tells a complete, successful stream from a cut or failed one.
 */

/** What a counter found once the body has ended. */
export interface CountedStream {
  readonly messages: number;
  /** Why the stream is not a complete, successful one. */
  readonly failure?: string;
}

/** Counts the messages of one reply body. */
export interface MessageCounter {
  push(chunk: Buffer): void;
  finish(): CountedStream;
}

const newline = 0x0a;
const errorPrefix = Buffer.from('{"error"');

/**
 * Newline-delimited JSON: a message a line. A line starting `{"error"` is the stream's
 * error status (the gateway's framing), not a message; so is a last line left unterminated.
 */
export class LineCounter implements MessageCounter {
  private lines = 0;
  private error: string | undefined;
  // The first bytes of the line being read, enough to recognise an error line.
  private readonly head = Buffer.alloc(errorPrefix.length);
  private headLength = 0;
  private lineBytes = 0;

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(newline, start);
      const stop = end === -1 ? chunk.length : end;
      if (this.headLength < this.head.length)
        this.headLength += chunk.copy(this.head, this.headLength, start, Math.min(stop, start + this.head.length - this.headLength));
      this.lineBytes += stop - start;
      if (end === -1) return;
      if (this.headLength === errorPrefix.length && this.head.equals(errorPrefix)) this.error ??= "the stream ended with an error line";
      else this.lines++;
      this.headLength = 0;
      this.lineBytes = 0;
      start = end + 1;
    }
  }

  finish(): CountedStream {
    const failure = this.error ?? (this.lineBytes > 0 ? "the body ended inside a line" : undefined);
    return failure === undefined ? { messages: this.lines } : { messages: this.lines, failure };
  }
}

const envelopeHeaderBytes = 5;
// Connect protocol envelope flags: bit 1 marks the end-of-stream message (status, trailers).
const endStreamFlag = 0b10;

/** Wraps `json` in one Connect streaming envelope (flags 0, big-endian length). */
export function connectEnvelope(json: string): Buffer {
  const data = Buffer.from(json);
  const header = Buffer.alloc(envelopeHeaderBytes);
  header.writeUInt32BE(data.length, 1);
  return Buffer.concat([header, data]);
}

/**
 * Connect streaming envelopes: every envelope but the end-of-stream one is a message; the
 * end-of-stream envelope's JSON carries the error, if the call failed.
 */
export class EnvelopeCounter implements MessageCounter {
  private messages = 0;
  private readonly header = Buffer.alloc(envelopeHeaderBytes);
  private headerLength = 0;
  private remaining = 0;
  private inEnvelope = false;
  private endStream: Buffer[] | undefined;

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (!this.inEnvelope) {
        const n = Math.min(envelopeHeaderBytes - this.headerLength, chunk.length - at);
        chunk.copy(this.header, this.headerLength, at, at + n);
        this.headerLength += n;
        at += n;
        if (this.headerLength < envelopeHeaderBytes) return;
        this.headerLength = 0;
        this.remaining = this.header.readUInt32BE(1);
        if ((this.header[0]! & endStreamFlag) !== 0) this.endStream = [];
        else this.messages++;
        this.inEnvelope = this.remaining > 0;
        continue;
      }
      const n = Math.min(this.remaining, chunk.length - at);
      this.endStream?.push(chunk.subarray(at, at + n));
      this.remaining -= n;
      at += n;
      this.inEnvelope = this.remaining > 0;
    }
  }

  finish(): CountedStream {
    const messages = this.messages;
    if (this.inEnvelope || this.headerLength > 0) return { messages, failure: "the body ended inside an envelope" };
    if (this.endStream === undefined) return { messages, failure: "the body ended without an end-of-stream envelope" };
    const end = JSON.parse(Buffer.concat(this.endStream).toString() || "{}") as { error?: { code?: string; message?: string } };
    return end.error === undefined ? { messages } : { messages, failure: `Connect error ${end.error.code}: ${end.error.message}` };
  }
}

/** One Connect envelope of a whole body. */
export interface Envelope {
  readonly endStream: boolean;
  readonly data: Buffer;
}

/** Splits a whole Connect streaming body into its envelopes (for checking a reply, not under load). */
export function splitEnvelopes(body: Buffer): Envelope[] {
  const envelopes: Envelope[] = [];
  for (let at = 0; at < body.length; ) {
    if (body.length - at < envelopeHeaderBytes) throw new Error("the body ends inside an envelope header");
    const end = at + envelopeHeaderBytes + body.readUInt32BE(at + 1);
    if (end > body.length) throw new Error("the body ends inside an envelope");
    envelopes.push({ endStream: (body[at]! & endStreamFlag) !== 0, data: body.subarray(at + envelopeHeaderBytes, end) });
    at = end;
  }
  return envelopes;
}
