/**
 * The strict base64 that bytes arrive in from URLs (query parameters and path variables
 * of `bytes` fields and BytesValue) and from `-Bin` request headers.
 */
import { base64Decode } from "@bufbuild/protobuf/wire";

const standardAlphabet = /^[A-Za-z0-9+/]*$/;
const urlSafeAlphabet = /^[A-Za-z0-9_-]*$/;

/**
 * Decodes standard or URL-safe base64 (one alphabet or the other, never mixed), padded
 * to a multiple of four or not padded at all; undefined for anything else. Stricter than
 * base64Decode alone, which skips characters outside the alphabet: a `+` that a query
 * string turned into a space would silently give other bytes.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  const body = text.length % 4 === 0 && text.endsWith("=") ? text.replace(/==?$/, "") : text;
  const alphabet = /[-_]/.test(body) ? urlSafeAlphabet : standardAlphabet;
  if (!alphabet.test(body) || body.length % 4 === 1) return undefined;
  return base64Decode(body);
}
