import { ScalarType, type DescField } from "@bufbuild/protobuf";
import { FeatureSet_FieldPresence } from "@bufbuild/protobuf/wkt";

/**
 * Field presence as protobuf-es decides it, shared by the JSON writer and the binary
 * encoder: both leave out an implicit-presence field that holds its zero value, and must
 * agree with protobuf-es (and each other) on what zero is.
 */
export const IMPLICIT = FeatureSet_FieldPresence.IMPLICIT;
export const LEGACY_REQUIRED = FeatureSet_FieldPresence.LEGACY_REQUIRED;

/** protobuf-es's zero test for a scalar or enum field with implicit presence. */
export function implicitZeroTest(field: DescField): (value: unknown) => boolean {
  if (field.fieldKind === "enum") {
    const zero = field.enum.values[0]?.number ?? 0;
    return (value) => value === zero;
  }
  switch (field.scalar) {
    case ScalarType.BOOL:
      return (value) => value === false;
    case ScalarType.STRING:
      return (value) => value === "";
    case ScalarType.BYTES:
      return (value) => value instanceof Uint8Array && value.byteLength === 0;
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      // -0 is not zero: it is written.
      return (value) => Object.is(value, 0);
    default:
      // Loose, as protobuf-es compares: 0, 0n and "0" are all zero.
      // biome-ignore lint/suspicious/noDoubleEquals: the loose comparison is the rule being mirrored
      return (value) => value == 0;
  }
}

/** A singular field outside oneofs that tracks whether it is set (a message, proto3 `optional`, proto2). */
export function hasExplicitPresence(field: DescField): boolean {
  return field.oneof === undefined && field.fieldKind !== "list" && field.fieldKind !== "map" && field.presence !== IMPLICIT;
}
