import type { Schema } from "@bufbuild/protoplugin";
import { loadApiConfiguration } from "./api-configuration.js";
import { bindFile, methodFullName, type ExternalRules } from "./bindings.js";
import { generateOpenApi } from "./openapi/generate-openapi.js";
import type { GatewayPluginOptions } from "./options.js";
import { printService } from "./print-service.js";
import { generateClientFiles } from "./client/generate-client.js";

/**
 * Generates `<name>_gateway.ts` beside protoc-gen-es's `<name>_pb.ts` for every file with
 * a bound method. Validates all files before printing any, and fails with every problem
 * found, one per line. Warnings (warn_on_unbound_methods) go to stderr.
 */
export function generateTs(schema: Schema<GatewayPluginOptions>): void {
  const { options } = schema;
  if (options.openapi.only && options.openapi.format === "") {
    throw new Error(`option "openapi_only" needs openapi=json or openapi=yaml`);
  }
  const external = options.grpcApiConfiguration === "" ? undefined : loadApiConfiguration(options.grpcApiConfiguration);
  const files = schema.files.map((file) => bindFile(file, options, external));
  const problems = [...(external !== undefined ? unmatchedSelectors(schema, external) : []), ...files.flatMap((file) => file.problems)];
  if (problems.length > 0) {
    throw new Error(problems.join("\n"));
  }
  if (options.warnOnUnboundMethods && options.generateUnboundMethods) {
    warn("option warn_on_unbound_methods has no effect with generate_unbound_methods, which binds every method");
  }
  for (const warning of files.flatMap((file) => file.warnings)) {
    warn(warning);
  }
  for (const { file, services } of options.openapi.only ? [] : files) {
    if (services.length === 0) {
      continue;
    }
    const f = schema.generateFile(`${file.name}_gateway.ts`);
    f.preamble(file);
    for (const [index, service] of services.entries()) {
      if (index > 0) {
        f.print();
      }
      printService(f, service, options.runtimeImport, options.registerFuncSuffix);
    }
  }
  if (options.client && !options.openapi.only) {
    generateClientFiles(schema, files);
  }
  // Without target=ts, protoplugin keeps only transpiled files: plugin.ts writes the documents then.
  if (schema.targets.includes("ts")) {
    for (const warning of generateOpenApi(schema, files)) {
      warn(warning);
    }
  }
}

/** Writes only the OpenAPI documents: the plugin's second pass when its target has no ts. */
export function generateOpenApiOnly(schema: Schema<GatewayPluginOptions>): void {
  const { options } = schema;
  const external = options.grpcApiConfiguration === "" ? undefined : loadApiConfiguration(options.grpcApiConfiguration);
  for (const warning of generateOpenApi(
    schema,
    schema.files.map((file) => bindFile(file, options, external)),
  )) {
    warn(warning);
  }
}

// Every selector of the configuration must name a method of a file being generated: a rule
// that binds nothing is a mistake (a typo, or a file left out of the inputs), never silence.
function unmatchedSelectors(schema: Schema<GatewayPluginOptions>, external: ExternalRules): string[] {
  const generated = new Set(schema.files.flatMap((file) => file.services.flatMap((service) => service.methods.map((method) => methodFullName(method)))));
  const elsewhere = new Map(
    schema.allFiles.flatMap((file) => file.services.flatMap((service) => service.methods.map((method) => [methodFullName(method), file.proto.name] as const))),
  );
  const problems: string[] = [];
  for (const selector of external.rules.keys()) {
    if (generated.has(selector)) {
      continue;
    }
    const file = elsewhere.get(selector);
    problems.push(
      file === undefined
        ? `${external.source}: selector "${selector}" names no method in the files being generated`
        : `${external.source}: selector "${selector}" names a method of ${file}, which is not among the files being generated`,
    );
  }
  return problems;
}

function warn(message: string): void {
  process.stderr.write(`protoc-gen-grpc-gateway-express: warning: ${message}\n`);
}
