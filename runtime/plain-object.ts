/**
 * Plain objects whose keys come from outside (JSON bodies, map entries, path variables
 * named by proto fields): the two tests of what counts as an object, and setting a key
 * on one without `__proto__` reaching the prototype.
 */
import type { JsonObject } from "@bufbuild/protobuf";

/** Whether `value` is a JSON object: an object that is neither null nor an array. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether `value` is any object but null, arrays included (the shapes protobuf-es stores maps and oneofs in, and more). */
export function isObjectLike(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** Sets `key` as an own property of `target`; plain assignment of `__proto__` would set the prototype instead. */
export function setOwnProperty(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
