import { getExtension, hasExtension, ScalarType, type DescMethod } from "@bufbuild/protobuf";
import { isHeaderField, parseHeaderTemplate, success, type PathTemplate, type TemplateVariable } from "grpc-gateway-express/internal";
import { checkFieldPath, describeKind, pathVariableLeafProblem } from "./field-paths.js";

/** Receives one problem of the rule being checked, as the end of a sentence naming the rule. */
export type Report = (problem: string) => void;

/**
 * Checks the path variables of a rule against the request message. Every variable (the
 * parser already refuses two of one name) must name a field the runtime binds from a path
 * (a singular field with a text form, or a repeated scalar or enum as a comma-separated
 * list), and one that captures more than a single `*` must name a singular string, the
 * only type such text fits. Returns whether a variable names a repeated field.
 */
export function checkPathVariables(method: DescMethod, template: PathTemplate, report: Report): boolean {
  if (template.variables.length > 0 && (method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming")) {
    // As grpc-gateway: one URL cannot fill a field of every message in a stream.
    report("a client-streaming method cannot bind path variables, since its request is a stream of messages");
    return false;
  }
  let repeated = false;
  for (const variable of template.variables) {
    const name = variable.fieldPath.join(".");
    const resolved = checkFieldPath(method.input, variable.fieldPath);
    if ("problem" in resolved) {
      report(`path variable ${resolved.problem}`);
      continue;
    }
    const leaf = resolved.fields[resolved.fields.length - 1]!;
    repeated ||= leaf.fieldKind === "list";
    const leafProblem = pathVariableLeafProblem(leaf);
    if (leafProblem !== undefined) {
      report(`path variable "${name}" ${leafProblem}`);
      continue;
    }
    const captured = capturedSegments(template, variable);
    const isString =
      (leaf.fieldKind === "scalar" && leaf.scalar === ScalarType.STRING) ||
      (leaf.fieldKind === "message" && leaf.message.typeName === "google.protobuf.StringValue");
    if (captured !== "*" && !isString) {
      report(`path variable "${name}" captures "${captured}", so it must name a string field, not ${describeKind(leaf)}`);
    }
  }
  return repeated;
}

/**
 * Checks a rule's `body` against its HTTP method and the request message; returns the body to
 * emit. GET never has one; DELETE only with allow_delete_body, as grpc-gateway.
 */
export function checkBody(method: DescMethod, httpMethod: string, body: string, allowDeleteBody: boolean, report: Report): string | undefined {
  if (body === "") {
    return undefined;
  }
  if (httpMethod === "GET") {
    report(`a GET rule must not have a body, but it sets body "${body}"`);
  } else if (httpMethod === "DELETE" && !allowDeleteBody) {
    report(`a DELETE rule must not have a body unless allow_delete_body=true, but it sets body "${body}"`);
  }
  if (body === "*") {
    return body;
  }
  // grpc-gateway accepts a dotted path here, where the spec asks for a top-level field.
  const resolved = checkFieldPath(method.input, body.split("."));
  if ("problem" in resolved) {
    report(`body ${resolved.problem}`);
  }
  return body;
}

/** Checks a rule's `response_body` against the reply message; returns the one to emit. */
export function checkResponseBody(method: DescMethod, responseBody: string, report: Report): string | undefined {
  // grpc-gateway reads "*" as the whole reply, the same as no response_body.
  if (responseBody === "" || responseBody === "*") {
    return undefined;
  }
  const resolved = checkFieldPath(method.output, responseBody.split("."));
  if ("problem" in resolved) {
    report(`response_body ${resolved.problem}`);
  }
  return responseBody;
}

// The segments a variable captures, as written: `*` for `{name}`, `shelves/*` for `{name=shelves/*}`.
function capturedSegments(template: PathTemplate, variable: TemplateVariable): string {
  return template.segments
    .slice(variable.start, variable.end)
    .map((s) => (s.kind === "literal" ? s.value : s.kind === "wildcard" ? "*" : "**"))
    .join("/");
}

/**
 * Checks the method's `(grpc_gateway_express.success)` option: a unary method, a status of
 * 200 to 299, header names that are HTTP tokens, and values whose `{field.path}`s name
 * singular scalar or enum fields of the reply. Returns what the routes carry.
 */
export function checkSuccess(method: DescMethod, report: Report): { successStatus?: number; successHeaders?: { name: string; value: string }[] } {
  const options = method.proto.options;
  if (options === undefined || !hasExtension(options, success)) return {};
  const declared = getExtension(options, success);
  if (method.methodKind !== "unary") {
    report("option (grpc_gateway_express.success) applies to unary methods only; a stream's status is sent before its first reply");
    return {};
  }
  const status = declared.status === 0 ? 200 : declared.status;
  if (status < 200 || status > 299) report(`option (grpc_gateway_express.success) status must be 200 to 299, got ${status}`);
  for (const { name, value } of declared.headers) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) report(`option (grpc_gateway_express.success) header name ${JSON.stringify(name)} is not an HTTP token`);
    let parts: ReturnType<typeof parseHeaderTemplate>;
    try {
      parts = parseHeaderTemplate(value);
    } catch (error) {
      report(`option (grpc_gateway_express.success) header ${name}: ${(error as Error).message}`);
      continue;
    }
    for (const part of parts) {
      if (!("field" in part)) continue;
      const resolved = checkFieldPath(method.output, part.field);
      if ("problem" in resolved) report(`option (grpc_gateway_express.success) header ${name}: ${resolved.problem}`);
      else if (!isHeaderField(resolved.fields.at(-1)!)) {
        report(
          `option (grpc_gateway_express.success) header ${name}: {${part.field.join(".")}} is ${describeKind(resolved.fields.at(-1)!)}, but a header takes a singular scalar or enum`,
        );
      }
    }
  }
  return {
    ...(status !== 200 ? { successStatus: status } : {}),
    ...(declared.headers.length > 0 ? { successHeaders: declared.headers.map(({ name, value }) => ({ name, value })) } : {}),
  };
}
