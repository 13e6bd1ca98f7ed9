import { GatewayError } from "../gateway-error.js";
import { sendError } from "./error-response.js";
import type { HttpCall } from "./http-call.js";
import { bindForBackend } from "./request-body.js";
import { writeReply } from "./write-reply.js";
import type { Message } from "@bufbuild/protobuf";
import type { UnaryResult } from "../backend/backend.js";

/**
 * Serves one call of a unary method: bind, call, reply, or map the failure. Awaits only
 * what is pending (the body, the backend, a response hook): every extra await is a
 * microtask round on each request.
 */
export async function serveUnary(call: HttpCall): Promise<void> {
  try {
    const result = await bindAndCall(call);
    if (call.clientGone.gone) return;
    const writing = writeReply(call, result);
    if (writing !== undefined) await writing;
    releaseReply(result);
  } catch (err) {
    if (call.clientGone.gone && call.res.destroyed) return; // nobody is listening any more
    await sendError(call, GatewayError.from(err), call.settings.errorHandler);
  } finally {
    call.clientGone.dispose();
  }
}

/**
 * Binds the request and hands it to the backend. Not part of serveUnary: a local there
 * (the message, or the promise that resolved to it) would stay alive across its await,
 * and a large message tree kept until the reply is what every scavenge then copies
 * (measured: most of the GC of a 64 KB POST). Here the message is dropped once the
 * backend has encoded it.
 */
function bindAndCall(call: HttpCall): Promise<UnaryResult> {
  const bound = bindForBackend(call);
  if (!(bound instanceof Promise)) return send(call, bound);
  return bound.then((request) => send(call, request));
}

// A request encoded straight from its body (bindForBackend) goes as it is.
function send(call: HttpCall, request: Message | Buffer): Promise<UnaryResult> {
  const backend = call.compiled.backend;
  if (request instanceof Uint8Array) return backend.unaryEncoded!(call.route.method, request, call.options);
  return backend.unary(call.route.method, request, call.options);
}

/**
 * Lets go of a written reply's message. The backend's promise was made when the call started
 * and, under load, has outlived a scavenge and been promoted; its settled value points from
 * the old generation to the result, and V8 keeps whatever such a pointer reaches through the
 * next scavenge, even once the promise is garbage. A large reply's tree kept that way was most
 * of what survived the scavenges of a 64 KB POST. Reflect.set leaves a frozen result as it is.
 */
function releaseReply(result: UnaryResult): void {
  Reflect.set(result, "message", undefined);
}
