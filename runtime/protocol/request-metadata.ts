import type { IncomingMessage } from "node:http";
import { Metadata, type MetadataValue } from "@grpc/grpc-js";
import { decodeBase64, decodeStandardBase64 } from "../base64.js";
import { GatewayError, isMetadata } from "../gateway-error.js";
import { Code } from "../gen/google/rpc/code_pb.js";
import type { ProxyTrust } from "./trusted-proxy.js";

/** The header prefix that carries custom metadata to and from a call (`Grpc-Metadata-<k>`). */
export const metadataHeaderPrefix = "Grpc-Metadata-";
/** The metadata key prefix under which permanent HTTP headers reach the backend. */
export const permanentHeaderPrefix = "grpcgateway-";

/** Maps a lower-case request header name to the metadata key to send it as, or undefined to drop it. */
export type IncomingHeaderMatcher = (key: string) => string | undefined;

/** Computes extra request metadata (auth, tracing ...), appended after what the headers give. */
export type MetadataAnnotator = (req: IncomingMessage) => Metadata | Record<string, MetadataValue | readonly MetadataValue[]> | undefined;

/** How {@link metadataFromRequest} turns headers into metadata. */
export interface MetadataFromRequestOptions {
  /** Which headers pass and under what key; default {@link defaultIncomingHeaderMatcher}. */
  incomingHeaderMatcher?: IncomingHeaderMatcher | undefined;
  /** Adds metadata computed from the request. */
  annotator?: MetadataAnnotator | undefined;
  /** Peers whose X-Forwarded-For and X-Forwarded-Host are passed on; by default none. */
  trustedProxy?: ProxyTrust;
}

// grpc-gateway's list of IANA permanent request headers, precomputed to their metadata keys
// so the per-request match is one map lookup and no string building.
const permanentHeaderKeys = new Map<string, string>(
  [
    "accept",
    "accept-charset",
    "accept-language",
    "accept-ranges",
    "authorization",
    "cache-control",
    "content-type",
    "cookie",
    "date",
    "expect",
    "from",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-schedule-tag-match",
    "if-unmodified-since",
    "max-forwards",
    "origin",
    "pragma",
    "referer",
    "user-agent",
    "via",
    "warning",
  ].map((name) => [name, permanentHeaderPrefix + name]),
);

const lowerMetadataPrefix = metadataHeaderPrefix.toLowerCase();

/**
 * grpc-gateway's default: `Grpc-Metadata-<k>` becomes `<k>`, the 24 permanent HTTP headers
 * become `grpcgateway-<k>`, everything else is dropped.
 */
export const defaultIncomingHeaderMatcher: IncomingHeaderMatcher = (key) =>
  key.startsWith(lowerMetadataPrefix) ? key.slice(lowerMetadataPrefix.length) : permanentHeaderKeys.get(key);

/**
 * Connection-scoped headers (RFC 9110 7.6.1; `Proxy-*` too): they belong to the HTTP hop,
 * never to the call, in either direction; HTTP/2, which gRPC runs on, even rejects them.
 */
export const hopByHopHeaders: ReadonlySet<string> = new Set(["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"]);

// Request metadata keys the gRPC transport owns: grpc-js sets them itself, and a custom
// matcher that produced them would fight the protocol's own headers.
const transportRequestKeys = new Set([...hopByHopHeaders, "host", "content-type", "user-agent", "content-length"]);

// The gRPC spec reserves `grpc-` keys for the protocol; these two are the application-set exceptions.
const applicationGrpcKeys = new Set(["grpc-trace-bin", "grpc-tags-bin"]);

/** Whether a metadata key belongs to the gRPC protocol itself (`grpc-*`, bar the two the application sets). */
export function isProtocolKey(key: string): boolean {
  return key.startsWith("grpc-") && !applicationGrpcKeys.has(key);
}

const validMetadataKey = /^[0-9a-z_.-]+$/;
const validMetadataText = /^[ -~]*$/;

/**
 * Builds the call's metadata from the request headers, like grpc-gateway's AnnotateContext:
 * matched headers (every value of a repeated one), `authorization` unprefixed, `x-forwarded-host`
 * (the Host) and `x-forwarded-for` (the peer), then the annotator's additions. From a trusted
 * proxy, its X-Forwarded-Host is sent instead and its X-Forwarded-For with the peer appended. `Host`, hop-by-hop
 * headers and `Grpc-Timeout` never reach the matcher. Keys or values grpc-js would refuse
 * are skipped; a `-bin` header that is not base64 throws INVALID_ARGUMENT naming it, as
 * grpc-gateway answers 400 `invalid binary header`.
 */
export function metadataFromRequest(req: IncomingMessage, options: MetadataFromRequestOptions = {}): Metadata {
  // The default matcher's answers are part of the per-name plan below.
  const matcher = options.incomingHeaderMatcher === defaultIncomingHeaderMatcher ? undefined : options.incomingHeaderMatcher;
  const md = new Metadata();
  const connectionListed = connectionOptions(req);
  const raw = req.rawHeaders;
  let host: string | undefined;
  let forwardedHost: string | undefined;
  let forwardedFor: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const plan = headerPlan(raw[i]!);
    const value = raw[i + 1]!;
    if (plan.role === HOST) host ??= value;
    else if (plan.role === FORWARDED_HOST) forwardedHost ??= value;
    else if (plan.role === FORWARDED_FOR) forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
    if (plan.skipped || connectionListed?.has(plan.name)) continue;
    if (plan.authorization) appendForwardable(md, "authorization", value);
    if (matcher === undefined) {
      if (plan.key !== undefined) appendHeader(md, plan.key, value, plan.name);
    } else {
      // A user's matcher is asked every time: it may not be a pure function of the name.
      const key = matcher(plan.name)?.toLowerCase();
      if (key !== undefined && forwardableKey(key)) appendHeader(md, key, value, plan.name);
    }
  }
  const peer = peerAddress(req);
  // What a client says of where it came from counts only when a trusted proxy relays it;
  // otherwise the gateway's own view replaces it, whatever a matcher let through.
  const trusted = peer !== undefined && options.trustedProxy?.(peer) === true;
  if (!trusted) {
    md.remove("x-forwarded-host");
    md.remove("x-forwarded-for");
  }
  const xfh = (trusted && forwardedHost) || host;
  if (xfh) appendMetadata(md, "x-forwarded-host", xfh);
  if (peer !== undefined) appendMetadata(md, "x-forwarded-for", trusted && forwardedFor ? `${forwardedFor}, ${peer}` : peer);
  if (options.annotator !== undefined) appendAnnotations(md, options.annotator(req));
  return md;
}

const NONE = 0;
const HOST = 1;
const FORWARDED_HOST = 2;
const FORWARDED_FOR = 3;

/** What a request header name means for metadata, worked out once per spelling of the name. */
interface HeaderPlan {
  /** The name in lower case. */
  readonly name: string;
  /** Whether the name feeds the authority or the X-Forwarded-* values. */
  readonly role: typeof NONE | typeof HOST | typeof FORWARDED_HOST | typeof FORWARDED_FOR;
  /** Never metadata: host, hop-by-hop, pseudo and Grpc-Timeout headers. */
  readonly skipped: boolean;
  /** Authorization, which also goes unprefixed. */
  readonly authorization: boolean;
  /** The default matcher's metadata key, when it gives one that may be sent. */
  readonly key: string | undefined;
}

// Header names come from a small vocabulary in practice, but they are the client's to
// choose: the memo stops growing here, and names beyond it are worked out per request.
const headerPlanLimit = 1000;
const headerPlans = new Map<string, HeaderPlan>();

function headerPlan(rawName: string): HeaderPlan {
  let plan = headerPlans.get(rawName);
  if (plan === undefined) {
    const name = rawName.toLowerCase();
    const role =
      name === "host" || name === ":authority" ? HOST : name === "x-forwarded-host" ? FORWARDED_HOST : name === "x-forwarded-for" ? FORWARDED_FOR : NONE;
    const key = defaultIncomingHeaderMatcher(name)?.toLowerCase();
    plan = {
      name,
      role,
      skipped: skippedHeader(name),
      authorization: name === "authorization",
      key: key !== undefined && forwardableKey(key) ? key : undefined,
    };
    if (headerPlans.size < headerPlanLimit) headerPlans.set(rawName, plan);
  }
  return plan;
}

// Host is the request's authority (grpc-gateway, on Go's net/http, never sees it as a header);
// Grpc-Timeout becomes the deadline, not metadata. Headers named in Connection are checked per request.
function skippedHeader(name: string): boolean {
  return name === "host" || name === "grpc-timeout" || name.startsWith(":") || name.startsWith("proxy-") || hopByHopHeaders.has(name);
}

// Headers named in `Connection` are hop-by-hop too; only parsed when it lists more than the usual.
function connectionOptions(req: IncomingMessage): ReadonlySet<string> | undefined {
  const connection = req.headers.connection;
  if (connection === undefined || connection === "keep-alive" || connection === "close") return undefined;
  return new Set(connection.split(",").map((token) => token.trim().toLowerCase()));
}

// The bare address grpc-gateway reports: an IPv4 peer on a dual-stack socket without `::ffff:`.
function peerAddress(req: IncomingMessage): string | undefined {
  const address = req.socket?.remoteAddress;
  if (!address) return undefined;
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}

function appendAnnotations(md: Metadata, extra: ReturnType<MetadataAnnotator>): void {
  if (extra === undefined) return;
  const entries = isMetadata(extra) ? Object.entries(extra.toJSON()) : Object.entries(extra);
  for (const [key, values] of entries) {
    const lower = key.toLowerCase();
    if (typeof values === "string" || Buffer.isBuffer(values)) appendMetadata(md, lower, values);
    else for (const value of values) appendMetadata(md, lower, value);
  }
}

/** Whether a metadata key may be sent to the backend: legal for grpc-js and not owned by the transport. */
function forwardableKey(key: string): boolean {
  if (!validMetadataKey.test(key) || transportRequestKeys.has(key)) return false;
  return !isProtocolKey(key);
}

function appendMetadata(md: Metadata, key: string, value: MetadataValue): void {
  if (forwardableKey(key)) appendForwardable(md, key, value);
}

// For a key already known to be forwardable: the value's own checks.
function appendForwardable(md: Metadata, key: string, value: MetadataValue): void {
  if (key.endsWith("-bin")) {
    const bytes = typeof value === "string" ? decodeBase64(value) : value;
    if (bytes !== undefined) md.add(key, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } else if (typeof value === "string" && validMetadataText.test(value)) {
    md.add(key, value);
  }
}

// A header's value: a `-bin` one must be base64 as grpc-gateway's decodeBinHeader reads it.
function appendHeader(md: Metadata, key: string, value: string, headerName: string): void {
  if (!key.endsWith("-bin")) {
    appendForwardable(md, key, value);
    return;
  }
  const bytes = decodeStandardBase64(value);
  if (typeof bytes === "number") {
    throw new GatewayError(Code.INVALID_ARGUMENT, `invalid binary header ${canonicalHeaderName(headerName)}: illegal base64 data at input byte ${bytes}`);
  }
  md.add(key, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

// Go's textproto.CanonicalMIMEHeaderKey, which grpc-gateway names the header with.
function canonicalHeaderName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());
}

/** A request header as one string: node joins a repeated header with ", " (only Set-Cookie stays a list). */
export function headerText(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}
