import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeBase64 } from "../../runtime/base64.js";

// The one rule for bytes in query parameters, path variables and -Bin headers.
describe("decodeBase64", () => {
  const bytes = (...b: number[]) => new Uint8Array(b);

  it("takes the standard and the URL-safe alphabet, padded or not", () => {
    assert.deepEqual(decodeBase64("+/8="), bytes(0xfb, 0xff));
    assert.deepEqual(decodeBase64("+/8"), bytes(0xfb, 0xff));
    assert.deepEqual(decodeBase64("-_8="), bytes(0xfb, 0xff));
    assert.deepEqual(decodeBase64("-_8"), bytes(0xfb, 0xff));
    assert.deepEqual(decodeBase64("AQID"), bytes(1, 2, 3));
    assert.deepEqual(decodeBase64(""), bytes());
  });

  it("refuses mixed alphabets, partial padding, a lone last character and anything else", () => {
    for (const text of ["+_8=", "YQ=", "YQ===", "Y", "YWJj=", "a b=", "%%%", "AQ==AQ=="]) {
      assert.equal(decodeBase64(text), undefined, text);
    }
  });
});
