import { clearField, type DescField, type DescOneof, type JsonObject, type JsonValue, type Message } from "@bufbuild/protobuf";
import { isObjectLike, setOwnProperty } from "../../plain-object.js";

/** A message as its properties, to read and set fields by local name. */
export type Local = Record<string, unknown>;

/** What merging needs to know of a field named by a JSON key. */
export interface MergeEntry {
  readonly field: DescField;
  readonly local: string;
  readonly oneof: DescOneof | undefined;
  /** `null` leaves a oneof scalar alone (it does not count as setting the oneof). */
  readonly nullSkips: boolean;
  /** `null` unsets the field, except for google.protobuf.Value and NullValue, where it is a value. */
  readonly nullResets: boolean;
}

/**
 * Moves what a fresh message read from `json` holds into `target`, as protobuf-es's
 * merge of `json` into `target` (or, when unknown keys were discarded, the marshaler's
 * screened re-read) would have put it there; `byKey` names the fields by JSON key.
 * False, with `target` untouched, where a merge into a value the target holds already
 * would differ from the fresh read.
 */
export function merge(byKey: ReadonlyMap<string, MergeEntry>, target: Local, fresh: Local, json: JsonObject, discarded: boolean): boolean {
  const entries: MergeEntry[] = [];
  const values: JsonValue[] = [];
  for (const key of Object.keys(json)) {
    const entry = byKey.get(key);
    if (entry === undefined) continue;
    entries.push(entry);
    values.push(json[key]!);
  }
  if (discarded) {
    // The slow path's screened read clears every field the body names before merging.
    for (const entry of entries) if (entry.oneof !== undefined && !isObjectLike(target[entry.oneof.localName])) return false;
    for (const entry of entries) clearField(target as unknown as Message, entry.field);
  } else {
    for (const entry of entries) if (!mergeable(entry, target)) return false;
  }
  for (let i = 0; i < entries.length; i++) mergeField(entries[i]!, target, fresh, values[i]!);
  return true;
}

function mergeable(entry: MergeEntry, target: Local): boolean {
  const field = entry.field;
  if (field.fieldKind === "list") return Array.isArray(target[entry.local]);
  if (field.fieldKind === "map") return isObjectLike(target[entry.local]);
  if (entry.oneof !== undefined) {
    const selected = target[entry.oneof.localName];
    // A message already there would be merged into, not replaced.
    return isObjectLike(selected) && (field.fieldKind !== "message" || selected.case !== entry.local);
  }
  return field.fieldKind !== "message" || target[entry.local] === undefined;
}

function mergeField(entry: MergeEntry, target: Local, fresh: Local, value: JsonValue): void {
  const { field, local } = entry;
  if (entry.oneof !== undefined) {
    const name = entry.oneof.localName;
    if (value === null && entry.nullSkips) return;
    if (value === null && entry.nullResets) {
      if ((target[name] as { case: unknown }).case === local) target[name] = { case: undefined };
      return;
    }
    target[name] = fresh[name];
  } else if (field.fieldKind === "list") {
    if (value === null) return;
    const items = target[local] as unknown[];
    for (const item of fresh[local] as unknown[]) items.push(item);
  } else if (field.fieldKind === "map") {
    if (value === null) return;
    const record = target[local] as Local;
    const read = fresh[local] as Local;
    for (const key of Object.keys(read)) setOwnProperty(record, key, read[key]);
  } else if (value === null && entry.nullResets) {
    clearField(target as unknown as Message, field);
  } else {
    target[local] = fresh[local];
  }
}
