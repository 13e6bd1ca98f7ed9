import type { DescMethod } from "@bufbuild/protobuf";
import { getComments, type GeneratedFile, type Printable } from "@bufbuild/protoplugin";
import type { Binding, ServiceBindings } from "../bindings.js";

/** Where generated clients find their support code: fetch and WebSocket only, no server side. */
export const clientImport = "grpc-gateway-express/client";

// The ClientMethods function, and the shape of the request and reply, per method kind.
const kinds = {
  unary: { call: "unary", streamsRequest: false, streamsReply: false },
  server_streaming: { call: "serverStreaming", streamsRequest: false, streamsReply: true },
  client_streaming: { call: "clientStreaming", streamsRequest: true, streamsReply: false },
  bidi_streaming: { call: "bidiStreaming", streamsRequest: true, streamsReply: true },
} as const;

/**
 * Prints one service's REST client: an interface with one typed method per bound rpc, and
 * the factory that wires each to its primary binding (the rule itself; additional bindings
 * serve other URLs of the same call). The route is data; requests are built by the support code.
 */
export function printClient(f: GeneratedFile, { service, methods }: ServiceBindings): void {
  const clientOptions = f.import("ClientOptions", clientImport, true);
  const callOptions = f.import("CallOptions", clientImport, true);
  const createClientMethods = f.import("createClientMethods", clientImport);
  const initShape = f.import("MessageInitShape", "@bufbuild/protobuf", true);
  const serviceDesc = f.importSchema(service);
  const clientName = `${service.name}Client`;

  f.print(f.jsDoc(`A REST client of ${service.typeName}, calling its gateway over HTTP (and WebSocket for client and bidi streams).`));
  f.print(f.export("interface", clientName), " {");
  for (const { method, bindings } of methods) {
    const kind = kinds[method.methodKind];
    const primary = bindings[0]!;
    const request: Printable = [initShape, "<typeof ", f.importSchema(method.input, true), ">"];
    const reply = f.importShape(method.output);
    f.print(f.jsDoc(docOf(method, primary), "  "));
    f.print(
      "  ",
      method.localName,
      "(",
      kind.streamsRequest ? ["requests: AsyncIterable<", request, ">"] : ["request: ", request],
      ", options?: ",
      callOptions,
      "): ",
      kind.streamsReply ? "AsyncIterable<" : "Promise<",
      reply,
      ">;",
    );
  }
  f.print("}");
  f.print();
  f.print(f.jsDoc(`Creates a ${clientName} for the gateway at \`options.baseUrl\`.`));
  f.print(f.export("function", `create${clientName}`), "(options: ", clientOptions, "): ", clientName, " {");
  f.print("  const methods = ", createClientMethods, "(options);");
  f.print("  return {");
  for (const { method, bindings } of methods) {
    f.print(
      "    ",
      method.localName,
      ": methods.",
      kinds[method.methodKind].call,
      "(",
      serviceDesc,
      ".method.",
      method.localName,
      ", ",
      routeLiteral(f, bindings[0]!),
      "),",
    );
  }
  f.print("  };");
  f.print("}");
}

// The binding on one line, in the route table's property order.
function routeLiteral(f: GeneratedFile, binding: Binding): Printable {
  const p: Printable[] = ["{ httpMethod: ", f.string(binding.httpMethod), ", path: ", f.string(binding.path)];
  if (binding.body !== undefined) p.push(", body: ", f.string(binding.body));
  if (binding.responseBody !== undefined) p.push(", responseBody: ", f.string(binding.responseBody));
  if (binding.repeatedPathSeparator !== undefined) p.push(", repeatedPathSeparator: ", JSON.stringify(binding.repeatedPathSeparator));
  p.push(" }");
  return p;
}

// The method's leading comment, then the request it sends, so an editor's hover shows both.
function docOf(method: DescMethod, primary: Binding): string {
  const leading = getComments(method)
    .leading?.split("\n")
    .map((line) => line.replace(/^ /, ""))
    .join("\n")
    .trim();
  const route = `\`${primary.httpMethod} ${primary.path}\``;
  return leading === undefined || leading === "" ? route : `${leading}\n\n${route}`;
}
