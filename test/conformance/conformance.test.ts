// The declarative case table: every request runs through the generated gateway against a
// real recording grpc-js backend, and both sides of the proxy are asserted.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { toJson } from "@bufbuild/protobuf";
import { startHarness, type Harness } from "../support/gateway-harness.js";
import { send, type HttpResult } from "../support/http-client.js";
import type { RecordedCall } from "../support/recording-backend.js";
import { documentFor } from "../openapi/group-documents.js";
import { ResponseChecker } from "../openapi/response-check.js";
import type { Case, CaseGroup, ExpectedCall, ExpectedResponse } from "./case.js";
import { groups } from "./cases/index.js";

for (const group of groups) {
  describe(group.name, () => {
    let harness: Harness;
    let spec: ResponseChecker;
    before(async () => {
      harness = await startHarness([...group.services], group.options);
      const services = group.services.map((s) => s.service);
      const o = group.options ?? {};
      const user = {
        marshalers: o.marshalers !== undefined,
        errors: o.errorHandler !== undefined || o.routingErrorHandler !== undefined,
        successStatus: o.responseHook !== undefined,
      };
      spec = new ResponseChecker(
        documentFor(services, group.options),
        services.map((s) => s.typeName),
        user,
      );
    });
    after(() => harness.close());
    for (const c of group.cases) test(c.name, () => runCase(harness, spec, c));
  });
}

const echo = (call: RecordedCall) => ({ reply: call.method.input.typeName === call.method.output.typeName ? call.request : undefined });

async function runCase(harness: Harness, spec: ResponseChecker, c: Case): Promise<void> {
  harness.backend.calls.length = 0;
  harness.backend.handle(c.backend ?? echo);
  const result = await send(harness.baseUrl, c.request);
  checkResponse(result, c.response);
  checkCall(harness.backend.calls, c.call);
  // The truth test: the generated OpenAPI document describes this very response.
  const contentType = result.headers["content-type"];
  const problems = spec.check({
    ...c.request,
    status: result.status,
    contentType: typeof contentType === "string" ? contentType : undefined,
    body: result.text,
    headers: result.headers,
  });
  assert.deepEqual(problems, [], "the response is as the generated OpenAPI document says");
}

function checkResponse(result: HttpResult, expected: ExpectedResponse): void {
  const where = `response ${result.status} ${result.text.slice(0, 300)}`;
  assert.equal(result.status, expected.status, where);
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    assert.equal(result.headers[name] ?? null, value, `header ${name}; ${where}`);
  }
  for (const [name, value] of Object.entries(expected.trailers ?? {})) {
    assert.equal(result.trailers[name], value, `trailer ${name}`);
  }
  if (expected.text !== undefined) assert.equal(result.text, expected.text);
  if (expected.json !== undefined) assert.deepEqual(JSON.parse(result.text), expected.json, where);
  if (expected.error !== undefined) {
    const body = JSON.parse(result.text) as { code: number; message: string; details: unknown[] };
    assert.equal(body.code, expected.error.code, where);
    assert.ok(body.message.includes(expected.error.messageIncludes), `message "${body.message}" lacks "${expected.error.messageIncludes}"`);
    assert.ok(Array.isArray(body.details), "error body has details");
  }
}

function checkCall(calls: RecordedCall[], expected: ExpectedCall | null): void {
  if (expected === null) return assert.equal(calls.length, 0, "the backend must not be called");
  assert.equal(calls.length, 1, "the backend is called exactly once");
  const call = calls[0]!;
  assert.equal(`${call.method.parent.name}.${call.method.name}`, expected.method);
  if (expected.request !== undefined) {
    assert.deepEqual(toJson(call.method.input, call.request), expected.request, "request message the backend received");
  }
  for (const [key, values] of Object.entries(expected.metadata ?? {})) {
    const got = call.metadata.get(key).map((v) => (Buffer.isBuffer(v) ? `bin:${v.toString("hex")}` : v));
    assert.deepEqual(got, values, `metadata ${key}`);
  }
  for (const key of expected.metadataAbsent ?? []) assert.deepEqual(call.metadata.get(key), [], `metadata ${key} must be absent`);
  if (expected.deadline !== undefined) assert.equal(call.deadline !== Infinity, expected.deadline, "deadline set");
}

export type { CaseGroup };
