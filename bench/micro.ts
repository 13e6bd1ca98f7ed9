/**
 * `npm run bench:micro`: the gateway's own per-request steps timed in a loop, in this
 * process, beside what the hand-written proxy does instead (ts-proto). No HTTP, no
 * backend: the figures move only with the code under test, which makes them the clean
 * before/after measure of a hot-path change (the HTTP scenarios carry the noise of a
 * shared machine). Time is CPU time (process.cpuUsage), so being preempted by other
 * processes does not count; pinned to CPU 1 (MICRO_CPU) with taskset when it can be.
 *
 * An argument keeps only the steps whose name contains it. MICRO_COMPARE=dirA,dirB times
 * two builds of runtime/ (directories inside the repo) in alternating batches, for a
 * before/after figure that the machine's drift touches alike.
 */
import { spawnSync } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { create, type DescMessage, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Metadata } from "@grpc/grpc-js";
import type { CallOptions, HttpRoute } from "grpc-gateway-express/runtime";
import { GetItemRequest as TsGetItemRequest, Item as TsItem, Order as TsOrder } from "./backend-gen/bench/v1/bench.js";
import { BenchServiceRoutes } from "./gen/bench/v1/bench_gateway.js";
import { BenchService, type GetItemRequest, type Order } from "./gen/bench/v1/bench_pb.js";
import { getItem, orderBody } from "./payloads.js";
import { benchImplementation } from "./servers/implementation.js";
import { buildRuntime, fromSource, runtimeModule } from "./support/runtime-build.js";
import { median } from "./support/stats.js";

// On the servers' CPU, all threads (GC included), when taskset is there.
spawnSync("taskset", ["-a", "-p", "-c", process.env.MICRO_CPU ?? "1", String(process.pid)], { stdio: "ignore" });

const rounds = Number(process.env.MICRO_ROUNDS ?? 7);
const batchMs = Number(process.env.MICRO_BATCH_MS ?? 200);
const filter = process.argv[2];

/** A step: a function timed in a loop, or with "async", one whose promise each call awaits. */
type Step = readonly [name: string, fn: () => unknown, kind?: "async"];

interface Runtime {
  readonly label: string;
  readonly binding: typeof import("../runtime/binding/binding.js");
  readonly json: typeof import("../runtime/marshal/json/marshaler.js");
  readonly requestMetadata: typeof import("../runtime/protocol/request-metadata.js");
  readonly responseMetadata: typeof import("../runtime/protocol-http/response-metadata.js");
  readonly template: typeof import("../runtime/routing/path-template.js");
  readonly router: typeof import("../runtime/routing/router.js");
  readonly httpCall: typeof import("../runtime/protocol-http/http-call.js");
  readonly compileRoute: typeof import("../runtime/compile-route.js");
  readonly settings: typeof import("../runtime/settings.js");
  readonly gateway: typeof import("../runtime/gateway.js");
  readonly codec: typeof import("../runtime/backend/method-codec.js");
  /** Absent from builds before the reply transcoder. */
  readonly transcoders: typeof import("../runtime/marshal/transcode/marshaler-transcoders.js") | undefined;
}

async function loadRuntime(dir: string | undefined): Promise<Runtime> {
  const load =
    dir === undefined
      ? <T>(name: string) => runtimeModule<T>(name)
      : async <T>(name: string) => (await import(pathToFileURL(join(dir, `${name}.js`)).href)) as T;
  return {
    label: dir ?? (fromSource ? "runtime/ (TypeScript through tsx)" : "runtime/dist (compiled)"),
    binding: await load("binding/binding"),
    json: await load("marshal/json/marshaler"),
    requestMetadata: await load("protocol/request-metadata"),
    responseMetadata: await load("protocol-http/response-metadata"),
    template: await load("routing/path-template"),
    router: await load("routing/router"),
    httpCall: await load("protocol-http/http-call"),
    compileRoute: await load("compile-route"),
    settings: await load("settings"),
    gateway: await load("gateway"),
    codec: await load("backend/method-codec"),
    transcoders: await load<Runtime["transcoders"]>("marshal/transcode/marshaler-transcoders").catch(() => undefined),
  };
}

const [path, rawQuery] = getItem.path.split("?") as [string, string];
const emptyBody = new Uint8Array(0);
const body1k = Buffer.from(orderBody(1024));
const body64k = Buffer.from(orderBody(64 * 1024));
const unaryRoute = (httpMethod: string): HttpRoute => BenchServiceRoutes.find((r) => r.httpMethod === httpMethod && r.method.methodKind === "unary")!;

// What curl sends with a JSON body (node keeps rawHeaders as received), and what a grpc-js server answers with.
const rawHeaders = ["Host", "127.0.0.1:8080", "User-Agent", "curl/8.5.0", "Accept", "*/*", "Content-Type", "application/json", "Content-Length", "1024"];
const fakeReq = {
  rawHeaders,
  headers: { host: "127.0.0.1:8080", "user-agent": "curl/8.5.0", accept: "*/*", "content-type": "application/json", "content-length": "1024" },
  socket: { remoteAddress: "127.0.0.1" },
} as unknown as IncomingMessage;
const replyHeaders = new Metadata();
replyHeaders.set("content-type", "application/grpc+proto");
replyHeaders.set("grpc-accept-encoding", "identity,deflate,gzip");
replyHeaders.set("grpc-encoding", "identity");
const fakeRes = {
  headersSent: false,
  destroyed: false,
  appendHeader: () => fakeRes,
  once: () => fakeRes,
  on: () => fakeRes,
  off: () => fakeRes,
} as unknown as ServerResponse;
// What a transport reads of the options of one call (dialHttp2's ClientCall and unaryCall, roughly).
function readCallOptions(o: CallOptions): number {
  let n = 0;
  for (let i = 0; i < 2; i++) {
    if (o.deadline !== undefined) n++;
    if (o.replyTimeoutMs !== undefined) n++;
    if (o.connectTimeoutMs !== undefined) n += o.connectTimeoutMs;
    if (o.maxRequestBytes !== undefined) n += o.maxRequestBytes;
    if (o.onClientGone !== undefined) n++;
    if (o.onTransportError !== undefined) n++;
    if (o.metadata !== undefined) n++;
  }
  return n;
}

/**
 * Just enough of a ServerResponse for the gateway to answer a unary call on it; `end`
 * settles `done`. One per request, as node makes one.
 */
class FakeResponse {
  statusCode = 200;
  headersSent = false;
  destroyed = false;
  writableEnded = false;
  writableFinished = false;
  chunkedEncoding = false;
  body: unknown;
  readonly #headers = new Map<string, unknown>();
  constructor(readonly done: () => void) {}
  setHeader(name: string, value: unknown): this {
    this.#headers.set(name.toLowerCase(), value);
    return this;
  }
  appendHeader(name: string, value: unknown): this {
    return this.setHeader(name, value);
  }
  getHeader(name: string): unknown {
    return this.#headers.get(name.toLowerCase());
  }
  hasHeader(name: string): boolean {
    return this.#headers.has(name.toLowerCase());
  }
  removeHeader(name: string): void {
    this.#headers.delete(name.toLowerCase());
  }
  getHeaderNames(): string[] {
    return [...this.#headers.keys()];
  }
  once(): this {
    return this;
  }
  on(): this {
    return this;
  }
  off(): this {
    return this;
  }
  end(body?: unknown): this {
    this.body = body;
    this.headersSent = true;
    this.writableEnded = this.writableFinished = true;
    this.done();
    return this;
  }
}

// An HTTP/2-looking request, so the HTTP/1.1 connection gate (which needs a real socket) stays out.
const fakeRequest = (method: string, url: string, body?: Buffer) =>
  ({ ...fakeReq, method, url, httpVersionMajor: 2, readableEnded: body !== undefined, body }) as unknown as IncomingMessage;

function gatewaySteps(rt: Runtime): Step[] {
  const json = rt.json.createJsonMarshaler();
  const getBinding = rt.binding.compileBinding(unaryRoute("GET"), { unknownQueryParameters: "error" });
  const postBinding = rt.binding.compileBinding(unaryRoute("POST"), { unknownQueryParameters: "error" });
  const router = rt.router.createRouter<HttpRoute>();
  for (const r of BenchServiceRoutes) router.add(r.httpMethod, rt.template.parsePathTemplate(r.path), r);
  const getRequest = getBinding.bind({ pathParams: { id: getItem.id }, rawQuery, body: emptyBody, marshaler: json }) as GetItemRequest;
  const item = create(BenchService.method.getItem.output, benchImplementation.getItem(getRequest));
  const order = postBinding.bind({ pathParams: {}, rawQuery: "", body: body1k, marshaler: json }) as Order;
  const order64k = postBinding.bind({ pathParams: {}, rawQuery: "", body: body64k, marshaler: json });
  const orderSchema = BenchService.method.createOrder.input;
  // Buffers, as the transports hand replies over.
  const itemBytes = Buffer.from(toBinary(BenchService.method.getItem.output, item));
  const orderBytes = Buffer.from(toBinary(BenchService.method.createOrder.input, order));
  const order64kBytes = Buffer.from(toBinary(BenchService.method.createOrder.input, order64k as Order));
  const getCodec = rt.codec.codecFor(BenchService.method.getItem);
  const postCodec = rt.codec.codecFor(BenchService.method.createOrder);
  const settings = rt.settings.resolveSettings({});
  const noBackend = { unary: () => Promise.reject(new Error("unused")), stream: () => Promise.reject(new Error("unused")) } as never;
  const compiledGet = rt.compileRoute.compileRoute(unaryRoute("GET"), noBackend, settings);
  const openCall = () => {
    const call = new rt.httpCall.HttpCall(compiledGet, { id: getItem.id }, rawQuery, fakeReq, fakeRes, settings, false);
    const n = readCallOptions(call.options);
    call.clientGone.dispose();
    return n;
  };
  // The whole gateway per request, node's HTTP and the backend's transport left out: a
  // backend answering at once with a prepared reply (header metadata as grpc-js has it).
  const gateway = rt.gateway.createGateway();
  const itemReply = { message: item, headers: replyHeaders, trailers: new Metadata() };
  const orderReply = { message: order, headers: replyHeaders, trailers: new Metadata() };
  gateway.register(BenchService, BenchServiceRoutes, {
    // A result of its own each time: the gateway lets go of a written reply's message (serve-unary.ts).
    unary: (method: unknown) => Promise.resolve({ ...(method === BenchService.method.getItem ? itemReply : orderReply) }),
    stream: () => Promise.reject(new Error("unused")),
  } as never);
  const getReq = fakeRequest("GET", getItem.path);
  const postReq = fakeRequest("POST", "/v1/orders", body1k);
  // A step that measured an error reply would measure the wrong thing: each call checks its answer.
  const serve = (req: IncomingMessage) =>
    new Promise<void>((resolve, reject) => {
      const res: FakeResponse = new FakeResponse(() =>
        res.statusCode === 200 && typeof res.body === "string" && res.body.startsWith('{"id":')
          ? resolve()
          : reject(new Error(`the gateway answered ${res.statusCode}: ${String(res.body)}`)),
      );
      gateway(req, res as unknown as ServerResponse);
    });
  // The request as the lean transport sends it: transcoded from the body where the binding can
  // (BindingPlan.frame), else bound and encoded (and so in a runtime without the transcoder).
  const toFrame = (body: Uint8Array) => {
    const input = { pathParams: {}, rawQuery: "", body, marshaler: json };
    return postBinding.frame?.(input) ?? postCodec.frame(postBinding.bind(input));
  };
  // The reply as the lean transport hands it to the body: transcoded from its bytes where the
  // JSON marshaler can (transcode/binary-to-json.ts), else decoded and marshaled.
  const replyTranscoder = rt.transcoders?.transcodersOf(json)?.reply;
  const toBody = (codec: typeof getCodec, schema: DescMessage, bytes: Buffer) =>
    replyTranscoder?.transcode(schema, bytes) ?? json.marshal(schema, codec.deserialize(bytes));
  return [
    ["serve GET through the gateway (a backend that answers at once, no HTTP)", () => serve(getReq), "async"],
    ["serve POST 1 KB through the gateway (body already read, a backend that answers at once, no HTTP)", () => serve(postReq), "async"],
    ["open a call (HttpCall: marshalers, metadata, deadlines, options) + the transport's reads of its options", openCall],
    ["router.match GET /v1/items/{id}", () => router.match("GET", path)],
    ["bind GET (path variable + 2 query parameters)", () => getBinding.bind({ pathParams: { id: getItem.id }, rawQuery, body: emptyBody, marshaler: json })],
    ["bind POST 1 KB", () => postBinding.bind({ pathParams: {}, rawQuery: "", body: body1k, marshaler: json })],
    ["bind POST 64 KB", () => postBinding.bind({ pathParams: {}, rawQuery: "", body: body64k, marshaler: json })],
    ["body to gRPC frame POST 1 KB (transcoded, else bind + encode)", () => toFrame(body1k)],
    ["body to gRPC frame POST 64 KB (transcoded, else bind + encode)", () => toFrame(body64k)],
    ["reply to body GET (transcoded, else decode + marshal)", () => toBody(getCodec, BenchService.method.getItem.output, itemBytes)],
    ["reply to body POST 1 KB (transcoded, else decode + marshal)", () => toBody(postCodec, orderSchema, orderBytes)],
    ["reply to body POST 64 KB (transcoded, else decode + marshal)", () => toBody(postCodec, orderSchema, order64kBytes)],
    ["unmarshal POST 1 KB (JSON)", () => json.unmarshal(body1k, orderSchema, create(orderSchema))],
    ["unmarshal POST 64 KB (JSON)", () => json.unmarshal(body64k, orderSchema, create(orderSchema))],
    ["metadataFromRequest (curl's headers)", () => rt.requestMetadata.metadataFromRequest(fakeReq)],
    ["writeResponseHeaders (grpc-js reply headers)", () => rt.responseMetadata.writeResponseHeaders(fakeRes, replyHeaders)],
    ["marshal GET reply (JSON)", () => json.marshal(BenchService.method.getItem.output, item)],
    ["marshal POST 1 KB reply (JSON)", () => json.marshal(BenchService.method.createOrder.output, order)],
    ["marshal POST 64 KB reply (JSON)", () => json.marshal(BenchService.method.createOrder.output, order64k)],
    ["encode GET request (the wire codec, framed)", () => getCodec.frame(getRequest)],
    ["decode GET reply (the wire codec)", () => getCodec.deserialize(itemBytes)],
    ["encode POST 1 KB (the wire codec, framed)", () => postCodec.frame(order)],
    ["encode POST 64 KB (the wire codec, framed)", () => postCodec.frame(order64k)],
    ["decode POST 1 KB reply (the wire codec)", () => postCodec.deserialize(orderBytes)],
    ["decode POST 64 KB reply (the wire codec)", () => postCodec.deserialize(order64kBytes)],
    ["protobuf-es toBinary GET request", () => toBinary(BenchService.method.getItem.input, getRequest)],
    ["protobuf-es fromBinary GET reply", () => fromBinary(BenchService.method.getItem.output, itemBytes)],
    ["protobuf-es toBinary POST 1 KB", () => toBinary(BenchService.method.createOrder.input, order)],
    ["protobuf-es fromBinary POST 1 KB", () => fromBinary(BenchService.method.createOrder.output, orderBytes)],
    ["protobuf-es fromBinary POST 64 KB", () => fromBinary(BenchService.method.createOrder.output, order64kBytes)],
  ];
}

function handWrittenSteps(): Step[] {
  const tsOrder = TsOrder.fromJSON(JSON.parse(body1k.toString()));
  const tsOrder64k = TsOrder.fromJSON(JSON.parse(body64k.toString()));
  const tsItem = TsItem.fromPartial({ id: "item-42", title: "A small item", priceCents: 1999, tags: ["new", "sale"], view: 2, locale: "en-US" });
  const itemBytes = TsItem.encode(tsItem).finish();
  const orderBytes = TsOrder.encode(tsOrder).finish();
  return [
    ["fromJSON GET request", () => TsGetItemRequest.fromJSON({ id: getItem.id, view: getItem.view, locale: getItem.locale })],
    ["JSON.parse + fromJSON POST 1 KB", () => TsOrder.fromJSON(JSON.parse(body1k.toString()))],
    ["JSON.parse + fromJSON POST 64 KB", () => TsOrder.fromJSON(JSON.parse(body64k.toString()))],
    ["toJSON + stringify GET reply", () => JSON.stringify(TsItem.toJSON(tsItem))],
    ["toJSON + stringify POST 1 KB reply", () => JSON.stringify(TsOrder.toJSON(tsOrder))],
    ["toJSON + stringify POST 64 KB reply", () => JSON.stringify(TsOrder.toJSON(tsOrder64k))],
    ["encode GET request", () => TsGetItemRequest.encode(TsGetItemRequest.fromPartial({ id: "item-42", view: 2, locale: "en-US" })).finish()],
    ["decode GET reply", () => TsItem.decode(itemBytes)],
    ["encode POST 1 KB", () => TsOrder.encode(tsOrder).finish()],
    ["decode POST 1 KB", () => TsOrder.decode(orderBytes)],
  ];
}

// What the floor with JSON (servers/bare.ts bare-json) does to a body and its reply: V8's JSON alone.
function floorJsonSteps(): Step[] {
  const parsed1k: unknown = JSON.parse(body1k.toString());
  const parsed64k: unknown = JSON.parse(body64k.toString());
  return [
    ["JSON.parse POST 1 KB", () => JSON.parse(body1k.toString())],
    ["JSON.parse POST 64 KB", () => JSON.parse(body64k.toString())],
    ["JSON.stringify POST 1 KB reply", () => JSON.stringify(parsed1k)],
    ["JSON.stringify POST 64 KB reply", () => JSON.stringify(parsed64k)],
  ];
}

let sink: unknown;

// CPU nanoseconds per call over `n` calls.
function batch(fn: () => unknown, n: number): number {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) sink = fn();
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / n;
}

function iterationsFor(fn: () => unknown): number {
  batch(fn, 2000); // warm and JIT
  const probe = batch(fn, 5000);
  return Math.max(1000, Math.round((batchMs * 1e6) / Math.max(probe, 1)));
}

// The same for a step whose calls each await their promise, one after the other.
async function batchAsync(fn: () => unknown, n: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) sink = await fn();
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / n;
}

async function iterationsForAsync(fn: () => unknown): Promise<number> {
  await batchAsync(fn, 2000);
  const probe = await batchAsync(fn, 5000);
  return Math.max(1000, Math.round((batchMs * 1e6) / Math.max(probe, 1)));
}

/** Median CPU ns per call of each variant of one step, batches alternating between them. */
async function time(name: string, variants: readonly (() => unknown)[], kind?: "async"): Promise<number[] | undefined> {
  if (filter !== undefined && !name.includes(filter)) return undefined;
  const counts = kind === "async" ? await Promise.all(variants.map(iterationsForAsync)) : variants.map(iterationsFor);
  const samples = variants.map((): number[] => []);
  for (let r = 0; r < rounds; r++) {
    for (const [v, fn] of variants.entries()) samples[v]!.push(kind === "async" ? await batchAsync(fn, counts[v]!) : batch(fn, counts[v]!));
  }
  return samples.map(median);
}

const ns = (v: number) => `${v.toFixed(0).padStart(9)} ns`;
const compare = process.env.MICRO_COMPARE?.split(",");
buildRuntime();
const runtimes = await Promise.all((compare ?? [undefined]).map(loadRuntime));
const steps = runtimes.map(gatewaySteps);
console.log(`gateway steps, CPU time per call (${runtimes.map((r, i) => `${String.fromCharCode(65 + i)}: ${r.label}`).join("; ")}):`);
for (const [i, [name, , kind]] of steps[0]!.entries()) {
  const result = await time(
    name,
    steps.map((s) => s[i]![1]),
    kind,
  );
  if (result === undefined) continue;
  const change = result.length === 2 ? `   B/A ${(result[1]! / result[0]!).toFixed(2)}` : "";
  console.log(`${result.map(ns).join(" ")}${change}  ${name}`);
}
console.log("\nthe hand-written proxy's steps (ts-proto):");
for (const [name, fn] of handWrittenSteps()) {
  const result = await time(name, [fn]);
  if (result !== undefined) console.log(`${ns(result[0]!)}  ${name}`);
}
console.log("\nthe floor with JSON's steps (V8's JSON, no protobuf):");
for (const [name, fn] of floorJsonSteps()) {
  const result = await time(name, [fn]);
  if (result !== undefined) console.log(`${ns(result[0]!)}  ${name}`);
}
if (sink === time) console.log(); // keeps the results alive
