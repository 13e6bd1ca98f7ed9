import type { DescField, DescMessage } from "@bufbuild/protobuf";
import { resolveFieldPath } from "./binding/field-path.js";
import type { Backend } from "./backend/backend.js";
import { compileBinding, type BindingPlan } from "./binding/binding.js";
import { httpBodyTarget } from "./binding/http-body.js";
import { compileReplyBody, type ReplyBody } from "./binding/reply-body.js";
import { compileSuccessReply, type SuccessReply } from "./binding/success-reply.js";
import type { HttpRoute } from "./route.js";
import type { GatewaySettings } from "./settings.js";

/** A route with everything a request needs worked out once, at registration. */
export interface CompiledRoute {
  readonly route: HttpRoute;
  readonly backend: Backend;
  readonly binding: BindingPlan;
  /** True when the rule has a body; otherwise the request body is never read. */
  readonly readsBody: boolean;
  /** True for client and bidirectional streaming: the body is a stream of messages. */
  readonly streamsRequest: boolean;
  /** True when the body lands in a `google.api.HttpBody` and is taken raw. */
  readonly rawRequestBody: boolean;
  /** The part of the reply written as the body (`response_body`). */
  readonly reply: ReplyBody;
  /** The status and headers of a successful unary reply, when the route declares them. */
  readonly success: SuccessReply | undefined;
  /**
   * True when nothing of the route's own reads a unary reply's message (the body is all of
   * it, no success header is filled from it): the reply may be written from its bytes.
   */
  readonly replyFromBytes: boolean;
}

/** Compiles one generated route against the gateway's settings. */
export function compileRoute(route: HttpRoute, backend: Backend, settings: GatewaySettings): CompiledRoute {
  const { input, output } = route.method;
  const bodyField = route.body === undefined || route.body === "*" ? undefined : fieldAt(input, route.body);
  // Compiled in this order, each throwing for what it finds wrong in the route.
  const binding = compileBinding(route, settings.binding);
  const reply = compileReplyBody(output, route.responseBody);
  const success = compileSuccessReply(output, route);
  return {
    route,
    backend,
    binding,
    readsBody: route.body !== undefined,
    streamsRequest: route.method.methodKind === "client_streaming" || route.method.methodKind === "bidi_streaming",
    rawRequestBody: route.body !== undefined && httpBodyTarget(input, bodyField),
    reply,
    success,
    replyFromBytes: reply.whole && success?.hasHeaders !== true,
  };
}

// The plugin has validated these paths already; a hand-written route gets a clear error.
function fieldAt(schema: DescMessage, path: string): DescField {
  return resolveFieldPath(schema, path).at(-1)!;
}
