const maxSafe = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Quotes the integer literals of a JSON text that a JavaScript number cannot hold
 * exactly (beyond 2^53), so `{"id": 9007199254740993}` reaches an int64 field as the
 * value sent instead of a rounded one: proto3 JSON accepts integers as strings, and Go's
 * protojson keeps such numbers exact too. Inside a google.protobuf.Struct such a number
 * arrives as a string, which keeps its digits where a double would lose them.
 * Callers check first that the text has a run of 16 digits at all, and the marshaler
 * runs this only after the compiled reader, reading the text as it is, met a number
 * {@link beyondSafeIntegers} or could not vouch for it: ordinary bodies never pay for the scan.
 */
export function quoteUnsafeIntegers(text: string): string {
  let out = "";
  let copied = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    if (c !== 0x2d && (c < 0x30 || c > 0x39)) continue;
    // Outside strings a digit or minus only starts a number: read the whole token.
    let end = i + 1;
    while (end < text.length && isNumberChar(text.charCodeAt(end))) end++;
    const token = text.slice(i, end);
    if (/^-?\d{16,}$/.test(token) && abs(BigInt(token)) > maxSafe) {
      out += `${text.slice(copied, i)}"${token}"`;
      copied = end;
    }
    i = end - 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45;
}

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}

/**
 * Whether a number JSON.parse made may have been an integer that {@link quoteUnsafeIntegers}
 * quotes: every one of those parses beyond ±2^53 - 1 (to ±Infinity past the largest
 * double). Decimals and exponents that large (`1e20`) are not quoted, but are caught too.
 */
export function beyondSafeIntegers(value: number): boolean {
  return value > Number.MAX_SAFE_INTEGER || value < -Number.MAX_SAFE_INTEGER;
}
