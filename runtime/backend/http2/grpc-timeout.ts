/**
 * The `grpc-timeout` header for `ms` milliseconds left (at least 1). At most 8 digits, per
 * the gRPC spec, and never a value a grpc-js server overflows on: it computes the
 * milliseconds with `| 0`, so anything above 2^31-1 ms is clamped to whole seconds below it.
 */
export function encodeTimeout(ms: number): string {
  const whole = Math.max(1, Math.ceil(ms));
  if (whole <= 99_999_999) return `${whole}m`;
  return `${Math.min(Math.ceil(whole / 1000), maxSeconds)}S`;
}

// The most seconds whose milliseconds still fit in a signed 32-bit integer.
const maxSeconds = Math.floor(0x7fffffff / 1000);
