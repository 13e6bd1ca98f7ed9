import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type Express } from "express";
import type { Gateway } from "grpc-gateway-express/runtime";

/** An Express app with a `GET /ping` health check (answering `pong`) in front of `gateway`. */
export function createExampleApp(gateway: Gateway): Express {
  const app = express();
  // Naming the server software only helps whoever probes it.
  app.disable("x-powered-by");
  app.get("/ping", (_req, res) => {
    res.type("text/plain").send("pong");
  });
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

/** Serves `app` on `host:port` (port 0 picks a free one). */
export async function serveHttp(app: Express, port: number, host = "127.0.0.1"): Promise<RunningHttpServer> {
  const server = createServer(app);
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
