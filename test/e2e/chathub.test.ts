// ChatHub end to end: the example app in front of its real grpc-js backend (ts-proto, a
// simulated model producing one token every few milliseconds), driven with fetch and
// node:http. All four method kinds, each stream format, errors before and during a
// stream, cancellation and deadlines reaching the backend, malformed streamed input.
import assert from "node:assert/strict";
import { once } from "node:events";
import { request as httpRequest, type ClientRequest, type IncomingMessage } from "node:http";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { status as Code } from "@grpc/grpc-js";
import type { ChatRequest } from "../../examples/backend-gen/aihub/chathub.js";
import { chatPagePath, createChatHubApp } from "../../examples/chathub/app.js";
import { startChatHubBackend, type CancelledEvent, type RequestEvent, type RunningChatHub, type TokenEvent } from "../../examples/chathub/backend.js";
import { answer, summarize } from "../../examples/chathub/model.js";
import { startExamples, tryLines, type RunningExamples } from "../../examples/start.js";
import { serveHttp, type RunningHttpServer } from "../../examples/support/http-app.js";
import { loadDocument } from "../openapi/documents.js";
import { ResponseChecker } from "../openapi/response-check.js";

// The truth test for ChatHub: each complete response to `post` is checked against the generated
// OpenAPI document once it has ended (in the background, so timing tests see the stream as it comes).
const chatSpec = new ResponseChecker(loadDocument("examples/gen/aihub/chathub.openapi.json"), ["aihub.ChatHub"]);
const checks: Promise<string[]>[] = [];

function checkLater(path: string, res: Response): Response {
  const contentType = res.headers.get("content-type") ?? undefined;
  checks.push(
    res
      .clone()
      .text()
      .then(
        (body) => chatSpec.check({ method: "POST", path, status: res.status, contentType, body }).map((p) => `POST ${path}: ${p}`),
        () => [], // aborted by the test: there is no whole response to check
      ),
  );
  return res;
}

/** Slow enough that a stream takes a few hundred milliseconds, so its phases can be observed. */
const tokenDelayMs = 15;

/** The request a test sends, as the model sees it. */
function chatRequest(init: Partial<ChatRequest> & { prompt: string }): ChatRequest {
  return { history: [], maxLength: 0, topP: 0, temperature: 0, ...init };
}

/** The tokens the model answers `init` with. */
function tokensFor(init: Partial<ChatRequest> & { prompt: string }): readonly string[] {
  return answer(chatRequest(init)).tokens;
}

describe("examples: ChatHub over HTTP", () => {
  let backend: RunningChatHub;
  let http: RunningHttpServer;
  before(async () => {
    backend = await startChatHubBackend({ tokenDelayMs });
    http = await serveHttp(createChatHubApp(backend.address), 0);
  });
  after(async () => {
    await http.close();
    await backend.close();
    const problems = (await Promise.all(checks)).flat();
    assert.ok(checks.length > 0, "responses were checked");
    assert.deepEqual(problems, [], "every response is as the generated OpenAPI document says");
  });

  const post = async (path: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) =>
    checkLater(
      path,
      await fetch(`${http.url}${path}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
        ...(signal === undefined ? {} : { signal }),
      }),
    );

  describe("Chat (unary)", () => {
    it("answers with the whole reply at once", async () => {
      const res = await post("/v1/chat", { prompt: "hello there" });
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
      assert.deepEqual(await res.json(), {
        response: "You said “hello there”. Backwards, that reads “there hello”. The longest word was hello, so tell me more about hello.",
      });
    });

    it("honours max_length, counted in tokens", async () => {
      const res = await post("/v1/chat", { prompt: "hello there", maxLength: 4 });
      assert.deepEqual(await res.json(), { response: "You said “hello there”." });
    });

    it("a request the model refuses is 400 with the status body", async () => {
      const res = await post("/v1/chat", { prompt: "hi", temperature: 3 });
      assert.equal(res.status, 400);
      assert.deepEqual(await res.json(), { code: Code.INVALID_ARGUMENT, message: "temperature must be between 0 and 2, got 3", details: [] });
    });
  });

  describe("StreamingChat (server streaming)", () => {
    const prompt = "tell me about streams";
    const tokens = tokensFor({ prompt });

    it('by default answers one {"result": ...} line per token, in order', async () => {
      const res = await post("/v1/chat:stream", { prompt });
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
      assert.deepEqual(
        ndjson(await res.text()),
        tokens.map((response) => ({ result: { response } })),
      );
      assert.equal(
        tokens.join(""),
        "You said “tell me about streams”. Backwards, that reads “streams about me tell”. The longest word was streams, so tell me more about streams.",
      );
    });

    it("Accept: text/event-stream gives one SSE data event per token", async () => {
      const res = await post("/v1/chat:stream", { prompt }, { Accept: "text/event-stream" });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "text/event-stream");
      assert.equal(res.headers.get("cache-control"), "no-cache");
      assert.equal(await res.text(), tokens.map((response) => `data: ${JSON.stringify({ response })}\n\n`).join(""));
    });

    it("Accept: application/x-ndjson gives the bare messages, one a line", async () => {
      const res = await post("/v1/chat:stream", { prompt }, { Accept: "application/x-ndjson" });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/x-ndjson");
      assert.deepEqual(
        ndjson(await res.text()),
        tokens.map((response) => ({ response })),
      );
    });

    it("honours max_length", async () => {
      const res = await post("/v1/chat:stream", { prompt, maxLength: 3 }, { Accept: "application/x-ndjson" });
      assert.deepEqual(ndjson(await res.text()), [{ response: "You" }, { response: " said" }, { response: " “tell" }]);
    });

    it("the first token reaches the client before the backend has produced the last", async () => {
      const produced: TokenEvent[] = [];
      const onToken = (event: TokenEvent) => void produced.push(event);
      backend.events.on("token", onToken);
      try {
        const res = await post("/v1/chat:stream", { prompt });
        const reader = res.body!.getReader();
        const first = await reader.read();
        const firstArrivedAt = performance.now();
        const producedBeforeFirstArrived = produced.length;
        assert.equal(first.done, false);
        assert.match(new TextDecoder().decode(first.value), /^\{"result":\{"response":"You"\}\}\n/);
        while (!(await reader.read()).done);

        assert.equal(produced.length, tokens.length);
        const last = produced.at(-1)!;
        assert.equal(last.index, tokens.length - 1);
        assert.ok(producedBeforeFirstArrived < tokens.length, `all ${tokens.length} tokens were produced before the first arrived`);
        assert.ok(firstArrivedAt < last.at, "the first token arrived only after the last was produced");
      } finally {
        backend.events.off("token", onToken);
      }
    });

    const failingPrompt = "please fail now";
    const failing = answer(chatRequest({ prompt: failingPrompt }));
    const failAfter = failing.failAfter!;
    const failureStatus = { code: Code.UNAVAILABLE, message: `the model broke down after ${failAfter} tokens (the prompt said "fail")`, details: [] };

    it('a failure mid-stream ends the default stream with an {"error": status} line', async () => {
      const res = await post("/v1/chat:stream", { prompt: failingPrompt });
      assert.equal(res.status, 200, "the headers went out with the first token");
      const lines = ndjson(await res.text());
      assert.deepEqual(lines, [...failing.tokens.slice(0, failAfter).map((response) => ({ result: { response } })), { error: failureStatus }]);
    });

    it("... the SSE stream with an error event", async () => {
      const res = await post("/v1/chat:stream", { prompt: failingPrompt }, { Accept: "text/event-stream" });
      const events = (await res.text()).split("\n\n").filter((event) => event !== "");
      assert.equal(events.length, failAfter + 1);
      assert.deepEqual(
        events.slice(0, -1),
        failing.tokens.slice(0, failAfter).map((response) => `data: ${JSON.stringify({ response })}`),
      );
      const last = events.at(-1)!;
      assert.match(last, /^event: error\ndata: /);
      assert.deepEqual(JSON.parse(last.slice("event: error\ndata: ".length)), failureStatus);
    });

    it('... and the bare NDJSON stream with an {"error": status} line', async () => {
      const res = await post("/v1/chat:stream", { prompt: failingPrompt }, { Accept: "application/x-ndjson" });
      const lines = ndjson(await res.text());
      assert.deepEqual(lines, [...failing.tokens.slice(0, failAfter).map((response) => ({ response })), { error: failureStatus }]);
    });

    it("a failure before the first token is an HTTP error with the status body", async () => {
      const res = await post("/v1/chat:stream", { prompt: "   " }, { Accept: "text/event-stream" });
      assert.equal(res.status, 400);
      assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
      assert.deepEqual(await res.json(), { code: Code.INVALID_ARGUMENT, message: "prompt must not be empty", details: [] });
    });

    it("a stream that completes is no cancellation at the backend", { timeout: 10_000 }, async () => {
      const seen: CancelledEvent[] = [];
      const onCancel = (e: CancelledEvent) => void seen.push(e);
      backend.events.on("cancelled", onCancel);
      try {
        const res = await post("/v1/chat:stream", { prompt: "hi" });
        assert.equal(res.status, 200);
        assert.ok(!(await res.text()).includes('"error"'));
        await new Promise((resolve) => setTimeout(resolve, 200)); // grpc-js emits its 'cancelled' after the status
        assert.deepEqual(seen, []);
      } finally {
        backend.events.off("cancelled", onCancel);
      }
    });

    it("a client that aborts cancels the backend's stream", { timeout: 10_000 }, async () => {
      const cancelled = once(backend.events, "cancelled") as Promise<[CancelledEvent]>;
      const abort = new AbortController();
      const res = await post("/v1/chat:stream", { prompt }, {}, abort.signal);
      const reader = res.body!.getReader();
      assert.equal((await reader.read()).done, false);
      abort.abort();
      const [event] = await cancelled;
      assert.equal(event.method, "StreamingChat");
      assert.equal(event.reason, "cancelled");
      assert.ok(event.tokens >= 1 && event.tokens < tokens.length, `cancelled after ${event.tokens} of ${tokens.length} tokens`);
    });

    it("Grpc-Timeout ends a long stream with DEADLINE_EXCEEDED, and the backend stops", { timeout: 10_000 }, async () => {
      const cancelled = once(backend.events, "cancelled") as Promise<[CancelledEvent]>;
      const res = await post("/v1/chat:stream", { prompt }, { "Grpc-Timeout": `${tokenDelayMs * 5}m` });
      assert.equal(res.status, 200);
      const lines = ndjson(await res.text()) as { result?: unknown; error?: { code: number } }[];
      assert.ok(lines.length > 1 && lines.length < tokens.length, `${lines.length} lines`);
      assert.equal(lines.at(-1)!.error?.code, Code.DEADLINE_EXCEEDED);
      const [event] = await cancelled;
      assert.equal(event.method, "StreamingChat");
      assert.ok(event.tokens < tokens.length);
    });
  });

  describe("Summarize (client streaming)", () => {
    const prompts = ["hi there", "how do streams work?", "streams are neat"];
    const body = prompts.map((prompt) => `${JSON.stringify({ prompt })}\n`).join("");
    const expected = { response: summarize(prompts) };

    it("reads an NDJSON body, one prompt a line, and answers once", async () => {
      const res = await post("/v1/chat:summarize", body, { "Content-Type": "application/x-ndjson" });
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
      assert.deepEqual(await res.json(), expected);
      assert.match(expected.response, /^A conversation of 3 prompts and 9 words\. .* The word used most was streams \(2 times\)\.$/);
    });

    it("takes the same lines sent as application/json, the last without a newline", async () => {
      const res = await post("/v1/chat:summarize", body.trimEnd());
      assert.deepEqual(await res.json(), expected);
    });

    it("hands each line to the backend as it arrives, not when the body ends", { timeout: 10_000 }, async () => {
      const req = openNdjsonRequest(`${http.url}/v1/chat:summarize`);
      const received = once(backend.events, "request") as Promise<[RequestEvent]>;
      req.write(`${JSON.stringify({ prompt: prompts[0] })}\n`);
      const [first] = await received;
      assert.deepEqual([first.method, first.index, first.prompt], ["Summarize", 0, prompts[0]]);
      req.end(body.slice(body.indexOf("\n") + 1));
      const res = await responseOf(req);
      assert.equal(res.statusCode, 200);
      assert.deepEqual(JSON.parse(await textOf(res)), expected);
    });

    it("a malformed line is INVALID_ARGUMENT naming the message, and cancels the backend", { timeout: 10_000 }, async () => {
      const req = openNdjsonRequest(`${http.url}/v1/chat:summarize`);
      const received = once(backend.events, "request");
      const cancelled = once(backend.events, "cancelled") as Promise<[CancelledEvent]>;
      req.write('{"prompt":"hi there"}\n');
      await received;
      req.write('{"prompt": hi again}\n');
      const res = await responseOf(req);
      assert.equal(res.statusCode, 400);
      const status = JSON.parse(await textOf(res)) as { code: number; message: string };
      assert.equal(status.code, Code.INVALID_ARGUMENT);
      assert.match(status.message, /^invalid request message #2: /);
      const [event] = await cancelled;
      assert.deepEqual([event.method, event.requests], ["Summarize", 1]);
      req.destroy();
    });
  });

  describe("Converse (bidirectional streaming over HTTP/1.1)", () => {
    it("answers each NDJSON line while the request body is still open", { timeout: 10_000 }, async () => {
      const first = chatRequest({ prompt: "hi" });
      const second = chatRequest({ prompt: "bye now" });
      const req = openNdjsonRequest(`${http.url}/v1/chat:converse`);
      req.write(`${JSON.stringify({ prompt: first.prompt })}\n`);
      const res = await responseOf(req);
      assert.equal(res.statusCode, 200);
      const lines = linesOf(res);

      // The first answer comes back in full before the second prompt is even written.
      assert.equal(await answerFrom(lines), `${answer(first).tokens.join("")}\n`);
      req.write(`${JSON.stringify({ prompt: second.prompt })}\n`);
      // The backend keeps the conversation: the second answer knows of two earlier messages.
      const secondAnswer = await answerFrom(lines);
      assert.equal(secondAnswer, `${answer(second, 2).tokens.join("")}\n`);
      assert.match(secondAnswer, /^After 2 earlier messages, you said “bye now”\./);
      req.end();
      assert.equal((await lines.next()).done, true, "the stream ends when the request body does");
    });

    it("a malformed line mid-conversation ends the stream with INVALID_ARGUMENT naming it", { timeout: 10_000 }, async () => {
      const req = openNdjsonRequest(`${http.url}/v1/chat:converse`);
      const cancelled = once(backend.events, "cancelled") as Promise<[CancelledEvent]>;
      req.write('{"prompt":"hi"}\n');
      const res = await responseOf(req);
      const lines = linesOf(res);
      await answerFrom(lines);
      req.write('{"prompt":"again","maxLength":"lots"}\n');
      const rest: unknown[] = [];
      for (let line = await lines.next(); line.done !== true; line = await lines.next()) rest.push(JSON.parse(line.value));
      assert.equal(rest.length, 1, JSON.stringify(rest));
      const { error } = rest[0] as { error: { code: number; message: string } };
      assert.equal(error.code, Code.INVALID_ARGUMENT);
      assert.match(error.message, /^invalid request message #2: .*max_length/);
      const [event] = await cancelled;
      assert.deepEqual([event.method, event.requests], ["Converse", 1]);
      req.destroy();
    });
  });

  describe("the chat page's files and the rest of the app", () => {
    it(`serves the page at ${chatPagePath}, with its script and styles`, async () => {
      const page = await fetch(`${http.url}${chatPagePath}`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
      const html = await page.text();
      assert.match(html, /<label for="prompt">Prompt<\/label>/);
      for (const file of ["chat.js", "chat.css"]) {
        const res = await fetch(`${http.url}${chatPagePath}${file}`);
        assert.equal(res.status, 200, file);
      }
    });

    it("serves the generated ChatHub client bundled for the browser, as client.js", async () => {
      const res = await fetch(`${http.url}${chatPagePath}client.js`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^text\/javascript/);
      const code = await res.text();
      // An ES module exporting what chat.js imports, with no import left for the browser to resolve.
      assert.match(code, /export\s*\{[^}]*\bcreateChatHubClient\b/);
      assert.match(code, /export\s*\{[^}]*\bGatewayClientError\b/);
      assert.doesNotMatch(code, /\bimport\s*[{"'*]/);
    });

    it("redirects /chat to /chat/ so the page's relative links resolve", async () => {
      const res = await fetch(`${http.url}/chat`, { redirect: "manual" });
      assert.equal(res.status, 301);
      assert.equal(res.headers.get("location"), "/chat/");
    });

    it("GET /ping answers pong", async () => {
      assert.equal(await (await fetch(`${http.url}/ping`)).text(), "pong");
    });
  });
});

describe("examples: npm start serves ChatHub beside the others", () => {
  let running: RunningExamples;
  before(async () => {
    running = await startExamples({ http: 0, greeter: 0, tags: 0, chathub: 0 }, { chatTokenDelayMs: 1 });
  });
  after(async () => {
    await running.close();
  });

  it("streams from ChatHub and serves the chat page on the one gateway", async () => {
    const res = await fetch(`${running.url}/v1/chat:stream`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/x-ndjson" },
      body: JSON.stringify({ prompt: "hello there", maxLength: 2 }),
    });
    assert.deepEqual(ndjson(await res.text()), [{ response: "You" }, { response: " said" }]);
    assert.equal((await fetch(`${running.url}${chatPagePath}`)).status, 200);
    assert.equal(await (await fetch(`${running.url}/v1/greeter/world`)).text(), '{"message":"Hello world"}');
  });

  it("prints curl lines for each method kind and the page's URL", () => {
    const commands = tryLines(running).map((line) => line.command);
    const has = (pattern: RegExp) =>
      assert.ok(
        commands.some((c) => pattern.test(c)),
        `no command matches ${pattern}`,
      );
    has(new RegExp(`^curl -X POST ${running.url}/v1/chat -H`));
    has(new RegExp(`^curl -N -X POST ${running.url}/v1/chat:stream .*text/event-stream`));
    has(new RegExp(`\\| curl -X POST ${running.url}/v1/chat:summarize -H 'Content-Type: application/x-ndjson' --data-binary @-$`));
    has(new RegExp(`\\| curl -N -X POST ${running.url}/v1/chat:converse `));
    has(new RegExp(`${running.url}${chatPagePath}$`));
  });
});

/** The JSON values of an NDJSON body, one a line. */
function ndjson(text: string): unknown[] {
  assert.ok(text.endsWith("\n"), "every line ends with a newline");
  return text
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as unknown);
}

/** A chunked POST whose body the test writes line by line. */
function openNdjsonRequest(url: string): ClientRequest {
  const req = httpRequest(url, { method: "POST", headers: { "Content-Type": "application/x-ndjson" } });
  req.on("error", () => {}); // a test that destroys it early is done with it
  req.flushHeaders();
  return req;
}

async function responseOf(req: ClientRequest): Promise<IncomingMessage> {
  const [res] = (await once(req, "response")) as [IncomingMessage];
  return res;
}

async function textOf(res: IncomingMessage): Promise<string> {
  res.setEncoding("utf8");
  let text = "";
  for await (const chunk of res) text += chunk as string;
  return text;
}

/** The response's lines, as they arrive. */
function linesOf(res: IncomingMessage): AsyncIterator<string> {
  return createInterface({ input: res, crlfDelay: Infinity })[Symbol.asyncIterator]();
}

/** Reads Converse replies up to the token that ends an answer (with a newline); returns the answer. */
async function answerFrom(lines: AsyncIterator<string>): Promise<string> {
  let text = "";
  for (;;) {
    const line = await lines.next();
    assert.notEqual(line.done, true, `the stream ended mid-answer, after ${JSON.stringify(text)}`);
    const { result } = JSON.parse(line.value as string) as { result: { response: string } };
    text += result.response;
    if (text.endsWith("\n")) return text;
  }
}
