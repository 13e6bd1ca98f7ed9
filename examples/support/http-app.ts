import { createServer, type IncomingMessage, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import express, { type Express } from "express";
import type { Gateway } from "grpc-gateway-express/runtime";

/** The examples' own Express app, without the gateway: a `GET /ping` health check (answering `pong`). */
export function createExpressApp(): Express {
  const app = express();
  // Naming the server software only helps whoever probes it.
  app.disable("x-powered-by");
  app.get("/ping", (_req, res) => {
    res.type("text/plain").send("pong");
  });
  return app;
}

/** The same app with `gateway` mounted in it, as `app.use(gateway)`: the way each service's own example runs. */
export function createExampleApp(gateway: Gateway): Express {
  const app = createExpressApp();
  // Mounted last and at the root: paths the gateway has no route for fall through to
  // Express, which answers its own 404.
  app.use(gateway);
  return app;
}

/** A listening HTTP server: its base URL and how to stop it. */
export interface RunningHttpServer {
  /** `http://host:port`, with the port actually bound. */
  readonly url: string;
  /** Stops accepting connections and drops idle keep-alive ones. */
  close(): Promise<void>;
}

/**
 * Serves `listener` (an Express app, or a gateway's front door) on `host:port` (port 0 picks
 * a free one); `upgrade` takes WebSocket handshakes.
 */
export async function serveHttp(
  listener: RequestListener,
  port: number,
  host = "127.0.0.1",
  upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => unknown,
): Promise<RunningHttpServer> {
  const server = createServer(listener);
  if (upgrade) server.on("upgrade", upgrade);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port: boundPort } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${boundPort}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
