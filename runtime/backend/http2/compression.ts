import { gunzipSync, inflateSync } from "node:zlib";

/** What the transport tells servers it can decode (`grpc-accept-encoding`). */
export const acceptEncoding = "identity,deflate,gzip";

/**
 * Decodes a compressed message sent under `encoding` (the reply's `grpc-encoding`), never
 * inflating past `limit` bytes (node throws ERR_BUFFER_TOO_LARGE beyond it). Returns
 * undefined for an encoding this transport does not know.
 */
export function decompress(payload: Buffer, encoding: string | undefined, limit: number): Buffer | undefined {
  const options = { maxOutputLength: Math.max(1, limit) };
  if (encoding === "gzip") return gunzipSync(payload, options);
  if (encoding === "deflate") return inflateSync(payload, options);
  return undefined;
}
