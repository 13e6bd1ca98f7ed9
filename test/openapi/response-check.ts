// The truth test's judge: a response the gateway wrote, checked against the schema the
// generated OpenAPI document gives its operation and status, with a JSON Schema 2020-12
// validator, so the spec cannot drift from the runtime. A response the document has no
// schema for is a failure too.
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { OpenApiDocument, OpenApiOperation, OpenApiResponse } from "./documents.js";

/** What was asked and what came back, as the checker needs it. */
export interface Exchange {
  readonly method: string;
  /** The request target as sent, query included. */
  readonly path: string;
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: string;
  /** Response headers by lower-case name, when the caller has them: declared required headers must be there. */
  readonly headers?: Readonly<Record<string, unknown>>;
}

/**
 * What user code in the gateway's options writes instead of the runtime, which no document
 * generated from protos can describe: such responses are left unchecked, and only they.
 */
export interface UserShaped {
  /** Custom marshalers: bodies in a content type other than JSON. */
  readonly marshalers?: boolean;
  /** errorHandler / routingErrorHandler: every failure's status and body. */
  readonly errors?: boolean;
  /** responseHook: the success status. */
  readonly successStatus?: boolean;
}

interface Route {
  readonly pattern: RegExp;
  readonly literalLength: number;
  readonly pathKey: string;
  readonly operations: ReadonlyMap<string, { operation: OpenApiOperation; pointer: string }>;
}

/** Checks responses against one document; `check` returns the problems found, empty when the response is as specified. */
export class ResponseChecker {
  readonly #ajv: Ajv2020;
  readonly #routes: Route[];
  readonly #validators = new Map<string, ValidateFunction>();
  readonly #document: OpenApiDocument;

  /** `services`: the full names of the services the gateway serves; operations of others in the document are not its. */
  readonly #user: UserShaped;

  constructor(document: OpenApiDocument, services: readonly string[], user: UserShaped = {}) {
    this.#user = user;
    this.#document = strict(document);
    this.#ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(this.#ajv);
    // The formats OpenAPI adds for proto3 JSON's integers, checked by their patterns instead.
    for (const format of ["int32", "uint32", "int64", "uint64", "float", "double", "byte"]) this.#ajv.addFormat(format, true);
    this.#ajv.addSchema(this.#document as object, "doc");
    this.#routes = Object.entries(this.#document.paths)
      .map(([pathKey, item]) => routeOf(pathKey, item, new Set(services)))
      .filter((r) => r.operations.size > 0);
  }

  /** Whether some operation of the document serves this path (by any method). */
  matches(path: string): boolean {
    const target = path.split("?")[0]!;
    return this.#routes.some((r) => r.pattern.test(target));
  }

  check(exchange: Exchange): string[] {
    const ok = exchange.status >= 200 && exchange.status < 300;
    const type = (exchange.contentType ?? "").split(";")[0]!.trim().toLowerCase();
    if ((!ok && this.#user.errors === true) || (this.#user.marshalers === true && type !== "application/json")) return [];
    const target = exchange.path.split("?")[0]!;
    const matching = this.#routes.filter((r) => r.pattern.test(target)).sort((a, b) => b.literalLength - a.literalLength);
    const method = exchange.method === "HEAD" && !matching.some((r) => r.operations.has("HEAD")) ? "GET" : exchange.method;
    const found = matching.map((r) => r.operations.get(method)).find((o) => o !== undefined);
    if (found === undefined) {
      // No route of the gateway's matches: it passed the request on (next()), and what
      // answered is the Express app's, unless the gateway answered itself, in JSON.
      if (matching.length === 0 && type !== "application/json") return [];
      // A request no operation serves can only fail, and failures have one shape.
      if (ok) return [`${exchange.method} ${target} answered ${exchange.status}, but the document has no operation for it`];
      return this.#checkMedia(exchange, this.#document.components.responses.Error!, "/components/responses/Error", false);
    }
    const { operation, pointer } = found;
    const byStatus = operation.responses[String(exchange.status)];
    const key = byStatus !== undefined ? String(exchange.status) : ok ? undefined : "default";
    if (key === undefined && ok && this.#user.successStatus === true) return [];
    if (key === undefined) return [`${operation.operationId} answered ${exchange.status}, which the document does not declare`];
    let response = operation.responses[key]!;
    let responsePointer = `${pointer}/responses/${pointerToken(key)}`;
    if ("$ref" in response) {
      responsePointer = response.$ref.slice(1);
      response = this.#document.components.responses[response.$ref.split("/").pop()!]!;
    }
    const missing = Object.entries((response as OpenApiResponse).headers ?? {})
      .filter(
        ([name, header]) =>
          (header as { required?: boolean }).required === true && exchange.headers !== undefined && exchange.headers[name.toLowerCase()] === undefined,
      )
      .map(([name]) => `${operation.operationId} ${exchange.status}: the declared header ${name} is missing`);
    if (exchange.method === "HEAD" || missing.length > 0) return missing;
    const streaming = ok && (operation["x-grpc-streaming"] === "server" || operation["x-grpc-streaming"] === "bidi");
    return this.#checkMedia(exchange, response as OpenApiResponse, responsePointer, streaming).map((p) => `${operation.operationId} ${exchange.status}: ${p}`);
  }

  #checkMedia(exchange: Exchange, response: OpenApiResponse, pointer: string, streaming: boolean): string[] {
    const content = response.content ?? {};
    if (Object.keys(content).length === 0) return exchange.body === "" ? [] : ["a body where the document declares none"];
    const type = (exchange.contentType ?? "").split(";")[0]!.trim().toLowerCase();
    const mediaKey = type in content ? type : "*/*" in content ? "*/*" : undefined;
    if (mediaKey === undefined) return [`content type "${type}" is not one of the declared ${Object.keys(content).join(", ")}`];
    if (mediaKey === "*/*") return []; // raw HttpBody data: any bytes in any type
    const validate = this.#validator(`${pointer}/content/${pointerToken(mediaKey)}/schema`);
    const values = streaming ? streamValues(type, exchange.body) : [exchange.body];
    const problems: string[] = [];
    for (const text of values) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        problems.push(`not JSON: ${text.slice(0, 100)}`);
        continue;
      }
      if (!validate(value)) problems.push(`${this.#ajv.errorsText(validate.errors)} in ${text.slice(0, 300)}`);
    }
    return problems;
  }

  #validator(pointer: string): ValidateFunction {
    let validate = this.#validators.get(pointer);
    if (validate === undefined) {
      validate = this.#ajv.compile({ $ref: `doc#${pointer}` });
      this.#validators.set(pointer, validate);
    }
    return validate;
  }
}

// Lines of a stream; for server-sent events, the data of each event.
function streamValues(type: string, body: string): string[] {
  if (type !== "text/event-stream") return body.split("\n").filter((l) => l.trim() !== "");
  return body
    .split("\n\n")
    .filter((e) => e.trim() !== "")
    .map((event) =>
      event
        .split("\n")
        .filter((l) => l.startsWith("data: "))
        .map((l) => l.slice(6))
        .join("\n"),
    );
}

function pointerToken(token: string): string {
  return token.replaceAll("~", "~0").replaceAll("/", "~1");
}

function routeOf(pathKey: string, item: Record<string, unknown>, services: ReadonlySet<string>): Route {
  const operations = new Map<string, { operation: OpenApiOperation; pointer: string }>();
  const base = `/paths/${pointerToken(pathKey)}`;
  for (const [method, operation] of Object.entries(item)) {
    if (method === "x-additionalOperations") {
      for (const [custom, op] of Object.entries(operation as Record<string, OpenApiOperation>)) {
        operations.set(custom, { operation: op, pointer: `${base}/x-additionalOperations/${pointerToken(custom)}` });
      }
    } else {
      operations.set(method.toUpperCase(), { operation: operation as OpenApiOperation, pointer: `${base}/${method}` });
    }
  }
  for (const [method, { operation }] of operations) {
    if (!services.has(operation["x-grpc-method"].split("/")[1]!)) operations.delete(method);
  }
  const parameters = [...operations.values()][0]?.operation.parameters ?? [];
  let literalLength = 0;
  const source = pathKey.replace(/\{([^}]+)\}|[^{]+/g, (whole, name: string | undefined) => {
    if (name === undefined) {
      literalLength += whole.length;
      return whole.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }
    const pattern = parameters.find((p) => p.in === "path" && p.name === name)?.schema?.pattern;
    return pattern === undefined ? "[^/]+" : `(?:${pattern.replace(/^\^/, "").replace(/\$$/, "")})`;
  });
  return { pattern: new RegExp(`^${source}$`), literalLength, pathKey, operations };
}

// Responses are exact: a message's JSON has the keys its schema names and no others, so a
// renamed or stray key fails here (requests stay open, as the gateway reads both names).
function strict(document: OpenApiDocument): OpenApiDocument {
  const copy = structuredClone(document);
  for (const schema of Object.values(copy.components.schemas) as Record<string, unknown>[]) {
    if (schema.type === "object" && schema.properties !== undefined && schema.additionalProperties === undefined) schema.additionalProperties = false;
  }
  return copy;
}
