/** Starts an HTTP app on a free loopback port, the same way for every target. */
import { createServer, type IncomingMessage, type RequestListener } from "node:http";
import type { Duplex } from "node:stream";
import type { AddressInfo } from "node:net";

/** Listens on 127.0.0.1:0 and resolves with the port; `upgrade` takes WebSocket handshakes. */
export function listen(handler: RequestListener, upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => unknown): Promise<number> {
  const server = createServer(handler);
  if (upgrade) server.on("upgrade", upgrade);
  // The load generator keeps its connections busy; never let the server close them mid-run.
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}
