import { defaultOpenApiOptions, parseOpenApiOption, type OpenApiOptions } from "./openapi/options.js";

/** Options of protoc-gen-grpc-gateway-express, beside protoplugin's own (target, import_extension, ...). */
export interface GatewayPluginOptions {
  /** Bind methods without a google.api.http rule to `POST /<package>.<Service>/<Method>`, body `*`. */
  readonly generateUnboundMethods: boolean;
  /** Print a warning on stderr for each method without a rule (grpc-gateway's warn_on_unbound_methods). */
  readonly warnOnUnboundMethods: boolean;
  /** Accept a body on DELETE rules, which the HTTP spec leaves undefined and grpc-gateway refuses by default. */
  readonly allowDeleteBody: boolean;
  /** The character a repeated path variable's list is split on (repeated_path_param_separator). */
  readonly repeatedPathSeparator: string;
  /** Fill an empty FieldMask of a PATCH request from the body's keys (allow_patch_feature). */
  readonly allowPatchFeature: boolean;
  /** The end of each registering function's name: `register<Service><suffix>` (register_func_suffix). */
  readonly registerFuncSuffix: string;
  /** A google.api.Service file (YAML or JSON) whose http rules bind methods, as grpc-gateway's grpc_api_configuration; empty for none. */
  readonly grpcApiConfiguration: string;
  /** Module the generated code imports the runtime types from. */
  readonly runtimeImport: string;
  /** Also write a typed REST client, `<name>_client.ts`, beside each route table. */
  readonly client: boolean;
  /** The OpenAPI documents to write (the `openapi*` options); none by default. */
  readonly openapi: OpenApiOptions;
}

/** Where generated code finds `Gateway`, `Backend` and `HttpRoute` unless told otherwise. */
const defaultRuntimeImport = "grpc-gateway-express/runtime";

/** grpc-gateway's names for the separators of repeated path variables, and the character of each. */
export const repeatedPathSeparators: Readonly<Record<string, string>> = { csv: ",", pipes: "|", ssv: " ", tsv: "\t" };

// Options of protoc-gen-grpc-gateway that have no meaning for generated TypeScript, and why:
// refused by name so that a migrating team learns why rather than meeting "unknown option".
const notApplicable: Readonly<Record<string, string>> = {
  request_context: "a request's cancellation always reaches the backend call here",
  omit_package_doc: "generated TypeScript has no package doc comment",
  standalone: "generated code always imports the service from protoc-gen-es's _pb file beside it",
  use_opaque_api: "messages are protoc-gen-es's, which have no Go Opaque API",
  logtostderr: "a no-op kept for glog in protoc-gen-grpc-gateway too; the plugin always reports on stderr",
  version: "run protoc-gen-grpc-gateway-express --version instead",
};

/**
 * Parses the options protoplugin does not know. Throws on an unknown key or a bad value,
 * because a misspelled option silently ignored generates the wrong routes.
 */
export function parseOptions(rawOptions: { key: string; value: string }[]): GatewayPluginOptions {
  let generateUnboundMethods = false;
  let warnOnUnboundMethods = false;
  let allowDeleteBody = false;
  let repeatedPathSeparator = ",";
  let allowPatchFeature = true;
  let registerFuncSuffix = "Gateway";
  let grpcApiConfiguration = "";
  let runtimeImport = defaultRuntimeImport;
  let client = false;
  let openapi = defaultOpenApiOptions;
  for (const { key, value } of rawOptions) {
    switch (key) {
      case "generate_unbound_methods":
        generateUnboundMethods = parseBoolean(key, value);
        break;
      case "warn_on_unbound_methods":
        warnOnUnboundMethods = parseBoolean(key, value);
        break;
      case "allow_delete_body":
        allowDeleteBody = parseBoolean(key, value);
        break;
      case "allow_repeated_fields_in_body":
        // Deprecated in grpc-gateway, where it is always true; a repeated body field is always accepted here too.
        if (!parseBoolean(key, value)) {
          throw new Error(`option "allow_repeated_fields_in_body" cannot be false: a body naming a repeated field is always accepted, as in grpc-gateway`);
        }
        break;
      case "repeated_path_param_separator": {
        const separator = repeatedPathSeparators[value];
        if (separator === undefined) {
          throw new Error(`option "repeated_path_param_separator" must be csv, pipes, ssv or tsv, got "${value}"`);
        }
        repeatedPathSeparator = separator;
        break;
      }
      case "allow_patch_feature":
        allowPatchFeature = parseBoolean(key, value);
        break;
      case "register_func_suffix":
        if (!/^[A-Za-z0-9_$]*$/.test(value)) {
          throw new Error(`option "register_func_suffix" must be letters, digits, _ or $ (the end of a function name), got "${value}"`);
        }
        registerFuncSuffix = value;
        break;
      case "grpc_api_configuration":
        if (value.length === 0) {
          throw new Error(`option "grpc_api_configuration" needs the path of a google.api.Service YAML or JSON file`);
        }
        grpcApiConfiguration = value;
        break;
      case "runtime_import":
        if (value.length === 0) {
          throw new Error(`option "runtime_import" needs a module specifier, e.g. runtime_import=${defaultRuntimeImport}`);
        }
        runtimeImport = value;
        break;
      case "client":
        client = parseBoolean(key, value);
        break;
      default: {
        const parsed = parseOpenApiOption(openapi, key, value, parseBoolean);
        if (parsed !== undefined) {
          openapi = parsed;
          break;
        }
        const why = notApplicable[key];
        if (why !== undefined) {
          throw new Error(`option "${key}" of protoc-gen-grpc-gateway does not apply here: ${why}`);
        }
        throw new Error(`unknown option "${key}"`);
      }
    }
  }
  return {
    generateUnboundMethods,
    warnOnUnboundMethods,
    allowDeleteBody,
    repeatedPathSeparator,
    allowPatchFeature,
    registerFuncSuffix,
    grpcApiConfiguration,
    runtimeImport,
    client,
    openapi,
  };
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
