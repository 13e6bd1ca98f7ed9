/** Options of protoc-gen-grpc-gateway-express, beside protoplugin's own (target, import_extension, ...). */
export interface GatewayPluginOptions {
  /** Bind methods without a google.api.http rule to `POST /<package>.<Service>/<Method>`, body `*`. */
  readonly generateUnboundMethods: boolean;
  /** Accept a body on DELETE rules, which the HTTP spec leaves undefined and grpc-gateway refuses by default. */
  readonly allowDeleteBody: boolean;
  /** Module the generated code imports the runtime types from. */
  readonly runtimeImport: string;
}

/** Where generated code finds `Gateway`, `Backend` and `HttpRoute` unless told otherwise. */
const defaultRuntimeImport = "grpc-gateway-express/runtime";

/**
 * Parses the options protoplugin does not know. Throws on an unknown key or a bad value,
 * because a misspelled option silently ignored generates the wrong routes.
 */
export function parseOptions(rawOptions: { key: string; value: string }[]): GatewayPluginOptions {
  let generateUnboundMethods = false;
  let allowDeleteBody = false;
  let runtimeImport = defaultRuntimeImport;
  for (const { key, value } of rawOptions) {
    switch (key) {
      case "generate_unbound_methods":
        generateUnboundMethods = parseBoolean(key, value);
        break;
      case "allow_delete_body":
        allowDeleteBody = parseBoolean(key, value);
        break;
      case "runtime_import":
        if (value.length === 0) {
          throw new Error(`option "runtime_import" needs a module specifier, e.g. runtime_import=${defaultRuntimeImport}`);
        }
        runtimeImport = value;
        break;
      default:
        throw new Error(`unknown option "${key}"`);
    }
  }
  return { generateUnboundMethods, allowDeleteBody, runtimeImport };
}

// Same spellings protoplugin accepts for its own boolean options; a bare key means true.
function parseBoolean(key: string, value: string): boolean {
  switch (value) {
    case "":
    case "true":
    case "1":
      return true;
    case "false":
    case "0":
      return false;
    default:
      throw new Error(`option "${key}" must be true or false, got "${value}"`);
  }
}
