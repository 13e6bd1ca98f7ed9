/**
 * What a generated client delegates to: one function per method kind, each compiled once
 * per route from the method's descriptor and its primary HTTP binding.
 */
import { create, toJson, type DescMessage, type DescMethod, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import type { CallOptions, ClientOptions } from "./client-options.js";
import { serverStream, unaryCall } from "./http-transport.js";
import { compileReplyDecoder } from "./reply-decoding.js";
import { compileRequestEncoder, type ClientRoute } from "./request-encoding.js";
import { webSocketStream } from "./websocket-transport.js";

/** A method's descriptor as protoc-gen-es types it: its request and reply schemas. */
type Method<I extends DescMessage, O extends DescMessage> = DescMethod & { readonly input: I; readonly output: O };

/** Calls methods of generated clients on one gateway. */
export interface ClientMethods {
  unary<I extends DescMessage, O extends DescMessage>(
    method: Method<I, O>,
    route: ClientRoute,
  ): (request: MessageInitShape<I>, options?: CallOptions) => Promise<MessageShape<O>>;
  serverStreaming<I extends DescMessage, O extends DescMessage>(
    method: Method<I, O>,
    route: ClientRoute,
  ): (request: MessageInitShape<I>, options?: CallOptions) => AsyncIterable<MessageShape<O>>;
  clientStreaming<I extends DescMessage, O extends DescMessage>(
    method: Method<I, O>,
    route: ClientRoute,
  ): (requests: AsyncIterable<MessageInitShape<I>>, options?: CallOptions) => Promise<MessageShape<O>>;
  bidiStreaming<I extends DescMessage, O extends DescMessage>(
    method: Method<I, O>,
    route: ClientRoute,
  ): (requests: AsyncIterable<MessageInitShape<I>>, options?: CallOptions) => AsyncIterable<MessageShape<O>>;
}

/** The methods generated clients call through, for the gateway `options` names. */
export function createClientMethods(options: ClientOptions): ClientMethods {
  return {
    unary(method, route) {
      const encoder = compileRequestEncoder(method.input, route);
      const reply = compileReplyDecoder(method.output, route.responseBody);
      return async (request, callOptions) =>
        (await unaryCall(options, route.httpMethod, encoder.encode(create(method.input, request)), reply, callOptions)) as MessageShape<typeof method.output>;
    },
    serverStreaming(method, route) {
      const encoder = compileRequestEncoder(method.input, route);
      const reply = compileReplyDecoder(method.output, route.responseBody);
      // A stream of HttpBody chunks is one download, read whole.
      if (reply.raw) {
        return (request, callOptions) =>
          (async function* () {
            yield await unaryCall(options, route.httpMethod, encoder.encode(create(method.input, request)), reply, callOptions);
          })() as AsyncIterable<MessageShape<typeof method.output>>;
      }
      return (request, callOptions) =>
        serverStream(options, route.httpMethod, encoder.encode(create(method.input, request)), reply, callOptions) as AsyncIterable<
          MessageShape<typeof method.output>
        >;
    },
    clientStreaming(method, route) {
      const stream = streamOverWebSocket(options, method, route);
      return async (requests, callOptions) => {
        let last: MessageShape<typeof method.output> | undefined;
        for await (const reply of stream(requests, callOptions)) last = reply;
        if (last === undefined) return create(method.output);
        return last;
      };
    },
    bidiStreaming(method, route) {
      return streamOverWebSocket(options, method, route);
    },
  };
}

function streamOverWebSocket<I extends DescMessage, O extends DescMessage>(options: ClientOptions, method: Method<I, O>, route: ClientRoute) {
  // The plugin refuses path variables on client-streaming rules, and `body: "*"` takes no query: the URL is fixed.
  const target = route.path;
  const reply = compileReplyDecoder(method.output, route.responseBody);
  return (requests: AsyncIterable<MessageInitShape<I>>, callOptions?: CallOptions) =>
    webSocketStream(options, target, frames(method.input, requests), reply, callOptions) as AsyncIterable<MessageShape<O>>;
}

async function* frames<I extends DescMessage>(schema: I, requests: AsyncIterable<MessageInitShape<I>>): AsyncGenerator<string> {
  for await (const request of requests) yield JSON.stringify(toJson(schema, create(schema, request)));
}
