import { fromBinary, toBinary, type DescMessage, type DescMethod, type Message } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import type { CallOptions } from "grpc-gateway-express/runtime";

/** A grpc-js handler for one method, typed loosely: each test knows the kind it registers. */
// biome-ignore lint/suspicious/noExplicitAny: grpc-js handler types differ per kind.
export type AnyHandler = (call: any, callback?: any) => void;

/** A real grpc-js server on loopback (or a unix socket) with per-test handlers. */
export interface TestServer {
  readonly server: grpc.Server;
  /** `127.0.0.1:port`, or the `unix:` target when bound there. */
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

type Kind = "unary" | "serverStream" | "clientStream" | "bidi";

function kindOf(method: DescMethod): Kind {
  switch (method.methodKind) {
    case "unary":
      return "unary";
    case "server_streaming":
      return "serverStream";
    case "client_streaming":
      return "clientStream";
    default:
      return "bidi";
  }
}

/** Starts a grpc-js server serving `handlers` for their methods, with channel `options` (e.g. `grpc.max_concurrent_streams`). */
export async function startTestServer(
  handlers: Array<[DescMethod, AnyHandler]>,
  options: grpc.ServerOptions = {},
  bind = "127.0.0.1:0",
  credentials: grpc.ServerCredentials = grpc.ServerCredentials.createInsecure(),
): Promise<TestServer> {
  const server = new grpc.Server(options);
  for (const [method, handler] of handlers) {
    const input = method.input as DescMessage;
    const output = method.output as DescMessage;
    server.register<Message, Message>(
      `/${method.parent.typeName}/${method.name}`,
      handler as never,
      (m: Message) => Buffer.from(toBinary(output, m)),
      (b: Buffer) => fromBinary(input, b),
      kindOf(method),
    );
  }
  const port = await new Promise<number>((resolve, reject) => server.bindAsync(bind, credentials, (err, p) => (err ? reject(err) : resolve(p))));
  return {
    server,
    address: bind.startsWith("unix:") ? bind : `127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.forceShutdown();
        resolve();
      }),
  };
}

/** Backend call options as the gateway builds them, with `init` on top. */
export function callOptions(init: Partial<CallOptions> = {}): CallOptions {
  return { metadata: new grpc.Metadata(), deadline: undefined, signal: new AbortController().signal, ...init };
}
