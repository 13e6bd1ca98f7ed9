// A deterministic stand-in for a language model: what ChatHub's backend answers, apart
// from how and when it sends it (backend.ts). Being deterministic, tests can name the
// exact tokens a prompt gives, in order.
import { status as Code } from "@grpc/grpc-js";
import type { ChatRequest } from "../backend-gen/aihub/chathub.js";

/** The most tokens the model answers with when a request sets no `max_length`. */
export const modelTokenLimit = 256;

/** A prompt containing this word makes the model fail halfway through its answer. */
export const failWord = "fail";

/** A failure with a gRPC status, as a grpc-js server reports it (`code`, `details`). */
export class ModelError extends Error {
  constructor(
    readonly code: Code,
    readonly details: string,
  ) {
    super(details);
  }
}

/** What the model will say to one prompt: its tokens, and when it breaks down, if it does. */
export interface Answer {
  /** The tokens in order; joined they are the reply text. */
  readonly tokens: readonly string[];
  /** How many tokens go out before the model fails with {@link failure}; absent when it does not fail. */
  readonly failAfter?: number;
  readonly failure?: ModelError;
}

/** Refuses requests a real model API would refuse, before producing anything. */
export function checkRequest(request: ChatRequest): void {
  if (request.prompt.trim() === "") throw new ModelError(Code.INVALID_ARGUMENT, "prompt must not be empty");
  if (request.maxLength < 0) throw new ModelError(Code.INVALID_ARGUMENT, `max_length must not be negative, got ${request.maxLength}`);
  if (!(request.topP >= 0 && request.topP <= 1)) throw new ModelError(Code.INVALID_ARGUMENT, `top_p must be between 0 and 1, got ${request.topP}`);
  if (!(request.temperature >= 0 && request.temperature <= 2)) {
    throw new ModelError(Code.INVALID_ARGUMENT, `temperature must be between 0 and 2, got ${request.temperature}`);
  }
}

/**
 * The answer to `request` (checked with {@link checkRequest} first), at most `max_length`
 * tokens. `earlier` counts messages of the conversation the caller keeps besides the
 * request's own history (Converse does).
 */
export function answer(request: ChatRequest, earlier = 0): Answer {
  checkRequest(request);
  const limit = request.maxLength > 0 ? Math.min(request.maxLength, modelTokenLimit) : modelTokenLimit;
  const tokens = tokenize(replyText(request.prompt, request.history.length + earlier)).slice(0, limit);
  if (!mentionsFailWord(request.prompt)) return { tokens };
  const failAfter = Math.ceil(tokens.length / 2);
  return {
    tokens,
    failAfter,
    failure: new ModelError(Code.UNAVAILABLE, `the model broke down after ${failAfter} tokens (the prompt said "${failWord}")`),
  };
}

/**
 * The reply text: the prompt said back, then backwards, then a remark on its longest
 * word. Deterministic, and long enough to watch arrive token by token.
 */
export function replyText(prompt: string, historyLength: number): string {
  const words = prompt.trim().split(/\s+/);
  const topic = longestWord(words);
  const opening = historyLength > 0 ? `After ${count(historyLength, "earlier message")}, you said` : "You said";
  return `${opening} “${words.join(" ")}”. Backwards, that reads “${[...words].reverse().join(" ")}”. The longest word was ${topic}, so tell me more about ${topic}.`;
}

/** Splits text into tokens the way a model streams them: each word with the space before it. */
export function tokenize(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

/** One summary of a conversation given as its prompts, oldest first. */
export function summarize(prompts: readonly string[]): string {
  if (prompts.length === 0) throw new ModelError(Code.INVALID_ARGUMENT, "nothing to summarize: the conversation has no prompts");
  const empty = prompts.findIndex((prompt) => prompt.trim() === "");
  if (empty !== -1) throw new ModelError(Code.INVALID_ARGUMENT, `prompt #${empty + 1} is empty`);
  const failing = prompts.findIndex(mentionsFailWord);
  if (failing !== -1) {
    throw new ModelError(Code.UNAVAILABLE, `the model broke down reading prompt #${failing + 1} (it said "${failWord}")`);
  }
  const words = prompts.flatMap((prompt) => prompt.trim().split(/\s+/));
  const [top, uses] = mostFrequent(words.map(bareWord).filter((word) => word !== ""));
  const first = prompts[0]!.trim();
  const last = prompts[prompts.length - 1]!.trim();
  const ends = prompts.length === 1 ? ` It said “${first}”.` : ` It opened with “${first}” and ended with “${last}”.`;
  const favourite = uses > 1 ? ` The word used most was ${top} (${count(uses, "time")}).` : "";
  return `A conversation of ${count(prompts.length, "prompt")} and ${count(words.length, "word")}.${ends}${favourite}`;
}

function mentionsFailWord(prompt: string): boolean {
  return prompt.split(/\s+/).some((word) => bareWord(word) === failWord);
}

function bareWord(word: string): string {
  return word.toLowerCase().replace(/[^\p{L}\p{N}'-]/gu, "");
}

function longestWord(words: readonly string[]): string {
  let longest = "";
  for (const word of words) {
    const bare = word.replace(/[^\p{L}\p{N}'-]/gu, "");
    if (bare.length > longest.length) longest = bare;
  }
  return longest === "" ? words[0]! : longest;
}

// Of words used equally often, the one that got there first wins.
function mostFrequent(words: readonly string[]): [string, number] {
  const uses = new Map<string, number>();
  let best: [string, number] = ["", 0];
  for (const word of words) {
    const n = (uses.get(word) ?? 0) + 1;
    uses.set(word, n);
    if (n > best[1]) best = [word, n];
  }
  return best;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
