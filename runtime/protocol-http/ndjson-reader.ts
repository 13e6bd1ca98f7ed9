import type { IncomingMessage } from "node:http";
import { Code } from "../gen/google/rpc/code_pb.js";
import { GatewayError } from "../gateway-error.js";
import { alreadyParsedBody } from "./request-body.js";

const newline = 0x0a;

/**
 * Reads a newline-delimited request body as it arrives, handing each non-blank line to
 * `onMessage` and pausing the socket until it is done, so a slow backend holds the client
 * back instead of filling memory. A line longer than `maxLineBytes` is refused.
 *
 * Event-driven rather than `for await`: leaving an async iteration early destroys the
 * request, and with it the socket the error response still has to go out on.
 */
export function readNdjson(req: IncomingMessage, maxLineBytes: number, onMessage: (line: Uint8Array, index: number) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let index = 0;
    let failed = false;

    const emit = async (line: Buffer): Promise<void> => {
      if (isBlank(line)) return;
      await onMessage(line, index++);
    };
    const take = async (chunk: Buffer): Promise<void> => {
      let start = 0;
      for (let nl = chunk.indexOf(newline); nl !== -1; nl = chunk.indexOf(newline, start)) {
        const piece = chunk.subarray(start, nl);
        const line = pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
        pending = [];
        pendingBytes = 0;
        if (line.length > maxLineBytes) throw lineTooLong(index, maxLineBytes);
        await emit(line);
        start = nl + 1;
      }
      if (start < chunk.length) {
        pending.push(chunk.subarray(start));
        pendingBytes += chunk.length - start;
        if (pendingBytes > maxLineBytes) throw lineTooLong(index, maxLineBytes);
      }
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
      const rest = pending.length > 0 ? emit(Buffer.concat(pending)) : Promise.resolve();
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

function isBlank(line: Buffer): boolean {
  for (const byte of line) if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false;
  return true;
}

function lineTooLong(index: number, limit: number): GatewayError {
  return new GatewayError(Code.RESOURCE_EXHAUSTED, `request message #${index + 1} exceeds the limit of ${limit} bytes`, { httpStatus: 413 });
}
