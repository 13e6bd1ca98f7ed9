import type { IncomingMessage } from "node:http";
import { Code } from "../gen/google/rpc/code_pb.js";
import { GatewayError } from "../gateway-error.js";
import { alreadyParsedBody } from "./request-body.js";

const quote = 0x22;
const backslash = 0x5c;

/**
 * Splits a stream of JSON values as they arrive, json.Decoder's way (what grpc-gateway reads a
 * streamed body with): one value after another, whitespace between them optional, so one value a
 * line, several on a line and pretty-printed ones across lines all work. Only strings (with their
 * escapes) and the depth of braces and brackets are tracked: a value that is not valid JSON is
 * still cut out whole, and its unmarshaling names it.
 */
class JsonValueSplitter {
  #depth = 0;
  #inString = false;
  #escaped = false;
  /** A number, `true`, `null` ... (or stray bytes) at the top level: it ends at whitespace or a structural byte. */
  #inScalar = false;
  #inValue = false;
  #pending: Buffer[] = [];
  #pendingBytes = 0;

  constructor(readonly maxValueBytes: number) {}

  /** The values completed by `chunk`, in order; throws when the value under way grows past the limit. */
  *take(chunk: Buffer, index: () => number): Generator<Buffer> {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (!this.#inValue) {
        if (isWhitespace(byte)) continue;
        this.#inValue = true;
        start = i;
        if (byte === 0x7b || byte === 0x5b) this.#depth = 1;
        else if (byte === quote) this.#inString = true;
        else if (byte === 0x7d || byte === 0x5d) {
          yield this.#cut(chunk, start, i + 1, index);
          continue;
        } else this.#inScalar = true;
        continue;
      }
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (byte === backslash) this.#escaped = true;
        else if (byte === quote) {
          this.#inString = false;
          if (this.#depth === 0) yield this.#cut(chunk, start, i + 1, index);
        }
      } else if (this.#inScalar) {
        if (isWhitespace(byte) || isStructural(byte)) {
          this.#inScalar = false;
          yield this.#cut(chunk, start, i, index);
          i--; // this byte starts the next value, or is whitespace
        }
      } else if (byte === quote) this.#inString = true;
      else if (byte === 0x7b || byte === 0x5b) this.#depth++;
      else if (byte === 0x7d || byte === 0x5d) {
        if (--this.#depth === 0) yield this.#cut(chunk, start, i + 1, index);
      }
    }
    if (this.#inValue) {
      this.#pending.push(chunk.subarray(start));
      this.#pendingBytes += chunk.length - start;
      if (this.#pendingBytes > this.maxValueBytes) throw valueTooLong(index(), this.maxValueBytes);
    }
  }

  /** What is left at the end of the body: an unfinished value (a scalar, or a malformed one), or nothing. */
  rest(): Buffer | undefined {
    if (!this.#inValue) return undefined;
    this.#inValue = false;
    const value = Buffer.concat(this.#pending);
    this.#pending = [];
    this.#pendingBytes = 0;
    return value;
  }

  #cut(chunk: Buffer, start: number, end: number, index: () => number): Buffer {
    const piece = chunk.subarray(start, end);
    const value = this.#pending.length === 0 ? piece : Buffer.concat([...this.#pending, piece]);
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#inValue = false;
    this.#depth = 0;
    if (value.length > this.maxValueBytes) throw valueTooLong(index(), this.maxValueBytes);
    return value;
  }
}

/**
 * Reads a streamed request body as it arrives, handing each JSON value to `onMessage` (see
 * JsonValueSplitter: NDJSON, concatenated or pretty-printed values) and pausing the socket until
 * it is done, so a slow backend holds the client back instead of filling memory. A value longer
 * than `maxLineBytes` is refused.
 *
 * Event-driven rather than `for await`: leaving an async iteration early destroys the
 * request, and with it the socket the error response still has to go out on.
 */
export function readNdjson(req: IncomingMessage, maxLineBytes: number, onMessage: (line: Uint8Array, index: number) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    const splitter = new JsonValueSplitter(maxLineBytes);
    let index = 0;
    let failed = false;
    const current = () => index;

    const take = async (chunk: Buffer): Promise<void> => {
      for (const value of splitter.take(chunk, current)) await onMessage(value, index++);
    };
    const fail = (err: unknown): void => {
      if (failed) return;
      failed = true;
      req.off("data", onData);
      req.resume(); // discard the rest; the socket stays usable for the answer
      reject(err);
    };
    const onData = (chunk: Buffer): void => {
      req.pause();
      take(chunk).then(() => void (failed || req.resume()), fail);
    };
    const finish = (): void => {
      if (failed) return;
      const last = splitter.rest();
      const rest = last !== undefined ? onMessage(last, index++) : Promise.resolve();
      rest.then(resolve, fail);
    };
    const parsed = alreadyParsedBody(req);
    if (parsed !== undefined) {
      take(Buffer.from(parsed.buffer, parsed.byteOffset, parsed.byteLength)).then(finish, reject);
      return;
    }
    req.on("data", onData);
    req.once("end", finish);
    req.once("error", (err) => fail(new GatewayError(Code.CANCELLED, `reading the request failed: ${err.message}`, { cause: err })));
  });
}

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

// Bytes that end a top-level scalar: the start or end of another value, or a separator.
function isStructural(byte: number): boolean {
  return byte === 0x7b || byte === 0x7d || byte === 0x5b || byte === 0x5d || byte === quote || byte === 0x2c || byte === 0x3a;
}

function valueTooLong(index: number, limit: number): GatewayError {
  return new GatewayError(Code.RESOURCE_EXHAUSTED, `request message #${index + 1} exceeds the limit of ${limit} bytes`, { httpStatus: 413 });
}
