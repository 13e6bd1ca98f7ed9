import { readFileSync } from "node:fs";
import { createEcmaScriptPlugin } from "@bufbuild/protoplugin";
import { parseOptions } from "./options.js";
import { generateTs } from "./generate.js";

/** The protoc plugin protoc-gen-grpc-gateway-express, to run with protoplugin's `runNodeJs` or in-process. */
export const protocGenGrpcGatewayExpress = createEcmaScriptPlugin({
  name: "protoc-gen-grpc-gateway-express",
  version: `v${packageVersion()}`,
  parseOptions,
  generateTs,
});

// The plugin runs from src/ (tsx) and from src/dist/ (npm bin), so its package.json sits
// beside it or one level up; importing it as JSON would make tsc copy it into dist/.
function packageVersion(): string {
  for (const candidate of ["./package.json", "../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), "utf8")) as { name?: unknown; version?: unknown };
      if (pkg.name === "protoc-gen-grpc-gateway-express" && typeof pkg.version === "string") {
        return pkg.version;
      }
    } catch {
      // not this level
    }
  }
  throw new Error("protoc-gen-grpc-gateway-express: cannot find its own package.json");
}
