/**
 * Strict JSON (RFC 8259) read off the bytes of a UTF-8 body, one token at a time, for the
 * transcoder: where the text is not exactly JSON, it refuses ({@link refuse}) and leaves
 * the body to the marshaler's parser, which gives the error.
 */

/** Thrown for anything the transcoder does not vouch for; one error, no stack each time. */
export const notVouched = new Error("not transcoded");
export function refuse(): never {
  throw notVouched;
}

export const QUOTE = 0x22;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** Where the reading is in a body, and what the last string token held. */
export class JsonBytes {
  pos = 0;
  /** Whether the last string read had an escape in it (its bytes are then not its text). */
  escaped = false;

  constructor(readonly body: Buffer) {}

  /** Skips JSON's four blanks; returns the byte after them (undefined, typed as a number, past the end). */
  blank(): number {
    const body = this.body;
    let pos = this.pos;
    let c = body[pos]!;
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = body[++pos]!;
    this.pos = pos;
    return c;
  }

  /** Takes `byte` after blanks, or refuses. */
  expect(byte: number): void {
    if (this.blank() !== byte) refuse();
    this.pos++;
  }

  /**
   * At an opening quote: moves past the string and returns where its bytes end (at the closing
   * quote), its start being the opening quote's position + 1. Control characters refuse;
   * escapes are only stepped over here (see {@link escaped}), and checked by whoever decodes them.
   */
  string(): number {
    const body = this.body;
    if (body[this.pos] !== QUOTE) refuse();
    let pos = this.pos + 1;
    let escaped = false;
    for (;;) {
      const c = body[pos]!;
      // Most bytes: one test. (Past the end, c is undefined and fails every test.)
      if (c > BACKSLASH || (c > QUOTE && c < BACKSLASH)) {
        pos++;
        continue;
      }
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        escaped = true;
        pos += 2;
      } else if (c === 0x20 || c === 0x21) pos++;
      else refuse();
    }
    this.escaped = escaped;
    this.pos = pos + 1;
    return pos;
  }

  /**
   * At an opening quote: whether the key ahead is `name` (bytes without quote, backslash or
   * control characters), moving past it if so; a key with escapes never is.
   */
  key(name: Buffer): boolean {
    const body = this.body;
    const start = this.pos + 1;
    const length = name.length;
    for (let i = 0; i < length; i++) if (body[start + i] !== name[i]) return false;
    if (body[start + length] !== QUOTE) return false;
    this.escaped = false;
    this.pos = start + length + 1;
    return true;
  }

  /** The text of the string whose bytes are `start` to `end` (see {@link string}). */
  stringText(start: number, end: number): string {
    if (!this.escaped) return this.body.toString("utf8", start, end);
    // Escapes as JSON has them, from the parser that checks them; a `\u` escape may write a
    // lone surrogate, which the marshaler refuses.
    const text = JSON.parse(this.body.toString("utf8", start - 1, end + 1)) as string;
    if (!(text as unknown as { isWellFormed(): boolean }).isWellFormed()) refuse();
    return text;
  }

  /**
   * At a number: moves past it and returns its value as JSON.parse reads it, except that an
   * integer beyond ±(2^53 - 1) is its text, for the readers to take exactly, as the marshaler's
   * quoting of such integers has them.
   */
  number(): number | string {
    const body = this.body;
    const start = this.pos;
    let pos = start;
    if (body[pos] === MINUS) pos++;
    const first = pos;
    if (body[pos] === ZERO) pos++;
    else if (isDigit(body[pos])) while (isDigit(body[pos])) pos++;
    else refuse();
    const digits = pos - first;
    let integral = true;
    if (body[pos] === DOT) {
      integral = false;
      pos++;
      if (!isDigit(body[pos])) refuse();
      while (isDigit(body[pos])) pos++;
    }
    const e = body[pos];
    if (e === 0x65 || e === 0x45) {
      integral = false;
      pos++;
      if (body[pos] === PLUS || body[pos] === MINUS) pos++;
      if (!isDigit(body[pos])) refuse();
      while (isDigit(body[pos])) pos++;
    }
    this.pos = pos;
    if (integral && digits <= 15) {
      // Small integers without a call into node: exact in a double.
      let n = 0;
      for (let i = first; i < pos; i++) n = n * 10 + (body[i]! - ZERO);
      return first === start ? n : -n;
    }
    const text = body.toString("latin1", start, pos);
    const value = Number(text);
    // Only integers a double cannot hold exactly arrive quoted (see quoteUnsafeIntegers).
    return integral && !Number.isSafeInteger(value) ? text : value;
  }

  /** At `true`, `false` or `null`: moves past it and returns its value. */
  literal(): boolean | null {
    const body = this.body;
    const pos = this.pos;
    const c = body[pos];
    if (c === 0x74 && body[pos + 1] === 0x72 && body[pos + 2] === 0x75 && body[pos + 3] === 0x65) {
      this.pos = pos + 4;
      return true;
    }
    if (c === 0x66 && body[pos + 1] === 0x61 && body[pos + 2] === 0x6c && body[pos + 3] === 0x73 && body[pos + 4] === 0x65) {
      this.pos = pos + 5;
      return false;
    }
    if (c === 0x6e && body[pos + 1] === 0x75 && body[pos + 2] === 0x6c && body[pos + 3] === 0x6c) {
      this.pos = pos + 4;
      return null;
    }
    return refuse();
  }

  /** Whether the value ahead is `null`. */
  atNull(): boolean {
    return this.body[this.pos] === 0x6e;
  }
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= ZERO && c <= NINE;
}
