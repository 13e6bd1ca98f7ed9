import type { IncomingMessage } from "node:http";
import type { Message } from "@bufbuild/protobuf";
import { Code } from "../gen/google/rpc/code_pb.js";
import { GatewayError } from "../gateway-error.js";
import type { BindingInput } from "../binding/binding.js";
import type { HttpCall } from "./http-call.js";

/**
 * Binds body, path and query into the call's request message, reading the body first
 * (within the deadline) when the route has one. Without a body it binds at once, with no promise.
 */
export function bindRequest(call: HttpCall): Message | Promise<Message> {
  const { binding, readsBody } = call.compiled;
  if (!readsBody) return binding.bind(inputOf(call, undefined));
  return bodyOf(call).then((body) => binding.bind(inputOf(call, body)));
}

/**
 * The request as the backend takes it: encoded straight from the body where the route and
 * the backend allow (BindingPlan.frame, Backend.unaryEncoded), else bound as bindRequest binds it.
 */
export function bindForBackend(call: HttpCall): Message | Buffer | Promise<Message | Buffer> {
  const { binding, backend } = call.compiled;
  const frame = binding.frame;
  // A route with a frame writer binds `body: "*"`, so it reads a body.
  if (frame === undefined || backend.unaryEncoded === undefined) return bindRequest(call);
  return bodyOf(call).then((body) => {
    const input = inputOf(call, body);
    return frame(input) ?? binding.bind(input);
  });
}

// The body, read within the call's deadline and size limit.
function bodyOf(call: HttpCall): Promise<Uint8Array> {
  return readBodyWithin(call.req, call.settings.maxRequestBytes, call.options.deadline);
}

function inputOf(call: HttpCall, body: Uint8Array | undefined): BindingInput {
  return { pathParams: call.pathParams, rawQuery: call.rawQuery, body, marshaler: call.inbound };
}

/**
 * The body of a request as it arrived, or as a framework body parser left it. A plain
 * function returning the one promise (not `async`, which would wrap it in a second).
 */
export function readRequestBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const parsed = alreadyParsedBody(req);
  if (parsed !== undefined) return Promise.resolve(parsed);
  const declared = Number(req.headers["content-length"]);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      // Stop buffering but leave the socket alone: the 413 still has to be written, and
      // node discards the rest of the body once the response ends.
      req.off("data", onData);
      chunks.length = 0;
      reject(tooLarge(limit));
    };
    req.on("data", onData);
    req.once("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.once("error", (err) => reject(new GatewayError(Code.CANCELLED, `reading the request body failed: ${err.message}`, { cause: err })));
  });
}

/**
 * Reads the request body, but no longer than the call's deadline: a client that stops
 * sending half-way would otherwise hold the request open until node's own timeout.
 */
export async function readBodyWithin(req: IncomingMessage, limit: number, deadline: Date | undefined): Promise<Uint8Array> {
  const reading = readRequestBody(req, limit);
  if (deadline === undefined) return reading;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        reject(new GatewayError(Code.DEADLINE_EXCEEDED, "deadline exceeded while reading the request body", { headers: { Connection: "close" } }));
      },
      Math.max(0, deadline.getTime() - Date.now()),
    );
  });
  try {
    return await Promise.race([reading, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError(Code.RESOURCE_EXHAUSTED, `request body exceeds the limit of ${limit} bytes`, { httpStatus: 413 });
}

/**
 * The body a framework parser (express.json(), raw(), text()) already consumed and left
 * on req.body, re-encoded; undefined while the stream is still unread. Waiting for a
 * stream that already ended would hang.
 */
export function alreadyParsedBody(req: IncomingMessage): Uint8Array | undefined {
  const r = req as IncomingMessage & { _body?: boolean; body?: unknown };
  const consumed = r._body === true || req.readableEnded;
  if (!consumed) return undefined;
  if (r.body === undefined) return new Uint8Array(0);
  if (r.body instanceof Uint8Array) return r.body;
  if (typeof r.body === "string") return Buffer.from(r.body);
  return Buffer.from(JSON.stringify(r.body));
}
