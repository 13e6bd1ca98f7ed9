// `npm start`: the example gRPC backends and one REST gateway in front of them, with the
// chat page, then the curl and grpcurl lines to try. Ports: PORT (8080), GREETER_PORT
// (50051), TAGS_PORT (50052), CHATHUB_PORT (50053); CHATHUB_TOKEN_DELAY_MS (60) paces the model.
import { createGateway, dial, type Gateway } from "grpc-gateway-express/runtime";
import type { Express } from "express";
import { chatPagePath, mountChatPage } from "./chathub/app.js";
import { startChatHubBackend, tokenDelayFromEnv, type RunningChatHub } from "./chathub/backend.js";
import { docsPagePath, mountDocsPage, openApiPath } from "./docs/docs-page.js";
import { registerChatHubGateway } from "./gen/aihub/chathub_gateway.js";
import { startGreeterBackend } from "./greeter/backend.js";
import { registerGreeterGateway } from "./gen/greeter/v1/greeter_gateway.js";
import { registerTagServiceGateway } from "./gen/tag/v1/tag_gateway.js";
import { isMain, portFromEnv, stopOnSignal, type RunningServer } from "./support/grpc-server.js";
import { createExpressApp, serveHttp } from "./support/http-app.js";
import { tagGatewayOptions } from "./tags/app.js";
import { startTagsBackend } from "./tags/backend.js";

/** Where each example server listens; 0 picks a free port. */
export interface ExamplePorts {
  readonly http: number;
  readonly greeter: number;
  readonly tags: number;
  /** ChatHub's backend; absent: any free port. */
  readonly chathub?: number;
}

/** How the examples behave, beyond where they listen. */
export interface ExampleOptions {
  /** The ChatHub model's time per token, in milliseconds (default: its backend's). */
  readonly chatTokenDelayMs?: number;
}

/** The running examples: the gateway's URL, the backends' addresses, one way to stop them all. */
export interface RunningExamples {
  readonly url: string;
  readonly greeterAddress: string;
  readonly tagsAddress: string;
  readonly chathubAddress: string;
  /** What the ChatHub backend reports: tokens, request messages, cancellations. */
  readonly chatEvents: RunningChatHub["events"];
  /** Stops the HTTP server, then the gateway's connections, then the backends. */
  close(): Promise<void>;
}

/**
 * One gateway serving every service (with TagService's error handler, harmless to the
 * others) in front of an Express app with `GET /ping`, the chat page, and the API's OpenAPI
 * document and docs page: `gateway.fallback(app)`, the front door, serves the gateway's routes
 * before Express runs and hands the rest to the app.
 */
export function createExamplesApp(backends: { greeter: string; tags: string; chathub: string }): {
  app: Express;
  gateway: Gateway;
  close(): void;
} {
  const gateway = createGateway(tagGatewayOptions);
  const greeter = dial(backends.greeter);
  const tags = dial(backends.tags);
  const chathub = dial(backends.chathub);
  registerGreeterGateway(gateway, greeter);
  registerTagServiceGateway(gateway, tags);
  registerChatHubGateway(gateway, chathub);
  const app = createExpressApp();
  mountChatPage(app);
  mountDocsPage(app);
  return {
    app,
    gateway,
    close: () => {
      greeter.close();
      tags.close();
      chathub.close();
    },
  };
}

/** Starts the backends and the gateway app on `ports`. */
export async function startExamples(ports: ExamplePorts, options: ExampleOptions = {}): Promise<RunningExamples> {
  const backends: RunningServer[] = [];
  const closeStarted = () => Promise.all(backends.map((backend) => backend.close()));
  // Started one by one, so a port already taken stops the rest and closes what did start.
  const start = async <T extends RunningServer>(starting: Promise<T>): Promise<T> => {
    const backend = await starting.catch(async (err: unknown) => {
      await closeStarted();
      throw err;
    });
    backends.push(backend);
    return backend;
  };
  const greeterBackend = await start(startGreeterBackend(ports.greeter));
  const tagsBackend = await start(startTagsBackend(ports.tags));
  const chatDelay = options.chatTokenDelayMs === undefined ? {} : { tokenDelayMs: options.chatTokenDelayMs };
  const chathubBackend = await start(startChatHubBackend({ port: ports.chathub ?? 0, ...chatDelay }));
  const examples = createExamplesApp({ greeter: greeterBackend.address, tags: tagsBackend.address, chathub: chathubBackend.address });
  const closeBackends = async () => {
    examples.close();
    await closeStarted();
  };
  const http = await serveHttp(examples.gateway.fallback(examples.app), ports.http, undefined, examples.gateway.upgrade).catch(async (err: unknown) => {
    await closeBackends();
    throw err;
  });
  return {
    url: http.url,
    greeterAddress: greeterBackend.address,
    tagsAddress: tagsBackend.address,
    chathubAddress: chathubBackend.address,
    chatEvents: chathubBackend.events,
    close: async () => {
      await http.close();
      await closeBackends();
    },
  };
}

/** A command to try against running examples, working as printed, and what it shows. */
export interface TryLine {
  readonly what: string;
  readonly command: string;
}

/** The commands `npm start` prints, pointed at the running servers. */
export function tryLines(running: RunningExamples): TryLine[] {
  const url = running.url;
  return [
    { what: "Greeter over REST, name from the path", command: `curl ${url}/v1/greeter/world` },
    {
      what: "the same rpc through its POST binding, body *",
      command: `curl -X POST ${url}/v1/greeter -H 'Content-Type: application/json' -d '{"name":"world"}'`,
    },
    {
      what: "TagService: filters and paging from the query (int64 fields come back as strings)",
      command: `curl '${url}/api/v1/tags?name=go&state=1&page=1&page_size=2'`,
    },
    {
      what: 'a business error: 500 {"code":20010001,"message":"获取标签列表失败"} from the custom error handler',
      command: `curl -i '${url}/api/v1/tags?name=error'`,
    },
    {
      what: "ChatHub, unary: the whole reply at once, at most 8 tokens",
      command: `curl -X POST ${url}/v1/chat -H 'Content-Type: application/json' -d '{"prompt":"hello there","maxLength":8}'`,
    },
    {
      what: 'server streaming, one token a line as {"result": ...} (-N: print each as it comes)',
      command: `curl -N -X POST ${url}/v1/chat:stream -H 'Content-Type: application/json' -d '{"prompt":"tell me about streams"}'`,
    },
    {
      what: "the same as Server-Sent Events",
      command: `curl -N -X POST ${url}/v1/chat:stream -H 'Accept: text/event-stream' -H 'Content-Type: application/json' -d '{"prompt":"tell me about streams"}'`,
    },
    {
      what: 'bare NDJSON; "fail" in the prompt breaks the model halfway, ending with an {"error": ...} line',
      command: `curl -N -X POST ${url}/v1/chat:stream -H 'Accept: application/x-ndjson' -H 'Content-Type: application/json' -d '{"prompt":"please fail now"}'`,
    },
    {
      what: "client streaming: a conversation uploaded as NDJSON, one prompt a line, summarized in one reply",
      command: `printf '{"prompt":"hi there"}\\n{"prompt":"how do streams work?"}\\n' | curl -X POST ${url}/v1/chat:summarize -H 'Content-Type: application/x-ndjson' --data-binary @-`,
    },
    {
      what: "bidirectional: each prompt answered in turn (curl sends its whole body first; test/e2e/chathub.test.ts interleaves them)",
      command: `printf '{"prompt":"hi"}\\n{"prompt":"bye now"}\\n' | curl -N -X POST ${url}/v1/chat:converse -H 'Content-Type: application/x-ndjson' --data-binary @-`,
    },
    { what: "the chat page: type a prompt, watch the reply stream in", command: `open ${url}${chatPagePath}` },
    { what: "the docs page (Swagger UI): every operation, and Try it out against this gateway", command: `open ${url}${docsPagePath}` },
    { what: "the OpenAPI 3.1 document behind it, all three services merged", command: `curl ${url}${openApiPath}` },
    { what: "a plain Express route beside the gateway", command: `curl ${url}/ping` },
    { what: "the backends speak gRPC with reflection", command: `grpcurl -plaintext ${running.greeterAddress} list` },
    {
      what: "TagService over gRPC directly",
      command: `grpcurl -plaintext -d '{"name":"go","state":1}' ${running.tagsAddress} tag.v1.TagService/GetTagList`,
    },
    {
      what: "ChatHub's stream over gRPC directly",
      command: `grpcurl -plaintext -d '{"prompt":"hello there"}' ${running.chathubAddress} aihub.ChatHub/StreamingChat`,
    },
  ];
}

if (isMain(import.meta.url)) {
  const running = await startExamples(
    {
      http: portFromEnv("PORT", 8080),
      greeter: portFromEnv("GREETER_PORT", 50051),
      tags: portFromEnv("TAGS_PORT", 50052),
      chathub: portFromEnv("CHATHUB_PORT", 50053),
    },
    { chatTokenDelayMs: tokenDelayFromEnv() },
  );
  console.log(`gateway   ${running.url}`);
  console.log(`chat page ${running.url}${chatPagePath}`);
  console.log(`docs page ${running.url}${docsPagePath}`);
  console.log(`greeter   ${running.greeterAddress} (gRPC, reflection on)`);
  console.log(`tags      ${running.tagsAddress} (gRPC, reflection on)`);
  console.log(`chathub   ${running.chathubAddress} (gRPC, reflection on)`);
  console.log("\nTry:");
  for (const { what, command } of tryLines(running)) console.log(`\n  # ${what}\n  ${command}`);
  console.log("\nCtrl-C stops everything.");
  // Shows the gateway passing a client's disconnect on to the backend.
  running.chatEvents.on("cancelled", (e) => console.log(`chathub: ${e.method} ${e.reason} after ${e.tokens} tokens`));
  stopOnSignal(() => running.close());
}
