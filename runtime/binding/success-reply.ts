import { validateHeaderValue } from "node:http";
import type { DescField, DescMessage, Message } from "@bufbuild/protobuf";
import { reflect, type ReflectMessage } from "@bufbuild/protobuf/reflect";
import { resolveFieldPath } from "./field-path.js";
import { Code } from "../gen/google/rpc/code_pb.js";
import { GatewayError } from "../gateway-error.js";
import type { HttpRoute } from "../route.js";

/** A header value template split into text and `{field.path}` references (proto names, dotted). */
export type HeaderTemplatePart = { readonly text: string } | { readonly field: readonly string[] };

/**
 * Splits a success header value such as `/v1/things/{thing.id}` into its parts. Throws on an
 * unclosed or empty `{}`: the plugin reports it at generation, the gateway at registration.
 */
export function parseHeaderTemplate(value: string): HeaderTemplatePart[] {
  const parts: HeaderTemplatePart[] = [];
  let at = 0;
  while (at < value.length) {
    const open = value.indexOf("{", at);
    if (open === -1) {
      parts.push({ text: value.slice(at) });
      break;
    }
    if (open > at) parts.push({ text: value.slice(at, open) });
    const close = value.indexOf("}", open);
    const path = close === -1 ? "" : value.slice(open + 1, close);
    if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(path)) {
      throw new Error(`header value ${JSON.stringify(value)}: "{" at ${open} must start a field path closed by "}", e.g. {thing.id}`);
    }
    parts.push({ field: path.split(".") });
    at = close + 1;
  }
  return parts;
}

/** Whether a reply field can fill a header: a singular scalar or enum, which have one text form. */
export function isHeaderField(field: DescField): boolean {
  return field.fieldKind === "scalar" || field.fieldKind === "enum";
}

/** How a route answers a successful unary call, worked out once at registration. */
export interface SuccessReply {
  /** The HTTP status, 200 unless the route says otherwise. */
  readonly status: number;
  /** The route's success headers, their values filled from `reply`. */
  headers(reply: Message): [string, string][];
  /** Whether the route declares headers (which read the reply). */
  readonly hasHeaders: boolean;
}

/** Compiles a route's success status and headers against its reply type; undefined when it has neither. */
export function compileSuccessReply(output: DescMessage, route: HttpRoute): SuccessReply | undefined {
  if (route.successStatus === undefined && route.successHeaders === undefined) return undefined;
  const status = route.successStatus ?? 200;
  if (!Number.isInteger(status) || status < 200 || status > 299) {
    throw new Error(`route ${route.httpMethod} ${route.path}: successStatus must be 200 to 299, got ${status}`);
  }
  const headers = (route.successHeaders ?? []).map(({ name, value }) => {
    const parts = parseHeaderTemplate(value).map((part) => {
      if ("text" in part) return part.text;
      const path = resolveFieldPath(output, part.field.join("."));
      if (!isHeaderField(path.at(-1)!)) {
        throw new Error(`route ${route.httpMethod} ${route.path}: header ${name}: {${part.field.join(".")}} must name a singular scalar or enum field`);
      }
      return path;
    });
    return { name, parts };
  });
  return {
    status,
    hasHeaders: headers.length > 0,
    headers: (reply) => {
      const root = reflect(output, reply, false);
      return headers.map(({ name, parts }) => {
        const value = parts.map((p) => (typeof p === "string" ? p : fieldText(root, p))).join("");
        try {
          validateHeaderValue(name, value);
        } catch (cause) {
          // A reply field with a line break or the like: never a header injection, never a crash.
          throw new GatewayError(Code.INTERNAL, `the reply cannot be sent: its ${name} header would hold characters a header cannot`, { cause });
        }
        return [name, value];
      });
    },
  };
}

// A field's value as text: numbers and bigints in decimal, booleans as true/false, enums by name.
function fieldText(root: ReflectMessage, path: readonly DescField[]): string {
  let message = root;
  for (const field of path.slice(0, -1)) message = message.get(field as DescField & { fieldKind: "message" });
  const leaf = path.at(-1)!;
  const value = message.get(leaf);
  if (leaf.fieldKind === "enum") return leaf.enum.value[value as number]?.name ?? String(value);
  return String(value);
}
