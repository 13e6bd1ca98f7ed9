// The docs page in a real browser (headless Chromium, see test/support/browser.ts): the
// examples' gateway serves its merged OpenAPI document at /openapi.json and Swagger UI at
// /docs/, from npm alone. The operations looked for come from the generated document, itself
// checked against the route tables the gateway serves; "Try it out" must reach this gateway
// and show its answer. A browser that does not start fails the tests (never skips them).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { HttpRoute } from "grpc-gateway-express/runtime";
import type { Browser, Page } from "playwright-core";
import { docsPagePath, openApiFile, openApiPath } from "../../examples/docs/docs-page.js";
import { ChatHubRoutes } from "../../examples/gen/aihub/chathub_gateway.js";
import { GreeterRoutes } from "../../examples/gen/greeter/v1/greeter_gateway.js";
import { TagServiceRoutes } from "../../examples/gen/tag/v1/tag_gateway.js";
import { startExamples, type RunningExamples } from "../../examples/start.js";
import { launchChromium, type LaunchedChromium } from "../support/browser.js";

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly operationId: string;
  readonly tag: string;
  readonly summary: string;
  readonly grpcMethod: string;
}

const httpMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** Every operation of an OpenAPI document, as Swagger UI lists them. */
function operationsOf(document: { paths: Record<string, Record<string, Record<string, unknown>>> }): Operation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => httpMethods.includes(method))
      .map(([method, op]) => ({
        method,
        path,
        operationId: op["operationId"] as string,
        tag: (op["tags"] as string[])[0] as string,
        summary: op["summary"] as string,
        grpcMethod: op["x-grpc-method"] as string,
      })),
  );
}

const document = JSON.parse(readFileSync(openApiFile, "utf8"));
const operations = operationsOf(document);

describe("examples: the docs page (Swagger UI) in headless Chromium", { timeout: 60_000 }, () => {
  let running: RunningExamples;
  let chrome: LaunchedChromium;
  let browser: Browser;
  before(async () => {
    running = await startExamples({ http: 0, greeter: 0, tags: 0, chathub: 0 }, { chatTokenDelayMs: 1 });
    chrome = await launchChromium();
    browser = chrome.browser;
  });
  after(async () => {
    await chrome?.close();
    await running?.close();
  });

  /** Opens the docs page; fails on a script error or a request to any origin but the gateway's. */
  async function openDocs(run: (page: Page) => Promise<void>): Promise<void> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    const elsewhere: string[] = [];
    page.on("pageerror", (err) => errors.push(err.message));
    page.on("request", (request) => {
      const url = request.url();
      if (!url.startsWith(`${running.url}/`) && !url.startsWith("data:")) elsewhere.push(url);
    });
    try {
      const response = await page.goto(`${running.url}${docsPagePath}`);
      assert.equal(response?.status(), 200);
      // Swagger UI has loaded the document once its title is shown.
      await page.locator(".swagger-ui .info .title").waitFor({ timeout: 20_000 });
      await run(page);
      assert.deepEqual(errors, [], "script errors on the page");
      assert.deepEqual(elsewhere, [], "requests that left the gateway's origin");
    } finally {
      await page.close();
    }
  }

  it("serves the generated document, one operation for each route of Greeter, TagService and ChatHub", async () => {
    const response = await fetch(`${running.url}${openApiPath}`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
    assert.deepEqual(await response.json(), document);
    const routes: readonly HttpRoute[] = [...GreeterRoutes, ...TagServiceRoutes, ...ChatHubRoutes];
    assert.equal(operations.length, routes.length);
    for (const route of routes) {
      const grpcMethod = `/${route.method.parent.typeName}/${route.method.name}`;
      const op = operations.find((o) => o.grpcMethod === grpcMethod && o.method === route.httpMethod.toLowerCase() && o.path === route.path);
      assert.ok(op !== undefined, `no operation for ${route.httpMethod} ${route.path} (${grpcMethod})`);
      assert.equal(op.tag, route.method.parent.name);
    }
    assert.deepEqual([...new Set(operations.map((o) => o.tag))].sort(), ["ChatHub", "Greeter", "TagService"]);
  });

  it("lists every operation with its method, path and summary", async () => {
    await openDocs(async (page) => {
      assert.equal(await page.locator(".opblock").count(), operations.length);
      for (const op of operations) {
        // Swagger UI's id for an operation: operations-<tag>-<operationId>.
        const block = page.locator(`[id="operations-${op.tag}-${op.operationId}"]`);
        assert.equal(await block.count(), 1, `${op.method.toUpperCase()} ${op.path} is not on the page`);
        assert.equal((await block.locator(".opblock-summary-method").textContent())?.toLowerCase(), op.method);
        assert.equal(await block.locator(".opblock-summary-path").getAttribute("data-path"), op.path);
        assert.equal(await block.locator(".opblock-summary-description").textContent(), op.summary);
      }
    });
  });

  it("sends a Try it out request to the gateway and shows its answer", async () => {
    const sayHello = operations.find((o) => o.method === "get" && o.grpcMethod === "/greeter.v1.Greeter/SayHello");
    assert.ok(sayHello !== undefined);
    await openDocs(async (page) => {
      const block = page.locator(`[id="operations-${sayHello.tag}-${sayHello.operationId}"]`);
      await block.locator(".opblock-summary-control").click();
      await block.getByRole("button", { name: "Try it out" }).click();
      await block.locator('tr[data-param-name="name"] input').fill("docs reader");
      await block.getByRole("button", { name: "Execute" }).click();
      const live = block.locator(".live-responses-table");
      await live.waitFor();
      assert.equal(await block.locator(".request-url pre").textContent(), `${running.url}/v1/greeter/docs%20reader`);
      const answer = live.locator("tr.response");
      assert.equal((await answer.locator(".response-col_status").textContent())?.trim(), "200");
      // The first block is the response body, as Swagger UI received it from the gateway.
      const body = (await answer.locator(".response-col_description pre").first().textContent()) ?? "";
      assert.deepEqual(JSON.parse(body), { message: "Hello docs reader" });
    });
  });
});
