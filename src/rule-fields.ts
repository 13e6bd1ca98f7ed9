import { ScalarType, type DescMethod } from "@bufbuild/protobuf";
import type { PathTemplate, TemplateVariable } from "grpc-gateway-express/internal";
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
