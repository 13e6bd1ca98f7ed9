import { request } from "node:http";

/** A response as the HTTP client saw it, trailers included. */
export interface HttpResult {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly trailers: Record<string, string | undefined>;
  readonly body: Buffer;
  readonly text: string;
}

/** What to send; `path` goes on the wire exactly as given (no URL normalisation). */
export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string | string[]>;
  readonly body?: string | Buffer;
}

/** Sends one request over node:http, so odd paths and headers (`TE`, `%2F`) reach the server unaltered. */
export function send(baseUrl: string, req: HttpRequest): Promise<HttpResult> {
  const url = new URL(baseUrl);
  const headers = { ...req.headers };
  // node sends a GET body without framing unless told its length.
  if (req.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-length")) {
    headers["Content-Length"] = String(Buffer.byteLength(req.body));
  }
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: url.hostname, port: url.port, method: req.method, path: req.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, trailers: res.trailers, body, text: body.toString("utf8") });
      });
      res.on("error", reject);
    });
    outgoing.on("error", reject);
    outgoing.end(req.body);
  });
}
