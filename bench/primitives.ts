/**
 * What the platform's string primitives cost over every string of the 64 KB order, one
 * primitive at a time: the floor under the codecs' per-string work (the duplicate-key
 * tally, the encoder's two passes, the JSON writer's escaping), and the alternatives to it.
 * `npm run bench:primitives` (CPU µs per order, median of 5 batches).
 */
import { colonCount } from "../runtime/marshal/json/key-tally.js";
import { orderBody } from "./payloads.js";
import { median } from "./support/stats.js";

const text = orderBody(64 * 1024);
const strings: string[] = [];
(function collect(value: unknown): void {
  if (typeof value === "string") strings.push(value);
  else if (Array.isArray(value)) for (const item of value) collect(item);
  else if (value !== null && typeof value === "object") for (const item of Object.values(value)) collect(item);
})(JSON.parse(text));

let sink = 0;

function cpuMicros(fn: () => number, n: number): number {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) sink += fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

function time(name: string, fn: () => number): void {
  cpuMicros(fn, 300);
  const batches = Array.from({ length: 5 }, () => cpuMicros(fn, 1000));
  console.log(`${median(batches).toFixed(1).padStart(8)} µs  ${name}`);
}

// The runtime's own loops, private to their modules: utf8Length's ASCII test
// (binary/scalars.ts) and quote()'s escape test (json/value-text.ts).
const ascii = (s: string): number => {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return -1;
  return s.length;
};
const escaped = /["\\\u0000-\u001f\ud800-\udfff]/;
const buffer = Buffer.alloc(4 * text.length);

console.log(`${strings.length} strings, ${strings.reduce((n, s) => n + s.length, 0)} characters, in a ${text.length}-byte order\n`);
time("JSON.parse of the order", () => (JSON.parse(text) as unknown[]).length);
time('indexOf(":") per string (the reader\'s duplicate-key tally)', () => strings.reduce((n, s) => n + colonCount(s), 0));
time('indexOf(":") over the whole text (the same check\'s other side)', () => colonCount(text));
time("the ASCII test, a charCodeAt loop (the encoder's size pass)", () => strings.reduce((n, s) => n + ascii(s), 0));
time("Buffer.byteLength per string", () => strings.reduce((n, s) => n + Buffer.byteLength(s, "utf8"), 0));
time("the byte-copy loop (the encoder's write pass)", () => {
  let pos = 0;
  for (const s of strings) for (let i = 0; i < s.length; i++) buffer[pos++] = s.charCodeAt(i);
  return pos;
});
time('buffer.write(s, pos, "latin1") per string', () => strings.reduce((pos, s) => pos + buffer.write(s, pos, "latin1"), 0));
time('buffer.write(s, pos, "utf8") per string', () => strings.reduce((pos, s) => pos + buffer.write(s, pos, "utf8"), 0));
time("the escape test per string (the JSON writer's quote)", () => strings.reduce((n, s) => n + (escaped.test(s) ? 1 : 0), 0));
time('"…" concatenated (the JSON writer\'s rope)', () => strings.reduce((out, s) => `${out}"${s}",`, "").length);
time('"…" concatenated, then flattened as a socket write does', () => Buffer.byteLength(strings.reduce((out, s) => `${out}"${s}",`, "")));
time("one JSON.stringify of all the strings as an array", () => JSON.stringify(strings).length);
