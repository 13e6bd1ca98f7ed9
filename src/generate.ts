import type { Schema } from "@bufbuild/protoplugin";
import { bindFile } from "./bindings.js";
import type { GatewayPluginOptions } from "./options.js";
import { printService } from "./print-service.js";

/**
 * Generates `<name>_gateway.ts` beside protoc-gen-es's `<name>_pb.ts` for every file with
 * a bound method. Validates all files before printing any, and fails with every problem
 * found, one per line. Warnings (warn_on_unbound_methods) go to stderr.
 */
export function generateTs(schema: Schema<GatewayPluginOptions>): void {
  const { options } = schema;
  const files = schema.files.map((file) => bindFile(file, options));
  const problems = files.flatMap((file) => file.problems);
  if (problems.length > 0) {
    throw new Error(problems.join("\n"));
  }
  if (options.warnOnUnboundMethods && options.generateUnboundMethods) {
    warn("option warn_on_unbound_methods has no effect with generate_unbound_methods, which binds every method");
  }
  for (const warning of files.flatMap((file) => file.warnings)) {
    warn(warning);
  }
  for (const { file, services } of files) {
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
}

function warn(message: string): void {
  process.stderr.write(`protoc-gen-grpc-gateway-express: warning: ${message}\n`);
}
