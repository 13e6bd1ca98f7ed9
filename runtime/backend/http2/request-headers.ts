import type { OutgoingHttpHeaders } from "node:http2";
import type { Metadata } from "@grpc/grpc-js";
import { acceptEncoding } from "./compression.js";

/**
 * Whether node's HTTP/2 client takes a request's headers as a flat list of names and
 * values (node 24.0 and 22.17 on). It copies a headers object into one of its own and walks
 * it again; a list it walks once, and the call's metadata need not become an object first.
 */
export function takesHeaderList(nodeVersion: string): boolean {
  const [major = 0, minor = 0] = nodeVersion.split(".").map(Number);
  return major >= 24 || (major === 22 && minor >= 17);
}

const headerLists = takesHeaderList(process.versions.node);

/**
 * The headers of a call: the gRPC request headers, then its metadata (keys the protocol's
 * own headers take are theirs, as when metadata is set on an object first and they after).
 * `timeout` is the `grpc-timeout` value when the call has a deadline.
 */
export function requestHeaders(
  path: string,
  metadata: Metadata,
  userAgent: string,
  timeout: string | undefined,
  lists = headerLists,
): string[] | OutgoingHttpHeaders {
  const list = grpcHeaders(path, userAgent, timeout);
  // node gives a `host` header in an object the role of `:authority`, never in a list.
  if (!lists || metadata.get("host").length > 0) {
    const headers = metadata.toHttp2Headers();
    for (let i = 0; i < list.length; i += 2) headers[list[i]!] = list[i + 1];
    return headers;
  }
  const own = list.length;
  const entries = metadata.toJSON();
  // Own keys only, as the object form has them: a `__proto__` key became the prototype.
  for (const key of Object.keys(entries)) {
    if (key.startsWith(":") || takenBy(list, own, key)) continue;
    for (const value of entries[key]!) list.push(key, typeof value === "string" ? value : value.toString("base64"));
  }
  return list;
}

// The gRPC request headers of every call, as names and values.
function grpcHeaders(path: string, userAgent: string, timeout: string | undefined): string[] {
  const list = [
    ":method",
    "POST",
    ":path",
    path,
    "content-type",
    "application/grpc",
    "te",
    "trailers",
    "grpc-accept-encoding",
    acceptEncoding,
    "user-agent",
    userAgent,
  ];
  if (timeout !== undefined) list.push("grpc-timeout", timeout);
  return list;
}

// Whether one of the first `own` entries of the list (the gRPC headers) has this name.
function takenBy(list: readonly string[], own: number, name: string): boolean {
  for (let i = 0; i < own; i += 2) if (list[i] === name) return true;
  return false;
}
