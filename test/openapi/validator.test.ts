// Every generated OpenAPI document is valid OpenAPI 3.1 by a validator nobody here wrote.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import { documentPaths, loadDocument } from "./documents.js";

for (const path of documentPaths) {
  test(`${path} is a valid OpenAPI 3.1 document`, async () => {
    const document = loadDocument(path);
    assert.equal(document.openapi, "3.1.0");
    const validator = new Validator();
    const result = await validator.validate(document as never);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    assert.ok(Object.keys(document.paths).length > 0, "the document has paths");
  });
}
