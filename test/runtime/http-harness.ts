// A loopback node:http server whose handler each test swaps in, and a client that keeps raw
// header lines and trailers, so runtime helpers are tested against real requests.
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from "node:http";
import { connect, type AddressInfo } from "node:net";

/** Serves one request in a test. */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A started loopback server. */
export interface TestServer {
  readonly port: number;
  /** Replaces the handler for the next requests. */
  handle(handler: Handler): void;
  close(): Promise<void>;
}

/** What the client received. */
export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly trailers: NodeJS.Dict<string>;
  readonly rawTrailers: string[];
  readonly text: string;
}

/** Starts a server on 127.0.0.1, port 0; a handler that throws answers 500 with the message. */
export async function startServer(): Promise<TestServer> {
  let current: Handler = (_req, res) => res.end();
  // Without requireHostHeader a test can send a request with no Host at all.
  const server = createServer({ requireHostHeader: false }, (req, res) => {
    try {
      current(req, res);
    } catch (err) {
      res.statusCode = 500;
      res.end(`handler threw: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    handle: (handler) => (current = handler),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Sends a GET with exactly these headers (array values go out as repeated lines). */
export function get(port: number, path: string, headers: OutgoingHttpHeaders = {}, setHost = true): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: "GET", headers, agent: false, setHost }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          trailers: res.trailers,
          rawTrailers: res.rawTrailers,
          text: Buffer.concat(chunks).toString("utf8"),
        }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** The values of every raw header line named `name` (case-insensitive), in order. */
export function rawValues(raw: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() === name.toLowerCase()) values.push(raw[i + 1]!);
  return values;
}

/**
 * Sends a GET with these exact header lines over a bare socket (node's client refuses some,
 * such as `Trailer` without chunked encoding) and returns the body of the reply.
 */
export function getRaw(port: number, path: string, headerLines: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(`GET ${path} HTTP/1.1\r\n${headerLines.map((l) => `${l}\r\n`).join("")}\r\n`));
    let received = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const text = received.toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end));
      if (end < 0 || length === null || received.length < end + 4 + Number(length[1])) return;
      socket.destroy();
      resolve(received.subarray(end + 4, end + 4 + Number(length[1])).toString("utf8"));
    });
    socket.on("error", reject);
  });
}
