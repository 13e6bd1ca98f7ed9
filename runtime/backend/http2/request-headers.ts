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
  // node gives a `host` header in an object the role of `:authority`, never in a list.
  if (!lists || metadata.get("host").length > 0) {
    const headers = metadata.toHttp2Headers();
    headers[":method"] = "POST";
    headers[":path"] = path;
    headers["content-type"] = "application/grpc";
    headers.te = "trailers";
    headers["grpc-accept-encoding"] = acceptEncoding;
    headers["user-agent"] = userAgent;
    if (timeout !== undefined) headers["grpc-timeout"] = timeout;
    return headers;
  }
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
  const entries = metadata.toJSON();
  // Own keys only, as the object form has them: a `__proto__` key became the prototype.
  for (const key of Object.keys(entries)) {
    if (key.startsWith(":") || protocolOwned.has(key) || (timeout !== undefined && key === "grpc-timeout")) continue;
    for (const value of entries[key]!) list.push(key, typeof value === "string" ? value : value.toString("base64"));
  }
  return list;
}

const protocolOwned = new Set(["content-type", "te", "grpc-accept-encoding", "user-agent"]);
