import type { JsonValue } from "@bufbuild/protobuf";
import { beyondSafeIntegers } from "./integers.js";
import { refuseUnsafe } from "./scalars.js";

// The duplicate-key check of a JSON text, as two counts that agree only when no object of
// the text repeats a key: the text's colons (separatorCount) against the parsed value's
// keys plus the colons inside its strings (the reader's tally, with tally() for what it
// does not walk itself). protobuf-es scans the text character by character instead,
// which costs more than parsing it.

/**
 * The number of `:` in a JSON text. Each one outside strings separates an object key from
 * its value, so for a text without duplicate keys it equals the keys of all objects
 * JSON.parse made plus the colons inside their strings; a duplicate key, which JSON.parse
 * collapses, makes the parsed side smaller. A `\u003a` escape would make a colon of no
 * colon, so such a text is left to protobuf-es's own scan (-1 never matches).
 */
export function separatorCount(text: string): number {
  if (text.includes("\\u003") && /\\u003a/i.test(text)) return -1;
  return colonCount(text);
}

/**
 * The tally (keys plus colons in strings) of a parsed value the reader does not walk
 * itself. With `unquoted` (the value of a text whose large integers are not quoted yet),
 * a number in it beyond ±(2^53 - 1) refuses the read (refuseUnsafe).
 */
export function tally(json: JsonValue, unquoted = false): number {
  if (typeof json === "string") return colonCount(json);
  if (typeof json !== "object" || json === null) {
    if (unquoted && typeof json === "number" && beyondSafeIntegers(json)) refuseUnsafe();
    return 0;
  }
  let count = 0;
  if (Array.isArray(json)) {
    for (let i = 0; i < json.length; i++) count += tally(json[i]!, unquoted);
    return count;
  }
  const keys = Object.keys(json);
  count += keys.length;
  for (let i = 0; i < keys.length; i++) count += colonCount(keys[i]!) + tally(json[keys[i]!]!, unquoted);
  return count;
}

/** The number of `:` in a string. */
export function colonCount(text: string): number {
  let count = 0;
  for (let i = text.indexOf(":"); i !== -1; i = text.indexOf(":", i + 1)) count++;
  return count;
}
