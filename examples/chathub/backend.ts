// The ChatHub gRPC backend: a plain grpc-js server built on ts-proto's generated code,
// simulating a language model (model.ts) that produces its answer one token at a time,
// `tokenDelayMs` apart. It reports what it does as events, so tests can tell when each
// token left and whether the gateway cancelled a call.
// Run it alone with `tsx examples/chathub/backend.ts` (CHATHUB_PORT, default 50053;
// CHATHUB_TOKEN_DELAY_MS, default 60).
import { EventEmitter, once } from "node:events";
import { performance } from "node:perf_hooks";
import { addAbortSignal } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import * as grpc from "@grpc/grpc-js";
import { ChatHubService, type ChatHubServer, type ChatReply, type ChatRequest } from "../backend-gen/aihub/chathub.js";
import { isMain, portFromEnv, startGrpcServer, stopOnSignal, type RunningServer } from "../support/grpc-server.js";
import { answer, ModelError, summarize, type Answer } from "./model.js";

/** ChatHub's methods, as events name them. */
export type ChatMethod = "Chat" | "StreamingChat" | "Summarize" | "Converse";

/** A token the model produced (for the streaming methods: wrote to the call). */
export interface TokenEvent {
  readonly method: ChatMethod;
  /** Which answer of the call: always 0 except in Converse. */
  readonly turn: number;
  /** The token's place in its answer, from 0. */
  readonly index: number;
  /** How many tokens the answer has in all (the last one has index `total - 1`). */
  readonly total: number;
  readonly text: string;
  /** `performance.now()` when it was produced. */
  readonly at: number;
}

/** A request message read from a client-streaming or bidirectional call. */
export interface RequestEvent {
  readonly method: ChatMethod;
  /** The message's place in the call, from 0. */
  readonly index: number;
  readonly prompt: string;
  readonly at: number;
}

/** A call that ended early because its client cancelled it or its deadline passed. */
export interface CancelledEvent {
  readonly method: ChatMethod;
  readonly reason: "cancelled" | "deadline";
  /** Tokens produced before it ended. */
  readonly tokens: number;
  /** Request messages read before it ended. */
  readonly requests: number;
  readonly at: number;
}

/** What the backend reports, by event name. */
export interface ChatHubEvents {
  token: [TokenEvent];
  request: [RequestEvent];
  cancelled: [CancelledEvent];
}

/** How to start the backend. */
export interface ChatHubBackendOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** The time the model takes per token, in milliseconds. */
  readonly tokenDelayMs?: number;
}

/** A running ChatHub backend, with its events. */
export interface RunningChatHub extends RunningServer {
  readonly events: EventEmitter<ChatHubEvents>;
  readonly tokenDelayMs: number;
}

/** Slow enough to watch the reply grow, fast enough not to bore. */
export const defaultTokenDelayMs = 60;

/** The token delay from CHATHUB_TOKEN_DELAY_MS (milliseconds), else {@link defaultTokenDelayMs}. */
export function tokenDelayFromEnv(): number {
  const value = process.env["CHATHUB_TOKEN_DELAY_MS"];
  if (value === undefined || value === "") return defaultTokenDelayMs;
  const ms = Number(value);
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`CHATHUB_TOKEN_DELAY_MS=${value} is not a number of milliseconds`);
  return ms;
}

/** aihub.ChatHub over the simulated model, reporting on `events`. */
export function createChatHubServer(events: EventEmitter<ChatHubEvents>, tokenDelayMs: number): ChatHubServer {
  // Produces the answer's tokens one delay apart, handing each to `send`; throws the
  // model's failure where it breaks down, and an AbortError once the call is gone.
  async function produce(method: ChatMethod, call: TrackedCall, turn: number, reply: Answer, send: (token: string) => Promise<void>): Promise<void> {
    for (const [index, text] of reply.tokens.entries()) {
      await sleep(tokenDelayMs, undefined, { signal: call.signal });
      if (index === reply.failAfter) throw reply.failure;
      await send(text);
      call.tokens++;
      events.emit("token", { method, turn, index, total: reply.tokens.length, text, at: performance.now() });
    }
  }

  return {
    chat(call, callback) {
      const tracked = track(call, "Chat", events);
      run(
        tracked,
        async () => {
          const tokens: string[] = [];
          await produce("Chat", tracked, 0, answer(call.request), async (token) => void tokens.push(token));
          callback(null, { response: tokens.join("") });
        },
        callback,
      );
    },

    streamingChat(call) {
      const tracked = track(call, "StreamingChat", events);
      run(
        tracked,
        async () => {
          await produce("StreamingChat", tracked, 0, answer(call.request), (token) => write(call, { response: token }, tracked.signal));
          call.end();
        },
        (status) => call.emit("error", status),
      );
    },

    summarize(call, callback) {
      const tracked = track(call, "Summarize", events);
      run(
        tracked,
        async () => {
          const prompts: string[] = [];
          for await (const request of requestsOf(call, tracked.signal)) {
            events.emit("request", { method: "Summarize", index: tracked.requests++, prompt: request.prompt, at: performance.now() });
            prompts.push(request.prompt);
          }
          const summary = summarize(prompts);
          // Reading the conversation is quick; writing the summary takes the model a token's time.
          await sleep(tokenDelayMs, undefined, { signal: tracked.signal });
          callback(null, { response: summary });
        },
        callback,
      );
    },

    converse(call) {
      const tracked = track(call, "Converse", events);
      run(
        tracked,
        async () => {
          // The conversation so far lives here, so clients send only the new prompt.
          const conversation: string[] = [];
          // One prompt at a time: while an answer streams, the next prompt waits in the
          // transport, which pushes back on a client that sends faster than the model talks.
          for await (const request of requestsOf(call, tracked.signal)) {
            const turn = tracked.requests++;
            events.emit("request", { method: "Converse", index: turn, prompt: request.prompt, at: performance.now() });
            const reply = endWithNewline(answer(request, conversation.length));
            await produce("Converse", tracked, turn, reply, (token) => write(call, { response: token }, tracked.signal));
            conversation.push(request.prompt, reply.tokens.join(""));
          }
          call.end();
        },
        (status) => call.emit("error", status),
      );
    },
  };
}

/** Adds aihub.ChatHub to a grpc-js server. */
export function addChatHubService(server: grpc.Server, events: EventEmitter<ChatHubEvents>, tokenDelayMs: number): void {
  server.addService(ChatHubService, createChatHubServer(events, tokenDelayMs));
}

/** Starts the ChatHub backend, with server reflection, on 127.0.0.1. */
export async function startChatHubBackend(options: ChatHubBackendOptions = {}): Promise<RunningChatHub> {
  const events = new EventEmitter<ChatHubEvents>();
  const tokenDelayMs = options.tokenDelayMs ?? defaultTokenDelayMs;
  const server = await startGrpcServer("aihub/chathub.proto", (s) => addChatHubService(s, events, tokenDelayMs), options.port ?? 0);
  return { ...server, events, tokenDelayMs };
}

/** A call being served: aborted when it ends early, and how far it got. */
interface TrackedCall {
  readonly signal: AbortSignal;
  tokens: number;
  requests: number;
  /** Says the handler is done with the call: its deadline no longer matters. */
  done(): void;
}

/** What every kind of grpc-js server call has (grpc-js does not export its name for it). */
type AnyCall = Pick<grpc.ServerUnaryCall<ChatRequest, ChatReply>, "getDeadline"> & NodeJS.EventEmitter;

// grpc-js says 'cancelled' when the client goes away, sometimes only just after it has
// ended the request stream as if the client had finished (requestsOf waits for that), and
// also after every call the handler ended itself, which is no disconnect: a cancellation
// counts while the handler still works.
// grpc-js's own deadline only ends the call on the wire, so a timer of ours stops the model then.
function track(call: AnyCall, method: ChatMethod, events: EventEmitter<ChatHubEvents>): TrackedCall {
  const abort = new AbortController();
  let finished = false;
  const stop = (reason: CancelledEvent["reason"]) => {
    clearTimeout(timer);
    if (abort.signal.aborted || finished) return;
    abort.abort();
    events.emit("cancelled", { method, reason, tokens: tracked.tokens, requests: tracked.requests, at: performance.now() });
  };
  const deadline = call.getDeadline();
  const deadlineAt = deadline instanceof Date ? deadline.getTime() : deadline;
  const msLeft = deadlineAt - Date.now();
  const timer = Number.isFinite(msLeft) ? setTimeout(() => stop("deadline"), Math.max(0, msLeft)) : undefined;
  call.once("cancelled", () => stop("cancelled"));
  const done = () => {
    // A handler that stops at or past its deadline (a write on the call grpc-js just ended fails) was cut short by it.
    if (Date.now() >= deadlineAt) stop("deadline");
    finished = true;
    clearTimeout(timer);
  };
  const tracked: TrackedCall = { signal: abort.signal, tokens: 0, requests: 0, done };
  return tracked;
}

function run(tracked: TrackedCall, work: () => Promise<void>, fail: (status: Partial<grpc.StatusObject>) => void): void {
  work()
    .catch((err: unknown) => {
      if (tracked.signal.aborted) return; // the call is over; there is nobody left to tell
      fail(err instanceof ModelError ? { code: err.code, details: err.details } : { code: grpc.status.INTERNAL, details: String(err) });
    })
    .finally(() => tracked.done());
}

// The request messages as they arrive, ending early (with an AbortError) when the call
// does. Not a bare `for await` over the call: that destroys the stream once the requests
// end, and with it the reply side, so the call never sends its status. A cancelled call's
// requests may end a few ticks before grpc-js says 'cancelled': the end counts once those
// ticks have passed with the call still on.
async function* requestsOf(
  call: grpc.ServerReadableStream<ChatRequest, ChatReply> | grpc.ServerDuplexStream<ChatRequest, ChatReply>,
  signal: AbortSignal,
): AsyncIterable<ChatRequest> {
  yield* addAbortSignal(signal, call).iterator({ destroyOnReturn: false }) as AsyncIterableIterator<ChatRequest>;
  await new Promise((resolve) => setImmediate(resolve));
  signal.throwIfAborted();
}

// Writes with the transport's back-pressure, as a well-behaved server does.
async function write(
  call: grpc.ServerWritableStream<ChatRequest, ChatReply> | grpc.ServerDuplexStream<ChatRequest, ChatReply>,
  reply: ChatReply,
  signal: AbortSignal,
): Promise<void> {
  if (!call.write(reply)) await once(call, "drain", { signal });
}

// Converse answers several prompts on one stream; a newline ends each answer.
function endWithNewline(reply: Answer): Answer {
  const last = reply.tokens.length - 1;
  return { ...reply, tokens: reply.tokens.map((token, i) => (i === last ? `${token}\n` : token)) };
}

if (isMain(import.meta.url)) {
  const backend = await startChatHubBackend({
    port: portFromEnv("CHATHUB_PORT", 50053),
    tokenDelayMs: tokenDelayFromEnv(),
  });
  backend.events.on("cancelled", (e) => console.log(`${e.method}: ${e.reason} after ${e.tokens} tokens and ${e.requests} request messages`));
  console.log(`aihub.ChatHub listening on ${backend.address}, ${backend.tokenDelayMs} ms per token`);
  console.log(`  grpcurl -plaintext -d '{"prompt":"hello there"}' ${backend.address} aihub.ChatHub/StreamingChat`);
  stopOnSignal(() => backend.close());
}
