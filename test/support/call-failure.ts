import assert from "node:assert/strict";
import { GatewayError } from "grpc-gateway-express/runtime";

/** The GatewayError a backend call fails with; fails the test when it succeeds or throws anything else. */
export async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof GatewayError, String(err));
    return err;
  }
  assert.fail("expected the call to fail");
}
