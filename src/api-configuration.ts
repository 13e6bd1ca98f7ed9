import { readFileSync } from "node:fs";
import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import { HttpSchema, type HttpRule } from "grpc-gateway-express/internal";
import { parse } from "yaml";
import type { ExternalRules } from "./bindings.js";

/**
 * Reads the http rules of a google.api.Service configuration (grpc-gateway's
 * grpc_api_configuration): YAML, or JSON, which is YAML too. `path` is relative to where
 * protoc or buf runs. Keys other than `http` (type, config_version, name, ...) are skipped,
 * as grpc-gateway skips them; inside `http` every key must be a field of google.api.Http,
 * so that a misspelled `additional_bindings` fails rather than binding less. Rules are
 * grouped by selector, in file order; a selector must name one method, without wildcards.
 */
export function loadApiConfiguration(path: string): ExternalRules {
  const fail = (why: string) => new Error(`grpc_api_configuration ${path}: ${why}`);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw fail(`cannot read the file (${(error as Error).message}); the path is relative to where protoc or buf runs`);
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw fail(`not valid YAML or JSON: ${(error as Error).message}`);
  }
  if (document === null || document === undefined) {
    return { source: path, rules: new Map() };
  }
  if (typeof document !== "object" || Array.isArray(document)) {
    throw fail("expected a google.api.Service, a mapping with an http key");
  }
  const http = (document as Record<string, unknown>).http;
  if (http === undefined || http === null) {
    return { source: path, rules: new Map() };
  }
  let rules: readonly HttpRule[];
  try {
    rules = fromJson(HttpSchema, http as JsonValue).rules;
  } catch (error) {
    throw fail(`http is not a google.api.Http: ${(error as Error).message}`);
  }
  const bySelector = new Map<string, HttpRule[]>();
  for (const [index, rule] of rules.entries()) {
    const selector = rule.selector.trim();
    if (selector === "") {
      throw fail(`http.rules[${index}] has no selector; name the method it binds, e.g. selector: my.pkg.v1.MyService.MyMethod`);
    }
    if (/[*, ]/.test(selector)) {
      throw fail(`selector "${rule.selector}" must name a single method, without wildcards`);
    }
    const list = bySelector.get(selector) ?? [];
    list.push(rule);
    bySelector.set(selector, list);
  }
  return { source: path, rules: bySelector };
}
