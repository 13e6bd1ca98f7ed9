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

const base64Alphabet = /^[A-Za-z0-9+/]*$/;

/**
 * grpc-gateway's decodeBinHeader for `-Bin` request headers: the standard alphabet only,
 * padded when the length is a multiple of four and unpadded otherwise. Gives the bytes,
 * or the offset of the first byte that cannot be decoded (what Go's error reports).
 */
export function decodeStandardBase64(text: string): Uint8Array | number {
  const body = text.length % 4 === 0 && text.endsWith("=") ? text.replace(/==?$/, "") : text;
  if (!base64Alphabet.test(body)) {
    for (let i = 0; i < body.length; i++) if (!base64Alphabet.test(body[i]!)) return i;
  }
  if (body.length % 4 === 1) return body.length - 1;
  return base64Decode(body);
}
