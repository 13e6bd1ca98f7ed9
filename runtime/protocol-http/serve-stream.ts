import type { ServerResponse } from "node:http";
import { create, type Message } from "@bufbuild/protobuf";
import { Code } from "../gen/google/rpc/code_pb.js";
import type { BackendStream } from "../backend/backend.js";
import { GatewayError } from "../gateway-error.js";
import { httpStatusFromError } from "../protocol/error-body.js";
import { firstEvent } from "../protocol/first-event.js";
import { streamErrorJson } from "../protocol/stream-error.js";
import { rewrittenPayload } from "../protocol/response-rewriter.js";
import { bindStreamMessage } from "../protocol/stream-request.js";
import { sendError } from "./error-response.js";
import type { HttpCall } from "./http-call.js";
import { readNdjson } from "./ndjson-reader.js";
import { bindRequest } from "./request-body.js";
import { writeResponseHeaders, writeResponseTrailers } from "./response-metadata.js";
import { streamFormatFor, type StreamFormat } from "./stream-format.js";
import { TurnBatchedWriter } from "./turn-batched-writer.js";
import { runResponseHook, writeReply } from "./write-reply.js";

/**
 * Serves a call of a streaming method over plain HTTP/1.1. Server streaming binds one
 * request like a unary call; client and bidirectional streaming read the body as
 * newline-delimited JSON, one message a line, sent to the backend as each line arrives.
 * Replies go out as a stream (see stream-format.ts), or as one reply for client streaming.
 */
export async function serveStream(call: HttpCall): Promise<void> {
  const { compiled, req, res, route, settings } = call;
  const { method } = route;
  let backend: BackendStream | undefined;
  let inputError: GatewayError | undefined;
  let started = false;
  let writer: TurnBatchedWriter | undefined;
  // Failures of the backend stream, once open, are stream errors (grpc-gateway's
  // ForwardResponseStream); binding the request and opening the call answer as unary.
  const errorFormat = streamFormatFor(req.headers.accept, call.outbound.binary === true ? call.outbound : settings.defaultMarshaler);
  try {
    const single = compiled.streamsRequest ? undefined : await bindRequest(call);
    const stream = compiled.backend.stream(method, call.options);
    backend = stream;
    if (single !== undefined) {
      await stream.send(single);
      stream.close();
    } else {
      pumpRequests(call, stream).catch((err: unknown) => {
        inputError = GatewayError.from(err, Code.INVALID_ARGUMENT);
        stream.cancel();
      });
    }
    if (method.methodKind === "client_streaming") {
      let reply: Message | undefined;
      for await (const message of stream.replies) reply = message;
      if (reply === undefined) throw new GatewayError(Code.INTERNAL, "the backend ended the call without a reply");
      await writeReply(call, { message: reply, headers: await stream.headers, trailers: await stream.trailers });
      return;
    }
    const raw = compiled.reply.raw;
    const format = raw ? errorFormat : streamFormatFor(req.headers.accept, call.outbound);
    // SSE and NDJSON are text: a binary reply marshaler gives way to JSON there.
    const marshaler = call.outbound.binary === true && format.contentType !== call.outbound.contentType ? settings.defaultMarshaler : call.outbound;
    const rewriter = settings.responseRewriter;
    const rewriteContext = { req, route, kind: "stream-message" } as const;
    const marshalReply = (m: Message) => compiled.reply.marshal(marshaler, m);
    writer = new TurnBatchedWriter(res);
    for await (const message of stream.replies) {
      if (!started) {
        started = true;
        if (!(await startResponse(call, stream, message, raw ? compiled.reply.httpBody(message).contentType : format))) return;
      }
      // A stream of google.api.HttpBody is its bytes alone (grpc-gateway's HTTPBodyMarshaler).
      let payload: string | Uint8Array;
      try {
        payload = raw
          ? compiled.reply.httpBody(message).data
          : format.message(rewriter === undefined ? marshalReply(message) : rewrittenPayload(rewriter, message, rewriteContext, marshalReply));
      } catch (failure) {
        // Leaving the loop waits for the replies to end: stop the backend first.
        stream.cancel();
        throw failure;
      }
      if (!writer.write(payload)) await drained(res);
    }
    writer.release();
    if (!started) {
      started = true;
      if (!(await startResponse(call, stream, undefined, raw ? undefined : format))) return;
    }
    writeResponseTrailers(req, res, await stream.trailers, settings.outgoingTrailerMatcher);
    res.end();
  } catch (err) {
    writer?.release();
    if (call.clientGone.gone && res.destroyed) return; // nobody is listening any more
    const error = inputError ?? GatewayError.from(err);
    // SSE keeps the ordinary error response before its first event: EventSource never shows a
    // failed response's body, and fetch clients read `{"code": ...}` when `!res.ok`.
    const ordinary = backend === undefined || method.methodKind === "client_streaming" || (!started && errorFormat.contentType === "text/event-stream");
    if (ordinary) {
      await sendError(call, error, settings.errorHandler);
    } else {
      await writeStreamError(call, error, errorFormat);
    }
  } finally {
    call.clientGone.dispose();
    if (!res.writableFinished) backend?.cancel();
  }
}

// Each line is bound like the body of a unary call; a bad one ends the call naming it.
async function pumpRequests(call: HttpCall, backend: BackendStream): Promise<void> {
  await readNdjson(call.req, call.settings.maxRequestBytes, async (line, index) => {
    await backend.send(bindStreamMessage(call, index + 1, line, call.inbound));
  });
  backend.close();
}

/**
 * Writes the headers of a stream that succeeds so far: the header metadata, the response
 * hook (run once, with the first message or an empty one), the Content-Type (the format's,
 * or an HttpBody's own). False when the hook answered by itself: the stream is then over,
 * and the backend call is cancelled.
 */
async function startResponse(call: HttpCall, backend: BackendStream, first: Message | undefined, format: StreamFormat | string | undefined): Promise<boolean> {
  const { res } = call;
  const headers = await backend.headers;
  writeResponseHeaders(res, headers, call.settings.outgoingHeaderMatcher);
  await runResponseHook(call, first ?? create(call.route.method.output), headers);
  if (res.headersSent || res.writableEnded) {
    if (!res.writableEnded) res.end();
    backend.cancel();
    return false;
  }
  if (typeof format === "string") {
    if (format !== "") res.setHeader("Content-Type", format);
  } else if (format !== undefined) {
    res.setHeader("Content-Type", format.contentType);
    for (const [name, value] of Object.entries(format.headers)) res.setHeader(name, value);
  }
  return true;
}

/**
 * Ends a stream with its error, through the stream error hook. Before anything was written it
 * is grpc-gateway's answer too (handleForwardResponseStreamError): the status's HTTP code, the
 * header metadata the backend sent, and the one error frame.
 */
async function writeStreamError(call: HttpCall, error: GatewayError, format: StreamFormat): Promise<void> {
  const { status, json } = await streamErrorJson(call, error);
  const { res, settings } = call;
  if (res.writableEnded || res.destroyed) return;
  if (!res.headersSent) {
    // What a successful start had set (a hook's headers, Content-Type) is not this answer's.
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    writeResponseHeaders(res, error.metadata, settings.outgoingHeaderMatcher);
    res.statusCode = httpStatusFromError(status);
    res.setHeader("Content-Type", format.contentType);
    for (const [name, value] of Object.entries(format.headers)) res.setHeader(name, value);
  }
  res.end(format.error(json, status));
}

async function drained(res: ServerResponse): Promise<void> {
  if (!res.destroyed) await firstEvent(res, ["drain", "close"]);
}
