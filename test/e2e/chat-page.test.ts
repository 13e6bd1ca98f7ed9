// The chat page in a real browser: headless Chromium from the npm package @sparticuz/chromium
// (or $CHROMIUM_PATH; see test/support/browser.ts), driven by playwright-core, against the
// example app and its real ChatHub backend. It checks what a person sees: the reply growing
// token by token before the stream ends, then whole; failures shown plainly; Stop cancelling
// the model. A browser that does not start fails the tests (never skips them).
// CHAT_PAGE_SCREENSHOT=/tmp/chat.png saves a screenshot taken mid-stream.
import assert from "node:assert/strict";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { chatPagePath, createChatHubApp } from "../../examples/chathub/app.js";
import { startChatHubBackend, type CancelledEvent, type RunningChatHub, type TokenEvent } from "../../examples/chathub/backend.js";
import { answer, replyText } from "../../examples/chathub/model.js";
import { serveHttp, type RunningHttpServer } from "../../examples/support/http-app.js";
import { launchChromium, type LaunchedChromium } from "../support/browser.js";

/** Slow enough for several states of the reply to be seen between polls. */
const tokenDelayMs = 40;

const prompt = "tell me about streams";
const tokens = answer({ prompt, history: [], maxLength: 0, topP: 0, temperature: 0 }).tokens;
const fullReply = tokens.join("");

describe("examples: the chat page in headless Chromium", { timeout: 60_000 }, () => {
  let backend: RunningChatHub;
  let http: RunningHttpServer;
  let chrome: LaunchedChromium;
  let browser: Browser;
  before(async () => {
    backend = await startChatHubBackend({ tokenDelayMs });
    http = await serveHttp(createChatHubApp(backend.address), 0);
    // Throws, saying what to do, when no browser starts: every test here then fails.
    chrome = await launchChromium();
    browser = chrome.browser;
  });
  after(async () => {
    await chrome?.close();
    await http?.close();
    await backend?.close();
  });

  /** Opens the page and fails the test on any script error in it. */
  async function openPage(run: (page: Page) => Promise<void>): Promise<void> {
    const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(err.message));
    try {
      await page.goto(`${http.url}${chatPagePath}`);
      await run(page);
      assert.deepEqual(errors, [], "script errors on the page");
    } finally {
      await page.close();
    }
  }

  async function send(page: Page, text: string, format: "sse" | "ndjson" = "sse"): Promise<void> {
    await page.getByLabel("Stream format").selectOption(format);
    await page.getByLabel("Prompt").fill(text);
    await page.getByRole("button", { name: "Send" }).click();
  }

  /**
   * Polls the last reply until its turn is over, returning a text seen while the backend
   * still had tokens to produce: part of the reply, visible before the stream ended.
   */
  async function watchReply(page: Page, produced: () => number): Promise<string | undefined> {
    const turn = page.locator(".turn").last();
    const reply = turn.locator(".reply");
    let partial: string | undefined;
    while ((await turn.getAttribute("data-state")) === "streaming") {
      const text = (await reply.textContent()) ?? "";
      // Counted after the text was read: the text was on screen before this many tokens left the backend.
      if (partial === undefined && text !== "" && produced() < tokens.length && (await reply.isVisible())) {
        partial = text;
        const path = process.env["CHAT_PAGE_SCREENSHOT"];
        if (path !== undefined && path !== "") await page.screenshot({ path });
      }
      await sleep(5);
    }
    return partial;
  }

  for (const format of ["sse", "ndjson"] as const) {
    it(`shows the reply token by token, then whole (${format === "sse" ? "Server-Sent Events" : "NDJSON"})`, async () => {
      await openPage(async (page) => {
        const produced: TokenEvent[] = [];
        const onToken = (event: TokenEvent) => void produced.push(event);
        backend.events.on("token", onToken);
        try {
          await send(page, prompt, format);
          const partial = await watchReply(page, () => produced.length);
          assert.ok(partial !== undefined, "no part of the reply was seen before the stream ended");
          assert.ok(fullReply.startsWith(partial) && partial.length < fullReply.length, `seen mid-stream: ${JSON.stringify(partial)}`);
        } finally {
          backend.events.off("token", onToken);
        }
        const turn = page.locator(".turn").last();
        assert.equal(await turn.getAttribute("data-state"), "done");
        assert.equal(await turn.locator(".reply").textContent(), fullReply);
        assert.equal(await turn.locator(".model").getAttribute("aria-busy"), "false");
        assert.match((await page.getByRole("status").textContent()) ?? "", new RegExp(`^Reply complete: ${tokens.length} tokens in \\d+\\.\\d s\\.$`));

        // Enter sends too, and the conversation so far goes along as history.
        await page.getByLabel("Prompt").fill("and then?");
        await page.getByLabel("Prompt").press("Enter");
        const second = page.locator(".turn").nth(1);
        await page.locator('.turn[data-state="done"]').nth(1).waitFor();
        assert.equal(await second.locator(".reply").textContent(), replyText("and then?", 2));
      });
    });
  }

  it("shows a failure mid-stream after the part of the reply that came", async () => {
    await openPage(async (page) => {
      const failing = answer({ prompt: "please fail now", history: [], maxLength: 0, topP: 0, temperature: 0 });
      await send(page, "please fail now", "ndjson");
      const turn = page.locator('.turn[data-state="error"]');
      await turn.waitFor();
      assert.equal(await turn.locator(".reply").textContent(), failing.tokens.slice(0, failing.failAfter).join(""));
      assert.equal(
        await page.getByRole("alert").textContent(),
        `The stream failed (UNAVAILABLE): the model broke down after ${failing.failAfter} tokens (the prompt said "fail")`,
      );
      assert.equal(await page.getByLabel("Prompt").inputValue(), "please fail now", "the prompt is kept to send again");
    });
  });

  it("shows an HTTP error's message when the call fails before the first token", async () => {
    await openPage(async (page) => {
      await send(page, "   ");
      await page.locator('.turn[data-state="error"]').waitFor();
      assert.equal(await page.getByRole("alert").textContent(), "HTTP 400 (INVALID_ARGUMENT): prompt must not be empty");
    });
  });

  it("Stop aborts the fetch, and the gateway cancels the backend's stream", async () => {
    await openPage(async (page) => {
      const cancelled = once(backend.events, "cancelled") as Promise<[CancelledEvent]>;
      await send(page, prompt);
      const reply = page.locator(".turn").last().locator(".reply");
      while (((await reply.textContent()) ?? "") === "") await sleep(5);
      await page.getByRole("button", { name: "Stop" }).click();
      const [event] = await cancelled;
      assert.equal(event.method, "StreamingChat");
      assert.ok(event.tokens < tokens.length, `cancelled after ${event.tokens} of ${tokens.length} tokens`);
      await page.locator('.turn[data-state="stopped"]').waitFor();
      assert.match((await page.locator(".turn .note").textContent()) ?? "", /^Stopped after \d+ tokens?\.$/);
    });
  });
});
