// The ChatHub REST API (POST /v1/chat, /v1/chat:stream, /v1/chat:summarize,
// /v1/chat:converse) and a chat page at /chat/ that streams replies from it.
// Run it alone with `tsx --conditions=source examples/chathub/app.ts` (PORT, default 8080;
// CHATHUB_ADDRESS, default 127.0.0.1:50053, where examples/chathub/backend.ts listens).
import { fileURLToPath } from "node:url";
import express, { type Express } from "express";
import { createGateway, dial } from "grpc-gateway-express/runtime";
import { registerChatHubGateway } from "../gen/aihub/chathub_gateway.js";
import { bundleChatClient } from "./page-bundle.js";
import { isMain, portFromEnv, stopOnSignal } from "../support/grpc-server.js";
import { createExampleApp, serveHttp } from "../support/http-app.js";

/** Where the chat page is served. */
export const chatPagePath = "/chat/";

const pageDir = fileURLToPath(new URL("./page/", import.meta.url));

/** Serves the chat page at {@link chatPagePath}: plain files, and the generated client bundled as `client.js`. */
export function mountChatPage(app: Express): void {
  let bundle: Promise<string> | undefined;
  app.get(`${chatPagePath}client.js`, (_req, res, next) => {
    // Built once per process; a failed build is retried on the next request.
    bundle ??= bundleChatClient().catch((err: unknown) => {
      bundle = undefined;
      throw err;
    });
    bundle.then((code) => void res.type("text/javascript").send(code), next);
  });
  // `/chat` redirects to `/chat/`, so the page's relative links resolve inside it.
  app.use(chatPagePath.slice(0, -1), express.static(pageDir));
}

/** An Express app serving aihub.ChatHub as REST, calling the backend at `backendAddress`, plus the chat page and `GET /ping`. */
export function createChatHubApp(backendAddress: string): Express {
  const gateway = createGateway();
  registerChatHubGateway(gateway, dial(backendAddress));
  // The gateway passes paths it has no route for on to Express, so the page can come after it.
  const app = createExampleApp(gateway);
  mountChatPage(app);
  return app;
}

if (isMain(import.meta.url)) {
  const backendAddress = process.env["CHATHUB_ADDRESS"] ?? "127.0.0.1:50053";
  const server = await serveHttp(createChatHubApp(backendAddress), portFromEnv("PORT", 8080));
  console.log(`ChatHub REST API on ${server.url}, backend ${backendAddress}`);
  console.log(`  curl -N -X POST ${server.url}/v1/chat:stream -H 'Content-Type: application/json' -d '{"prompt":"hello there"}'`);
  console.log(`  chat page: ${server.url}${chatPagePath}`);
  stopOnSignal(() => server.close());
}
