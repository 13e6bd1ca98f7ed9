import { Code } from "../../gen/google/rpc/code_pb.js";
import { GatewayError } from "../../gateway-error.js";

/** Go's encoding/json limit, which grpc-gateway's decoder inherits. */
export const defaultMaxJsonDepth = 10_000;

/**
 * Refuses a JSON body whose arrays and objects nest deeper than `limit`, before anything
 * parses it: JSON.parse and the reader after it take time and memory in proportion to the
 * depth, even inside a field that is then discarded. A body cannot nest deeper than the
 * `{` and `[` it holds, so only one with more of them than the limit is scanned: one pass
 * over the UTF-8 bytes (brackets, quotes and backslashes are ASCII, never inside a
 * multi-byte sequence), brackets inside strings not counted. `text`, the body decoded,
 * counts them faster when the caller has it.
 */
export function checkJsonDepth(body: Uint8Array, limit: number, what: string, text?: string): void {
  const length = body.length;
  if (length <= limit || !(text === undefined ? bytesHoldMore(body, limit) : textHoldsMore(text, limit))) return;
  let depth = 0;
  let inString = false;
  // One flat loop: measured twice as fast as skipping strings in an inner loop or scanning the decoded string.
  for (let i = 0; i < length; i++) {
    const c = body[i]!;
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) throw new GatewayError(Code.INVALID_ARGUMENT, `${what}: JSON nests deeper than ${limit} levels`);
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
}

// Whether there are more than `limit` of `{` and `[` (inside strings or not), counted from
// one hit of the native indexOf to the next. String.prototype.indexOf is vectorized: over
// 64 KB it takes a fraction of a microsecond where Uint8Array's takes 20 and the loop above 60.
function bytesHoldMore(body: Uint8Array, limit: number): boolean {
  return openersPast((opener: number, from) => body.indexOf(opener, from), [0x7b, 0x5b], limit);
}

function textHoldsMore(text: string, limit: number): boolean {
  return openersPast((opener: string, from) => text.indexOf(opener, from), ["{", "["], limit);
}

function openersPast<T>(indexOf: (opener: T, from: number) => number, openers: readonly T[], limit: number): boolean {
  let count = 0;
  for (const opener of openers) {
    for (let i = indexOf(opener, 0); i !== -1; i = indexOf(opener, i + 1)) if (++count > limit) return true;
  }
  return false;
}
