// `npm start`: both example gRPC backends and one REST gateway in front of them, then
// the curl and grpcurl lines to try. Ports: PORT (8080), GREETER_PORT (50051), TAGS_PORT (50052).
import { createGateway, dial } from "grpc-gateway-express/runtime";
import type { Express } from "express";
import { startGreeterBackend } from "./greeter/backend.js";
import { registerGreeterGateway } from "./gen/greeter/v1/greeter_gateway.js";
import { registerTagServiceGateway } from "./gen/tag/v1/tag_gateway.js";
import { isMain, portFromEnv, stopOnSignal } from "./support/grpc-server.js";
import { createExampleApp, serveHttp } from "./support/http-app.js";
import { tagGatewayOptions } from "./tags/app.js";
import { startTagsBackend } from "./tags/backend.js";

/** Where each example server listens; 0 picks a free port. */
export interface ExamplePorts {
  readonly http: number;
  readonly greeter: number;
  readonly tags: number;
}

/** The running examples: the gateway's URL, the backends' addresses, one way to stop them all. */
export interface RunningExamples {
  readonly url: string;
  readonly greeterAddress: string;
  readonly tagsAddress: string;
  /** Stops the HTTP server, then the gateway's connections, then the backends. */
  close(): Promise<void>;
}

/** One gateway serving both services (with TagService's error handler, harmless to Greeter) plus `GET /ping`. */
export function createExamplesApp(backends: { greeter: string; tags: string }): { app: Express; close(): void } {
  const gateway = createGateway(tagGatewayOptions);
  const greeter = dial(backends.greeter);
  const tags = dial(backends.tags);
  registerGreeterGateway(gateway, greeter);
  registerTagServiceGateway(gateway, tags);
  return {
    app: createExampleApp(gateway),
    close: () => {
      greeter.client.close();
      tags.client.close();
    },
  };
}

/** Starts both backends and the gateway app on `ports`. */
export async function startExamples(ports: ExamplePorts): Promise<RunningExamples> {
  const greeterBackend = await startGreeterBackend(ports.greeter);
  const tagsBackend = await startTagsBackend(ports.tags).catch(async (err: unknown) => {
    await greeterBackend.close();
    throw err;
  });
  const examples = createExamplesApp({ greeter: greeterBackend.address, tags: tagsBackend.address });
  const closeBackends = async () => {
    examples.close();
    await Promise.all([greeterBackend.close(), tagsBackend.close()]);
  };
  const http = await serveHttp(examples.app, ports.http).catch(async (err: unknown) => {
    await closeBackends();
    throw err;
  });
  return {
    url: http.url,
    greeterAddress: greeterBackend.address,
    tagsAddress: tagsBackend.address,
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
    { what: "a plain Express route beside the gateway", command: `curl ${url}/ping` },
    { what: "the backends speak gRPC with reflection", command: `grpcurl -plaintext ${running.greeterAddress} list` },
    {
      what: "TagService over gRPC directly",
      command: `grpcurl -plaintext -d '{"name":"go","state":1}' ${running.tagsAddress} tag.v1.TagService/GetTagList`,
    },
  ];
}

if (isMain(import.meta.url)) {
  const running = await startExamples({
    http: portFromEnv("PORT", 8080),
    greeter: portFromEnv("GREETER_PORT", 50051),
    tags: portFromEnv("TAGS_PORT", 50052),
  });
  console.log(`gateway   ${running.url}`);
  console.log(`greeter   ${running.greeterAddress} (gRPC, reflection on)`);
  console.log(`tags      ${running.tagsAddress} (gRPC, reflection on)`);
  console.log("\nTry:");
  for (const { what, command } of tryLines(running)) console.log(`\n  # ${what}\n  ${command}`);
  console.log("\nCtrl-C stops everything.");
  stopOnSignal(() => running.close());
}
