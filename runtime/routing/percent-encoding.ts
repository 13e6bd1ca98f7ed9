/**
 * Percent-escapes in paths (RFC 3986): which are well-formed, and decoding them fully or
 * all but the reserved characters. The template parser checks the escapes of literals
 * with these; the router decodes request paths with them.
 */

/** Whether `c` (a UTF-16 code unit) is an ASCII hex digit. */
export function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function hexValue(c: number): number {
  return c <= 57 ? c - 48 : (c | 32) - 87;
}

/** Index of the first "%" at or after `from` (itself the index of a "%", or -1) not followed by two hex digits; -1 if none. */
export function badEscapeAt(text: string, from: number): number {
  for (let i = from; i >= 0; i = text.indexOf("%", i + 3)) {
    if (!isHex(text.charCodeAt(i + 1)) || !isHex(text.charCodeAt(i + 2))) return i;
  }
  return -1;
}

/** `decodeURIComponent(text)`, or undefined where the escapes are malformed or not UTF-8. */
export function tryDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** Every segment fully decoded, or undefined when one does not decode. */
export function decodeAll(segments: string[]): string[] | undefined {
  const out = new Array<string>(segments.length);
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const text = segment.includes("%") ? tryDecode(segment) : segment;
    if (text === undefined) return undefined;
    out[i] = text;
  }
  return out;
}

// RFC 6570 reserved: gen-delims and sub-delims.
const RESERVED = new Uint8Array(128);
for (const c of ":/?#[]@!$&'()*+,;=") RESERVED[c.charCodeAt(0)] = 1;
const SLASH = new Uint8Array(128);
SLASH[47] = 1;

/**
 * Decodes every escape but those of RFC 6570 reserved characters, so `%2F` stays `%2F`.
 * For text whose escapes are known well-formed and whose segments are known to decode:
 * the runs between kept escapes (ASCII, never inside a UTF-8 sequence) then decode too.
 */
export function decodeExceptReserved(text: string): string {
  return decodeExcept(text, RESERVED);
}

/** As {@link decodeExceptReserved}, keeping only `%2F` (grpc-gateway's UnescapingModeAllExceptSlash). */
export function decodeExceptSlash(text: string): string {
  return decodeExcept(text, SLASH);
}

// Kept escapes stay as sent, in their own case, as grpc-gateway's unescape writes them.
function decodeExcept(text: string, kept: Uint8Array): string {
  let i = text.indexOf("%");
  if (i < 0) return text;
  let out = "";
  let run = 0;
  for (; i >= 0; i = text.indexOf("%", i + 3)) {
    const byte = hexValue(text.charCodeAt(i + 1)) * 16 + hexValue(text.charCodeAt(i + 2));
    if (byte < 128 && kept[byte] === 1) {
      out += decodeURIComponent(text.slice(run, i)) + text.slice(i, i + 3);
      run = i + 3;
    }
  }
  return out + decodeURIComponent(text.slice(run));
}
