import type { Schema } from "@bufbuild/protoplugin";
import type { FileBindings } from "../bindings.js";
import type { GatewayPluginOptions } from "../options.js";
import { printClient } from "./print-client.js";

/** Writes `<name>_client.ts` beside each `<name>_gateway.ts` (option `client`). */
export function generateClientFiles(schema: Schema<GatewayPluginOptions>, files: readonly FileBindings[]): void {
  for (const { file, services } of files) {
    if (services.length === 0) {
      continue;
    }
    const f = schema.generateFile(`${file.name}_client.ts`);
    f.preamble(file);
    for (const [index, service] of services.entries()) {
      if (index > 0) {
        f.print();
      }
      printClient(f, service);
    }
  }
}
