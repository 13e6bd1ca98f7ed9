/** The OpenAPI generator's options, all prefixed `openapi`; parsed here so the plugin's option list stays short. */
export interface OpenApiOptions {
  /** `json` or `yaml`: write OpenAPI 3.1 documents in that form; empty (the default): none. */
  readonly format: "" | "json" | "yaml";
  /** One document for every file generated (`openapi_merge=true`) instead of one per proto file with services. */
  readonly merge: boolean;
  /** The merged document's name without extension (openapi_merge_file_name), default `openapi`. */
  readonly mergeFileName: string;
  /** Write the documents alone, no route tables or clients (openapi_only): for a second plugin entry, e.g. a merged document beside per-file ones. */
  readonly only: boolean;
  /** Field names as the marshaler writes them: proto names, as the runtime's `json.useProtoNames` (openapi_use_proto_names). */
  readonly useProtoNames: boolean;
  /** Enums as numbers, as the runtime's `json.enumsAsNumbers` (openapi_enums_as_numbers). */
  readonly enumsAsNumbers: boolean;
}

export const defaultOpenApiOptions: OpenApiOptions = {
  format: "",
  merge: false,
  mergeFileName: "openapi",
  only: false,
  useProtoNames: false,
  enumsAsNumbers: false,
};

/**
 * Applies one `openapi*` option to `current`; returns undefined for a key that is not one of
 * them. Throws on a bad value, naming the option.
 */
export function parseOpenApiOption(
  current: OpenApiOptions,
  key: string,
  value: string,
  parseBoolean: (key: string, value: string) => boolean,
): OpenApiOptions | undefined {
  switch (key) {
    case "openapi":
      if (value !== "json" && value !== "yaml") {
        throw new Error(`option "openapi" must be json or yaml, got "${value}"`);
      }
      return { ...current, format: value };
    case "openapi_merge":
      return { ...current, merge: parseBoolean(key, value) };
    case "openapi_merge_file_name":
      if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(value)) {
        throw new Error(`option "openapi_merge_file_name" must be a relative file name without extension, got "${value}"`);
      }
      return { ...current, mergeFileName: value };
    case "openapi_only":
      return { ...current, only: parseBoolean(key, value) };
    case "openapi_use_proto_names":
      return { ...current, useProtoNames: parseBoolean(key, value) };
    case "openapi_enums_as_numbers":
      return { ...current, enumsAsNumbers: parseBoolean(key, value) };
    default:
      return undefined;
  }
}
