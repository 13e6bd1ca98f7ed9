import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

/** One place to connect to: a TCP host and port, or a unix socket path. */
export type Endpoint = { readonly host: string; readonly port: number } | { readonly path: string };

/** A parsed target: endpoints known as written, or a name to resolve to all its records. */
export type Target =
  | { readonly kind: "static"; readonly endpoints: readonly Endpoint[]; readonly authority: string }
  | { readonly kind: "dns"; readonly host: string; readonly port: number; readonly authority: string };

const defaultPort = 443;

/**
 * Parses a gRPC target: `unix:/path` (or `unix:///path`), `ipv4:a:p,b:p`, `ipv6:[a]:p,...`,
 * `dns:///host:port` (`dns:host:port`, an authority ignored), or a bare `host:port`, which
 * is resolved like `dns:`. A missing port is 443, as gRPC has it.
 */
export function parseTarget(target: string): Target {
  if (target.startsWith("unix:")) {
    const path = target.startsWith("unix://") ? target.slice("unix://".length) : target.slice("unix:".length);
    if (path === "") throw new Error(`no socket path in target ${JSON.stringify(target)}`);
    return { kind: "static", endpoints: [{ path }], authority: "localhost" };
  }
  if (target.startsWith("ipv4:") || target.startsWith("ipv6:")) {
    const endpoints = target
      .slice(5)
      .split(",")
      .map((part) => hostPort(part, target));
    const first = endpoints[0]!;
    return { kind: "static", endpoints, authority: authorityOf(first.host, first.port) };
  }
  let rest = target;
  if (rest.startsWith("dns:")) {
    rest = rest.slice(4);
    // dns://authority/host:port names a DNS server; the system resolver is used instead.
    if (rest.startsWith("//")) rest = rest.slice(rest.indexOf("/", 2) + 1);
  }
  const { host, port } = hostPort(rest, target);
  if (isIP(host)) return { kind: "static", endpoints: [{ host, port }], authority: authorityOf(host, port) };
  return { kind: "dns", host, port, authority: authorityOf(host, port) };
}

function hostPort(text: string, target: string): { host: string; port: number } {
  let host = text;
  let port = defaultPort;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1]!;
    if (bracketed[2] !== undefined) port = Number(bracketed[2]);
  } else {
    const colon = text.lastIndexOf(":");
    // More than one colon without brackets: a bare IPv6 address, no port.
    if (colon >= 0 && text.indexOf(":") === colon) {
      host = text.slice(0, colon);
      port = Number(text.slice(colon + 1));
    }
  }
  if (host === "" || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`invalid address ${JSON.stringify(text)} in target ${JSON.stringify(target)}`);
  return { host, port };
}

function authorityOf(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The endpoints of `target` now: every address record of a DNS name, in the resolver's order. */
export async function resolveTarget(target: Target): Promise<readonly Endpoint[]> {
  if (target.kind === "static") return target.endpoints;
  const records = await lookup(target.host, { all: true });
  return records.map((r) => ({ host: r.address, port: target.port }));
}

/** A key that names an endpoint, to keep one connection per endpoint. */
export function endpointKey(endpoint: Endpoint): string {
  return "path" in endpoint ? `unix:${endpoint.path}` : authorityOf(endpoint.host, endpoint.port);
}
