import type { IncomingMessage, ServerResponse } from "node:http";
import { create, type Message } from "@bufbuild/protobuf";
import { Code } from "../gen/google/rpc/code_pb.js";
import type { BackendStream } from "../backend/backend.js";
import { bindRequest, callOptionsFor } from "../protocol/call-setup.js";
import { inboundMarshaler, outboundMarshaler } from "../marshal/negotiation.js";
import { ClientDisconnect } from "./client-disconnect.js";
import type { CompiledRoute } from "../compile-route.js";
import { GatewayError } from "../gateway-error.js";
import { firstEvent } from "../protocol/first-event.js";
import type { Marshaler } from "../marshal/marshaler.js";
import { writeResponseHeaders, writeResponseTrailers } from "./response-metadata.js";
import { readNdjson } from "./ndjson-reader.js";
import { sendError } from "./error-response.js";
import type { GatewaySettings } from "../settings.js";
import { streamErrorJson } from "../protocol/stream-error.js";
import { streamFormatFor, type StreamFormat } from "./stream-format.js";
import { TurnBatchedWriter } from "./turn-batched-writer.js";
import { runResponseHook, writeReply } from "./write-reply.js";

/**
 * Serves a streaming method over plain HTTP/1.1. Server streaming binds one request like
 * a unary call; client and bidirectional streaming read the body as newline-delimited
 * JSON, one message a line, sent to the backend as each line arrives. Replies go out as a
 * stream (see stream-format.ts), or as one reply for client streaming.
 */
export async function serveStream(
  compiled: CompiledRoute,
  pathParams: Record<string, string>,
  rawQuery: string,
  req: IncomingMessage,
  res: ServerResponse,
  settings: GatewaySettings,
): Promise<void> {
  const disconnect = new ClientDisconnect(res);
  const { method } = compiled.route;
  let call: BackendStream | undefined;
  let inputError: GatewayError | undefined;
  let started = false;
  let writer: TurnBatchedWriter | undefined;
  try {
    const inbound = inboundMarshaler(compiled, req.headers["content-type"], settings.marshalers);
    const outbound = outboundMarshaler(compiled, req.headers.accept, inbound, settings.marshalers);
    const options = callOptionsFor(req, settings, disconnect);
    const single = compiled.streamsRequest ? undefined : await bindRequest(compiled, pathParams, rawQuery, req, inbound, options.deadline, settings);
    call = compiled.backend.stream(method, options);
    const backend = call;
    if (single !== undefined) {
      await backend.send(single);
      backend.close();
    } else {
      pumpRequests(compiled, pathParams, rawQuery, req, inbound, backend, settings).catch((err: unknown) => {
        inputError = GatewayError.from(err, Code.INVALID_ARGUMENT);
        backend.cancel();
      });
    }
    if (method.methodKind === "client_streaming") {
      let reply: Message | undefined;
      for await (const message of backend.replies) reply = message;
      if (reply === undefined) throw new GatewayError(Code.INTERNAL, "the backend ended the call without a reply");
      await writeReply(compiled, { message: reply, headers: await backend.headers, trailers: await backend.trailers }, outbound, req, res, settings);
      return;
    }
    const format = streamFormatFor(req.headers.accept, outbound.contentType);
    writer = new TurnBatchedWriter(res);
    for await (const message of backend.replies) {
      if (!started) started = await startResponse(compiled, backend, message, format, req, res, settings);
      const payload = format.message(compiled.reply.text(outbound, message));
      if (!writer.write(payload)) {
        writer.release();
        await drained(res);
      }
      flush(res);
    }
    writer.release();
    if (!started) started = await startResponse(compiled, backend, undefined, format, req, res, settings);
    writeResponseTrailers(req, res, await backend.trailers, settings.outgoingTrailerMatcher);
    res.end();
  } catch (err) {
    writer?.release();
    if (disconnect.gone && res.destroyed) return; // nobody is listening any more
    const error = inputError ?? GatewayError.from(err);
    if (!started) {
      await sendError(error, settings.errorHandler, { req, res, route: compiled.route }, settings);
    } else {
      await writeStreamError(error, compiled, streamFormatFor(req.headers.accept, settings.defaultMarshaler.contentType), req, res, settings);
    }
  } finally {
    disconnect.dispose();
    if (!res.writableFinished) call?.cancel();
  }
}

// Each line is bound like the body of a unary call; a bad one ends the call naming it.
async function pumpRequests(
  compiled: CompiledRoute,
  pathParams: Record<string, string>,
  rawQuery: string,
  req: IncomingMessage,
  inbound: Marshaler,
  call: BackendStream,
  settings: GatewaySettings,
): Promise<void> {
  await readNdjson(req, settings.maxRequestBytes, async (line, index) => {
    let message: Message;
    try {
      message = compiled.binding.bind({ pathParams, rawQuery, body: line, marshaler: inbound });
    } catch (err) {
      const cause = GatewayError.from(err, Code.INVALID_ARGUMENT);
      throw new GatewayError(Code.INVALID_ARGUMENT, `invalid request message #${index + 1}: ${cause.rawMessage}`, { cause });
    }
    await call.send(message);
  });
  call.close();
}

async function startResponse(
  compiled: CompiledRoute,
  call: BackendStream,
  first: Message | undefined,
  format: StreamFormat,
  req: IncomingMessage,
  res: ServerResponse,
  settings: GatewaySettings,
): Promise<true> {
  const headers = await call.headers;
  writeResponseHeaders(res, headers, settings.outgoingHeaderMatcher);
  await runResponseHook({ req, res, route: compiled.route, message: first ?? create(compiled.route.method.output), headers }, settings);
  res.setHeader("Content-Type", format.contentType);
  for (const [name, value] of Object.entries(format.headers)) res.setHeader(name, value);
  return true;
}

async function writeStreamError(error: GatewayError, compiled: CompiledRoute, format: StreamFormat, req: IncomingMessage, res: ServerResponse, settings: GatewaySettings): Promise<void> {
  const { json } = await streamErrorJson(error, req, compiled.route, settings);
  if (res.writableEnded || res.destroyed) return;
  res.end(format.error(json));
}

async function drained(res: ServerResponse): Promise<void> {
  if (!res.destroyed) await firstEvent(res, ["drain", "close"]);
}

// Compression middleware buffers unless asked to flush; each message must leave now.
function flush(res: ServerResponse): void {
  (res as ServerResponse & { flush?: () => void }).flush?.();
}
