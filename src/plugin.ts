import { readFileSync } from "node:fs";
import { create } from "@bufbuild/protobuf";
import { CodeGeneratorRequestSchema } from "@bufbuild/protobuf/wkt";
import { createEcmaScriptPlugin, type Plugin } from "@bufbuild/protoplugin";
import { parseOptions } from "./options.js";
import { generateOpenApiOnly, generateTs } from "./generate.js";

const name = "protoc-gen-grpc-gateway-express";
const version = `v${packageVersion()}`;
const gateway = createEcmaScriptPlugin({ name, version, parseOptions, generateTs });
// protoplugin keeps only the transpiled .js/.d.ts of what generateTs writes unless the target
// has ts, which would drop the OpenAPI documents; this pass writes them for such targets.
const openapiOnly = createEcmaScriptPlugin({ name, version, parseOptions, generateTs: generateOpenApiOnly });

/** The protoc plugin protoc-gen-grpc-gateway-express, to run with protoplugin's `runNodeJs` or in-process. */
export const protocGenGrpcGatewayExpress: Plugin = {
  name,
  version,
  run(request) {
    const response = gateway.run(request);
    const parameters = request.parameter.split(",").filter((p) => p !== "");
    const target = parameters.find((p) => p.startsWith("target="))?.slice("target=".length) ?? "js+dts";
    if ((response.error ?? "") !== "" || target.split("+").includes("ts")) return response;
    const tsOnly = [...parameters.filter((p) => !p.startsWith("target=")), "target=ts"].join(",");
    const documents = openapiOnly.run(create(CodeGeneratorRequestSchema, { ...request, parameter: tsOnly }));
    response.file.push(...documents.file);
    return response;
  },
};

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
