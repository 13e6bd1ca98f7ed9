import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { create, fromBinary } from "@bufbuild/protobuf";
import { CodeGeneratorRequestSchema, FileDescriptorSetSchema, type CodeGeneratorRequest, type FileDescriptorSet } from "@bufbuild/protobuf/wkt";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Compiles inline proto files (path -> source) with the buf CLI from node_modules, in a
 * throwaway workspace whose second module is google-proto-files, so `google/api/*.proto`
 * imports resolve as in this repo's own buf.yaml. Returns every file with its imports, in
 * dependency order and with source info (comments), as protoc hands them to a plugin.
 */
export function compileProtos(files: Readonly<Record<string, string>>): FileDescriptorSet {
  const workspace = mkdtempSync(join(tmpdir(), "compile-proto-"));
  try {
    for (const [path, source] of Object.entries(files)) {
      mkdirSync(dirname(join(workspace, "proto", path)), { recursive: true });
      writeFileSync(join(workspace, "proto", path), source);
    }
    // buf wants every module inside the workspace; a link brings the package in.
    symlinkSync(join(repoRoot, "node_modules/google-proto-files"), join(workspace, "googleapis"), "dir");
    writeFileSync(join(workspace, "buf.yaml"), "version: v2\nmodules:\n  - path: proto\n  - path: googleapis\n");
    const image = join(workspace, "image.binpb");
    execFileSync(join(repoRoot, "node_modules/.bin/buf"), ["build", "proto", "-o", image], {
      cwd: workspace,
      stdio: ["ignore", "ignore", "pipe"],
    });
    // A buf image is wire-compatible with a FileDescriptorSet; its extra fields stay unknown.
    return fromBinary(FileDescriptorSetSchema, readFileSync(image));
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

/**
 * A CodeGeneratorRequest for `filesToGenerate` out of a compiled set, with the plugin
 * parameter as protoc would pass it (`key=value,key=value`).
 */
export function createRequest(set: FileDescriptorSet, filesToGenerate: readonly string[], parameter: string): CodeGeneratorRequest {
  return create(CodeGeneratorRequestSchema, {
    fileToGenerate: [...filesToGenerate],
    parameter,
    protoFile: set.file,
  });
}
