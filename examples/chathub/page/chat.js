// The chat page: sends a prompt, shows the reply growing token by token, and shows
// failures plainly. The conversation so far goes back to the model as `history`.
// client.js is the generated ChatHub client, bundled for the browser by the example app.
import { createChatHubClient, GatewayClientError } from "./client.js";

const form = document.getElementById("chat-form");
const promptInput = document.getElementById("prompt");
const maxLengthInput = document.getElementById("max-length");
const formatSelect = document.getElementById("format");
const sendButton = document.getElementById("send");
const stopButton = document.getElementById("stop");
const conversation = document.getElementById("conversation");
const status = document.getElementById("status");

/** Earlier prompts and complete replies, oldest first: ChatRequest.history. */
const history = [];
/** Aborts the reply streaming now, if one is. */
let inFlight;

form.addEventListener("submit", (event) => {
  event.preventDefault();
  if (inFlight === undefined) void send(promptInput.value);
});

promptInput.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    form.requestSubmit();
  }
});

stopButton.addEventListener("click", () => inFlight?.abort());

async function send(prompt) {
  const turn = addTurn(prompt);
  const request = { prompt, history: history.map((value) => ({ value })), maxLength: Number(maxLengthInput.value) || 0 };
  // Server-Sent Events or NDJSON, as the page's format selector says.
  const client = createChatHubClient({ baseUrl: location.origin, streamFormat: formatSelect.value });
  inFlight = new AbortController();
  setStreaming(true);
  announce("The model is replying…");
  promptInput.value = "";
  let tokens = 0;
  const started = performance.now();
  try {
    for await (const token of client.streamingChat(request, { signal: inFlight.signal })) {
      tokens++;
      turn.reply.textContent += token.response;
      keepInView(turn.item);
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    finishTurn(turn, "done");
    announce(`Reply complete: ${plural(tokens, "token")} in ${seconds} s.`);
    history.push(prompt, turn.reply.textContent);
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") {
      finishTurn(turn, "stopped", `Stopped after ${plural(tokens, "token")}.`);
      announce("Stopped.");
    } else {
      finishTurn(turn, "error", describe(err));
      announce("The reply failed.");
      promptInput.value ||= prompt; // so it can be sent again
    }
  } finally {
    inFlight = undefined;
    setStreaming(false);
    promptInput.focus();
  }
}

function addTurn(prompt) {
  const item = document.createElement("li");
  item.className = "turn";
  item.dataset.state = "streaming";
  const you = document.createElement("p");
  you.className = "message you";
  you.append(speaker("You"), text(prompt));
  const model = document.createElement("div");
  model.className = "message model";
  // Busy while it streams, so screen readers read the whole reply once, not every token.
  model.setAttribute("aria-busy", "true");
  const reply = document.createElement("p");
  reply.className = "reply";
  model.append(speaker("Model"), reply);
  item.append(you, model);
  conversation.append(item);
  keepInView(item);
  return { item, model, reply };
}

function finishTurn(turn, state, note) {
  turn.item.dataset.state = state;
  turn.model.setAttribute("aria-busy", "false");
  if (note === undefined) return;
  const p = document.createElement("p");
  p.className = state === "error" ? "note error" : "note";
  if (state === "error") p.setAttribute("role", "alert");
  p.textContent = note;
  turn.model.append(p);
  keepInView(turn.item);
}

function describe(err) {
  if (err instanceof GatewayClientError) {
    // A stream that failed after it started came with a 2xx status; anything else is an HTTP error.
    const where = err.httpStatus >= 200 && err.httpStatus < 300 ? "The stream failed" : `HTTP ${err.httpStatus}`;
    return `${where} (${err.codeName}): ${err.message}`;
  }
  // fetch rejects with a TypeError when the connection fails or drops.
  return `Could not reach the gateway: ${err instanceof Error ? err.message : String(err)}`;
}

function setStreaming(streaming) {
  sendButton.disabled = streaming;
  stopButton.disabled = !streaming;
  form.setAttribute("aria-busy", String(streaming));
}

function announce(message) {
  status.textContent = message;
}

function keepInView(element) {
  element.scrollIntoView({ block: "end" });
}

function speaker(name) {
  const span = document.createElement("span");
  span.className = "speaker";
  span.textContent = name;
  return span;
}

function text(value) {
  const span = document.createElement("span");
  span.className = "text";
  span.textContent = value;
  return span;
}

function plural(n, noun) {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
