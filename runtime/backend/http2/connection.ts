import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type OutgoingHttpHeaders, type SecureClientSessionOptions } from "node:http2";
import { connect as connectSocket, isIP } from "node:net";
import { connect as connectTls, type ConnectionOptions } from "node:tls";
import type { Endpoint } from "./address.js";
import { Keepalive } from "./keepalive.js";
import type { Http2Settings } from "./options.js";

/** What a connection tells its pool. */
export interface ConnectionEvents {
  /** The server's first SETTINGS frame arrived: calls may go out. */
  ready(connection: Connection): void;
  /** No new calls may go out on it (GOAWAY, closed, failed); `error` when it never became ready. */
  gone(connection: Connection, error: unknown, wasReady: boolean): void;
  /** A stream slot freed up, or the server raised its stream limit. */
  room(connection: Connection): void;
  /** The server sent GOAWAY `too_many_pings`: it wants fewer keepalive pings than every `keepaliveTimeMs`. */
  tooManyPings(connection: Connection, keepaliveTimeMs: number): void;
}

/**
 * One HTTP/2 session to one endpoint: ready once the server's SETTINGS arrive (within the
 * connect timeout), the server's MAX_CONCURRENT_STREAMS counted, kept alive by pings while
 * calls are in flight, and draining after a GOAWAY: the streams in flight finish, no new one starts.
 */
export class Connection {
  readonly session: ClientHttp2Session;
  ready = false;
  /** No new streams: GOAWAY received, closed, or failed. */
  gone = false;
  active = 0;
  maxStreams = Number.POSITIVE_INFINITY;
  private connectTimer: NodeJS.Timeout | undefined;
  private keepalive: Keepalive | undefined;
  private lastError: unknown;

  constructor(
    readonly endpoint: Endpoint,
    authority: string,
    settings: Http2Settings,
    private readonly events: ConnectionEvents,
  ) {
    const { tls } = settings;
    // node counts a closed stream's native handle against the session's memory until a full GC
    // frees it; at node's default limit (10 MB) a busy connection then reset the streams it
    // opened, ENHANCE_YOUR_CALM before any reply header, for seconds at a time (the bench's
    // POST 64 KB, a minute in). grpc-js lifts the limit the same way; the reply size limit
    // is the gateway's own bound on what a backend may send.
    const options: SecureClientSessionOptions = { settings: { enablePush: false }, maxSessionMemory: Number.MAX_SAFE_INTEGER };
    // Where to connect is the endpoint's; the origin names the target's authority (`:authority`).
    options.createConnection = () => {
      if (tls === undefined) return "path" in endpoint ? connectSocket(endpoint.path) : connectSocket(endpoint.port, endpoint.host);
      const secure: ConnectionOptions = { ALPNProtocols: ["h2"] };
      // SNI takes a name only; an address is checked against the certificate's IP entries.
      const name = tls.serverName ?? hostOf(authority);
      if (isIP(name) === 0) secure.servername = name;
      if (tls.ca !== undefined) secure.ca = tls.ca;
      if (tls.cert !== undefined) secure.cert = tls.cert;
      if (tls.key !== undefined) secure.key = tls.key;
      if ("path" in endpoint) secure.path = endpoint.path;
      else {
        secure.host = endpoint.host;
        secure.port = endpoint.port;
      }
      return connectTls(secure);
    };
    this.session = connect(`${tls === undefined ? "http" : "https"}://${authority}`, options);
    const session = this.session;
    this.connectTimer = setTimeout(() => this.fail(new Error(`no HTTP/2 handshake within ${settings.connectTimeoutMs} ms`)), settings.connectTimeoutMs);
    session.once("remoteSettings", (remote) => {
      clearTimeout(this.connectTimer);
      this.ready = true;
      this.maxStreams = remote.maxConcurrentStreams ?? Number.POSITIVE_INFINITY;
      session.on("remoteSettings", (later) => {
        this.maxStreams = later.maxConcurrentStreams ?? Number.POSITIVE_INFINITY;
        this.events.room(this);
      });
      if (settings.keepaliveTimeMs > 0) {
        this.keepalive = new Keepalive(
          session,
          settings,
          () => this.active === 0,
          (err) => this.fail(err),
        );
      }
      if (this.active === 0) session.unref();
      if (!this.gone) this.events.ready(this);
    });
    session.on("goaway", (errorCode, _lastStreamId, data) => {
      this.lastError = new Error(`GOAWAY from the server (code ${errorCode})`);
      if (errorCode === constants.NGHTTP2_ENHANCE_YOUR_CALM && data?.toString("latin1") === "too_many_pings") {
        this.events.tooManyPings(this, settings.keepaliveTimeMs);
      }
      this.retire();
      // node closes the session once the streams in flight are done.
    });
    session.on("error", (err) => (this.lastError = err));
    session.on("close", () => {
      this.keepalive?.stop();
      this.retire();
    });
  }

  /** Whether a new stream may start on it now. */
  get usable(): boolean {
    return this.ready && !this.gone && this.active < this.maxStreams;
  }

  /** Starts a stream; the caller counted it usable. */
  request(headers: OutgoingHttpHeaders | string[]): ClientHttp2Stream {
    // The list form (request-headers.ts) is node's since 22.17; its types know only the object.
    const stream = this.session.request(headers as OutgoingHttpHeaders, { endStream: false });
    if (this.active++ === 0) {
      this.session.ref();
      this.keepalive?.callStarted();
    }
    // A stream closes once; one listener made per connection rather than one per call.
    stream.on("close", this.streamClosed);
    return stream;
  }

  private readonly streamClosed = (): void => {
    if (--this.active === 0 && !this.session.destroyed) this.session.unref();
    if (this.gone) {
      if (this.active === 0 && !this.session.destroyed) this.session.close();
    } else this.events.room(this);
  };

  /** Closes it: at once, or once its streams are done when `graceful`. */
  close(graceful: boolean): void {
    this.retire();
    if (graceful && this.active > 0) this.session.close();
    else this.session.destroy();
  }

  private fail(error: unknown): void {
    this.lastError = error;
    this.session.destroy();
    this.retire();
  }

  private retire(): void {
    if (this.gone) return;
    this.gone = true;
    clearTimeout(this.connectTimer);
    if (this.active === 0 && !this.session.destroyed) this.session.close();
    this.events.gone(this, this.lastError ?? new Error("connection closed"), this.ready);
  }
}

function hostOf(authority: string): string {
  const bracket = /^\[([^\]]+)\]/.exec(authority);
  if (bracket) return bracket[1]!;
  const colon = authority.lastIndexOf(":");
  return colon < 0 ? authority : authority.slice(0, colon);
}
