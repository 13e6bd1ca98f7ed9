// A consumer nobody here wrote: openapi-typescript turns the examples' generated OpenAPI
// documents into types, openapi-fetch builds a client from them, tsc checks the client code
// against those types, and the client calls the running example gateway.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import openapiTS, { astToString } from "openapi-typescript";
import { startExamples, type RunningExamples } from "../../examples/start.js";
import { loadDocument } from "../openapi/documents.js";

const root = new URL("../..", import.meta.url).pathname;

// Written against the generated types: a wrong path, parameter or field name fails tsc.
const clientSource = `import createClient from "openapi-fetch";
import type { paths as ChatPaths } from "./chathub.js";
import type { paths as GreeterPaths } from "./greeter.js";
import type { paths as TagPaths } from "./tag.js";

export async function callExamples(baseUrl: string) {
  const greeter = createClient<GreeterPaths>({ baseUrl });
  const hello = await greeter.GET("/v1/greeter/{name}", { params: { path: { name: "world" } } });
  const posted = await greeter.POST("/v1/greeter", { body: { name: "openapi" } });
  const tags = createClient<TagPaths>({ baseUrl });
  const page = await tags.GET("/api/v1/tags", { params: { query: { name: "go", state: 1, pageSize: "2" } } });
  const refused = await tags.GET("/api/v1/tags", { params: { query: { pageSize: "101" } } });
  const chat = createClient<ChatPaths>({ baseUrl });
  const answer = await chat.POST("/v1/chat", { body: { prompt: "hello there", maxLength: 4 } });
  const names: string[] = (page.data?.list ?? []).map((tag) => tag.name ?? "");
  const pageSize: string | undefined = page.data?.pager?.pageSize;
  const message: string | undefined = hello.data?.message;
  const code: number | undefined = refused.error?.code;
  return { message, posted: posted.data?.message, names, pageSize, code, status: refused.response.status, answer: answer.data?.response };
}
`;

describe("a third-party client generated from the examples' OpenAPI documents", () => {
  let running: RunningExamples;
  let scratch: string;
  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), "openapi-consumer-"));
    // The client's imports (openapi-fetch) resolve from this repository's node_modules.
    symlinkSync(join(root, "node_modules"), join(scratch, "node_modules"), "dir");
    for (const [name, path] of [
      ["greeter", "examples/gen/greeter/v1/greeter.openapi.json"],
      ["tag", "examples/gen/tag/v1/tag.openapi.json"],
      ["chathub", "examples/gen/aihub/chathub.openapi.json"],
    ] as const) {
      const ast = await openapiTS(loadDocument(path) as never);
      writeFileSync(join(scratch, `${name}.ts`), astToString(ast));
    }
    writeFileSync(join(scratch, "client.ts"), clientSource);
    writeFileSync(join(scratch, "package.json"), JSON.stringify({ type: "module" }));
    running = await startExamples({ http: 0, greeter: 0, tags: 0, chathub: 0 }, { chatTokenDelayMs: 1 });
  });
  after(async () => {
    await running?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("type-checks with tsc --strict", () => {
    const tsc = join(root, "node_modules/.bin/tsc");
    const args = ["--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--skipLibCheck", "client.ts"];
    try {
      execFileSync(tsc, args, { cwd: scratch, stdio: "pipe" });
    } catch (error) {
      assert.fail(String((error as { stdout?: Buffer }).stdout ?? error));
    }
  });

  it("calls the running gateway and reads its answers and errors", async () => {
    const { callExamples } = (await import(join(scratch, "client.ts"))) as { callExamples: (url: string) => Promise<Record<string, unknown>> };
    assert.deepEqual(await callExamples(running.url), {
      message: "Hello world",
      posted: "Hello openapi",
      names: ["Go", "Django"],
      pageSize: "2",
      code: 3,
      status: 400,
      answer: "You said “hello there”.",
    });
  });
});
