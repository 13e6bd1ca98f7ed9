import type { DescMethod } from "@bufbuild/protobuf";
import { getComments, type GeneratedFile, type ImportSymbol, type Printable } from "@bufbuild/protoplugin";
import type { Binding, ServiceBindings } from "./bindings.js";

/**
 * Prints one service: its route table as data, one line per binding, and the function
 * that registers it on a gateway. Behaviour lives in the runtime; this is only a list.
 */
export function printService(f: GeneratedFile, { service, methods }: ServiceBindings, runtimeImport: string, registerFuncSuffix: string): void {
  const httpRoute = f.import("HttpRoute", runtimeImport, true);
  const gateway = f.import("Gateway", runtimeImport, true);
  const backend = f.import("Backend", runtimeImport, true);
  const serviceDesc = f.importSchema(service);
  const routesName = `${service.name}Routes`;

  f.print(f.jsDoc(`HTTP routes of ${service.typeName}, from its google.api.http rules.`));
  f.print(f.export("const", routesName), ": readonly ", httpRoute, "[] = [");
  for (const { method, bindings } of methods) {
    const summary = commentSummary(method);
    if (summary !== undefined) {
      f.print("  // ", method.name, ": ", summary);
    }
    for (const binding of bindings) {
      f.print("  ", routeLiteral(f, serviceDesc, method, binding), ",");
    }
  }
  f.print("];");
  f.print();
  f.print(f.jsDoc(`Serves ${service.typeName}'s HTTP routes on the gateway, calling the given backend.`));
  f.print(f.export("function", `register${service.name}${registerFuncSuffix}`), "(gateway: ", gateway, ", backend: ", backend, "): void {");
  f.print("  gateway.register(", serviceDesc, ", ", routesName, ", backend);");
  f.print("}");
}

// One object literal on one line, properties always in the same order, so a changed
// rule shows up as a one-line diff.
function routeLiteral(f: GeneratedFile, serviceDesc: ImportSymbol, method: DescMethod, binding: Binding): Printable {
  const p: Printable[] = ["{ method: ", serviceDesc, ".method.", method.localName];
  p.push(", httpMethod: ", f.string(binding.httpMethod), ", path: ", f.string(binding.path));
  if (binding.body !== undefined) {
    p.push(", body: ", f.string(binding.body));
  }
  if (binding.responseBody !== undefined) {
    p.push(", responseBody: ", f.string(binding.responseBody));
  }
  if (binding.repeatedPathSeparator !== undefined) {
    // JSON's escapes, so that a tab reads as \t rather than as a blank.
    p.push(", repeatedPathSeparator: ", JSON.stringify(binding.repeatedPathSeparator));
  }
  if (binding.patchFieldMask === false) {
    p.push(", patchFieldMask: false");
  }
  if (binding.successStatus !== undefined) {
    p.push(", successStatus: ", String(binding.successStatus));
  }
  if (binding.successHeaders !== undefined) {
    p.push(", successHeaders: [", binding.successHeaders.map((h) => `{ name: ${JSON.stringify(h.name)}, value: ${JSON.stringify(h.value)} }`).join(", "), "]");
  }
  p.push(" }");
  return p;
}

// The first paragraph of the method's leading comment, on one line: enough to say what
// a group of routes is for without repeating the documentation of the _pb.ts file.
function commentSummary(method: DescMethod): string | undefined {
  const leading = getComments(method).leading;
  if (leading === undefined) {
    return undefined;
  }
  const paragraph: string[] = [];
  for (const line of leading.split("\n").map((l) => l.trim())) {
    if (line === "") {
      if (paragraph.length > 0) break;
      continue;
    }
    paragraph.push(line);
  }
  return paragraph.length > 0 ? paragraph.join(" ") : undefined;
}
