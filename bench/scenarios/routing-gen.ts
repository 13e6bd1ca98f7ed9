/**
 * Generates the routing-scale protos' code with buf, protoc-gen-es and this repo's plugin
 * (from source, as buf.gen.test.yaml runs it), into bench/.gen/routes-<count>/ (ignored by
 * git and by tsc). A generation is reused while the proto and the plugin are unchanged.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { routingProto } from "./routing-proto.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const genRoot = join(root, "bench/.gen");

// The plugin's source is part of the key: a generator change must regenerate.
function pluginDigest(): string {
  const hash = createHash("sha256");
  // src/ has folders: every file under it, by its path.
  const files = readdirSync(join(root, "src"), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  for (const path of files.map((e) => join(e.parentPath, e.name)).sort()) hash.update(relative(root, path)).update(readFileSync(path));
  return hash.digest("hex");
}

/** Generates (or reuses) the code for `count` routes; returns the directory holding `routing/v1/`. */
export function generateRoutes(count: number): string {
  const dir = join(genRoot, `routes-${count}`);
  const proto = routingProto(count);
  const key = createHash("sha256").update(proto).update(pluginDigest()).digest("hex");
  const stamp = join(dir, "stamp");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === key) return join(dir, "gen");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "proto/routing/v1"), { recursive: true });
  writeFileSync(join(dir, "proto/routing/v1/routing.proto"), proto);
  // buf wants every module inside the workspace; a link brings googleapis in.
  symlinkSync(join(root, "node_modules/google-proto-files"), join(dir, "googleapis"), "dir");
  writeFileSync(join(dir, "buf.yaml"), "version: v2\nmodules:\n  - path: proto\n  - path: googleapis\n");
  writeFileSync(
    join(dir, "buf.gen.yaml"),
    [
      "version: v2",
      "inputs:",
      "  - directory: proto",
      "plugins:",
      "  - local: protoc-gen-es",
      "    out: gen",
      "    include_imports: true",
      "    opt: [target=ts, import_extension=js]",
      `  - local: ["tsx", ${JSON.stringify(join(root, "src/bin.ts"))}]`,
      "    out: gen",
      "    opt: [target=ts, import_extension=js]",
      "",
    ].join("\n"),
  );
  const env = { ...process.env, PATH: `${join(root, "node_modules/.bin")}:${process.env.PATH ?? ""}` };
  execFileSync("buf", ["generate"], { cwd: dir, env, stdio: ["ignore", "ignore", "inherit"] });
  writeFileSync(stamp, key);
  return join(dir, "gen");
}
