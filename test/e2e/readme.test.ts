// The README's "Quick start in your own project", run as written so it cannot rot: its
// fenced blocks become a fresh project (proto, buf.yaml, buf.gen.yaml, the mounting code),
// buf generates it with this repo's plugin, the mounting code serves a real grpc-js
// Greeter, and the curl lines are sent. The only edits: the two addresses (see adaptMount),
// and the error hook gets step 5's `createGateway` import.
import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import type { DescService, Message } from "@bufbuild/protobuf";
import { startRecordingBackend, type RecordingBackend } from "../support/recording-backend.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const repoBin = join(repoRoot, "node_modules/.bin");
const run = promisify(execFile);
const pluginName = "protoc-gen-grpc-gateway-express";

/** The quick start's fenced blocks, by role. */
interface QuickStart {
  /** Lines of the `sh` blocks: the npm commands and the curl lines. */
  readonly shell: readonly string[];
  /** Where step 2 says the proto goes, e.g. `proto/greeter/v1/greeter.proto`. */
  readonly protoPath: string;
  readonly proto: string;
  /** YAML blocks by the file name on their first line (`# buf.yaml`). */
  readonly configs: ReadonlyMap<string, string>;
  readonly mount: string;
  readonly errorHook: string;
}

interface Block {
  readonly lang: string;
  readonly body: string;
  /** The prose between the previous block and this one. */
  readonly before: string;
}

function required<T>(value: T | undefined, what: string): T {
  assert.ok(value !== undefined, `the README's quick start has ${what}`);
  return value;
}

function readQuickStart(): QuickStart {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const start = readme.indexOf("## Quick start in your own project");
  assert.ok(start >= 0, "README.md has a '## Quick start in your own project' section");
  const end = readme.indexOf("\n## ", start);
  const blocks = fencedBlocks(readme.slice(start, end < 0 ? undefined : end));
  const proto = required(blocks.find((b) => b.lang === "proto"), "a proto block");
  const configs = new Map<string, string>();
  for (const block of blocks.filter((b) => b.lang === "yaml")) {
    configs.set(required(/^# (\S+)$/.exec(block.body.split("\n")[0]!)?.[1], "a `# file name` atop each YAML block"), block.body);
  }
  const ts = blocks.filter((b) => b.lang === "ts");
  return {
    shell: blocks.filter((b) => b.lang === "sh").flatMap((b) => b.body.split("\n").filter((line) => line.trim() !== "")),
    protoPath: required([...proto.before.matchAll(/`([\w/.-]+\.proto)`/g)].at(-1)?.[1], "the proto file's path above its block"),
    proto: proto.body,
    configs,
    mount: required(ts.find((b) => b.body.includes(".listen(")), "the mounting code").body,
    errorHook: required(ts.find((b) => b.body.includes("errorHandler")), "the error hook").body,
  };
}

/** Fenced blocks with their language, dedented to their fence (list items indent them). */
function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let last = 0;
  for (const m of markdown.matchAll(/^( *)```(\w*)\n([\s\S]*?)^\1```$/gm)) {
    const indent = m[1]!.length;
    const body = m[3]!.replace(/\n$/, "").split("\n").map((line) => line.slice(Math.min(indent, line.search(/\S|$/)))).join("\n");
    blocks.push({ lang: m[2]!, body, before: markdown.slice(last, m.index) });
    last = m.index + m[0].length;
  }
  return blocks;
}

/** The package.json the quick start's npm lines leave behind; versions play no part here. */
function packageJsonFrom(shell: readonly string[]) {
  const pkg: { dependencies: Record<string, string>; devDependencies: Record<string, string>; [key: string]: unknown } = { dependencies: {}, devDependencies: {} };
  for (const line of shell.map((l) => l.replace(/\s+#.*$/, ""))) {
    const words = line.trim().split(/\s+/);
    if (words[0] === "curl") continue;
    if (words[0] === "npm" && words[1] === "install") {
      const dev = words.includes("--save-dev") || words.includes("-D");
      for (const name of words.slice(2).filter((w) => !w.startsWith("-"))) (dev ? pkg.devDependencies : pkg.dependencies)[name] = "*";
    } else if (words[0] === "npm" && words[1] === "pkg" && words[2] === "set" && words.length === 4 && words[3]!.includes("=")) {
      const [key, ...value] = words[3]!.split("=");
      pkg[key!] = value.join("=");
    } else {
      // A new command in the quick start must be taught to this test, not silently skipped.
      assert.fail(`the README test does not know how to apply: ${line}`);
    }
  }
  return pkg;
}

/** One curl line as a request: method, URL, headers and `-d` body, with curl's defaults. */
interface CurlRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

function parseCurl(line: string): CurlRequest {
  // Shell words: '...' literally, "..." with backslash escapes, or bare.
  const words = [...line.matchAll(/'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => m[1] ?? m[2]?.replace(/\\(.)/g, "$1") ?? m[3]!);
  assert.equal(words.shift(), "curl");
  let method: string | undefined;
  let url: URL | undefined;
  let body: string | undefined;
  const headers: Record<string, string> = {};
  while (words.length > 0) {
    const word = words.shift()!;
    const value = () => required(words.shift(), `a value after ${word} in: ${line}`);
    if (word === "-X" || word === "--request") method = value();
    else if (word === "-H" || word === "--header") {
      const [name, ...rest] = value().split(":");
      headers[name!.trim()] = rest.join(":").trim();
    } else if (word === "-d" || word === "--data" || word === "--data-raw") body = value();
    else if (word.startsWith("-")) assert.fail(`the README test does not know the curl option ${word}`);
    else url = new URL(/^https?:\/\//.test(word) ? word : `http://${word}`);
  }
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
    headers["Content-Type"] = "application/x-www-form-urlencoded";
  }
  return { method: method ?? (body === undefined ? "GET" : "POST"), url: required(url, `a URL in: ${line}`), headers, body };
}

/**
 * The mounting code with its two addresses swapped, and nothing else: `dial("…")` gets the
 * test's backend (port 0, so runs never collide), `.listen(N)` a port known to be free.
 */
function adaptMount(mount: string, backendAddress: string, port: number): { source: string; readmePort: number } {
  const dialed = required(/\bdial\("([^"]+)"\)/.exec(mount)?.[1], "a dial(\"host:port\") in the mounting code");
  const readmePort = Number(required(/\.listen\((\d+)\)/.exec(mount)?.[1], "a .listen(port) in the mounting code"));
  const source = mount.replace(`dial("${dialed}")`, `dial(${JSON.stringify(backendAddress)})`).replace(`.listen(${readmePort})`, `.listen(${port})`);
  return { source, readmePort };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const shellQuote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/** An executable `name` in `dir` that runs `command` with the arguments it is given. */
function writeShim(dir: string, name: string, command: readonly string[]): void {
  writeFileSync(join(dir, name), `#!/bin/sh\nexec ${command.map(shellQuote).join(" ")} "$@"\n`, { mode: 0o755 });
}

/** Runs `buf generate` in `project`, finding local plugins in `pluginDir`, then the repo's bins (protoc-gen-es). */
function bufGenerate(project: string, pluginDir: string, ...args: string[]) {
  const path = [pluginDir, repoBin, process.env["PATH"]].filter((p) => p !== undefined).join(delimiter);
  return run(join(repoBin, "buf"), ["generate", ...args], { cwd: project, timeout: 60_000, env: { ...process.env, PATH: path } });
}

/** Where an installed package lives, `grpc-gateway-express` being this repo. */
const packageDir = (name: string) => (name === "grpc-gateway-express" ? repoRoot : join(repoRoot, "node_modules", name));

/** An installed package's `bin` names. */
function binsOf(name: string): string[] {
  const { bin } = JSON.parse(readFileSync(join(packageDir(name), "package.json"), "utf8")) as { bin?: string | Record<string, string> };
  return typeof bin === "string" ? [name] : Object.keys(bin ?? {});
}

/** Whether a package ships declarations (as express 5 does not, hence @types/express). */
function hasOwnTypes(name: string): boolean {
  if (name === "grpc-gateway-express") return true;
  const files = readdirSync(packageDir(name), { recursive: true, encoding: "utf8" });
  return files.some((f) => /\.d\.[cm]?ts$/.test(f) && !f.includes("node_modules"));
}

describe("README quick start", () => {
  const quickStart = readQuickStart();
  const pkg = packageJsonFrom(quickStart.shell);
  // Generated paths follow the proto's path inside the `proto` module.
  const generated = (suffix: string) => quickStart.protoPath.replace(/^proto\//, "gen/").replace(/\.proto$/, suffix);
  let project = "";
  let backend: RecordingBackend | undefined;
  let readmePort = 0;
  let port = 0;
  const children = new Set<ChildProcess>();
  const typecheckAbort = new AbortController();
  let typecheck: Promise<string> = Promise.resolve("not run");

  before(async () => {
    project = mkdtempSync(join(tmpdir(), "readme-quick-start-"));
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "quick-start", private: true, ...pkg }, null, 2));
    mkdirSync(dirname(join(project, quickStart.protoPath)), { recursive: true });
    writeFileSync(join(project, quickStart.protoPath), quickStart.proto);
    for (const [name, body] of quickStart.configs) writeFileSync(join(project, name), body);
    // The error hook imports the examples' tag.v1.Error schema; generating the examples'
    // tag.proto beside the README's own lets the hook type-check against real generated code.
    mkdirSync(join(project, "proto/tag/v1"), { recursive: true });
    copyFileSync(join(repoRoot, "examples/proto/tag/v1/tag.proto"), join(project, "proto/tag/v1/tag.proto"));

    // `npm install`, offline: every installed package links to the repo's copy, and
    // grpc-gateway-express is this repo, whose `source` export condition serves runtime/*.ts.
    const modules = join(project, "node_modules");
    mkdirSync(modules);
    for (const entry of readdirSync(join(repoRoot, "node_modules"))) {
      if (entry !== "grpc-gateway-express") symlinkSync(join(repoRoot, "node_modules", entry), join(modules, entry));
    }
    symlinkSync(repoRoot, join(modules, "grpc-gateway-express"), "dir");

    // The plugin from source through tsx, so the test needs no build.
    const shims = join(project, ".shims");
    mkdirSync(shims);
    writeShim(shims, pluginName, [process.execPath, "--import", import.meta.resolve("tsx"), join(repoRoot, "src/bin.ts")]);
    await bufGenerate(project, shims);

    const schema: Record<string, unknown> = await import(pathToFileURL(join(project, generated("_pb.ts"))).href);
    const service = required(Object.values(schema).find((v): v is DescService => (v as DescService | undefined)?.kind === "service"), "a service in the proto");
    backend = await startRecordingBackend([service]);
    backend.handle(({ request }) => ({ reply: { message: `Hello ${(request as Message & { name: string }).name}` } }));

    port = await freePort();
    const adapted = adaptMount(quickStart.mount, backend.address, port);
    readmePort = adapted.readmePort;
    writeFileSync(join(project, "server.ts"), adapted.source);
    // The hook replaces step 5's `createGateway()`, so it lacks that import.
    const hookImport = /import \{[^}]*\bcreateGateway\b/.test(quickStart.errorHook) ? "" : 'import { createGateway } from "grpc-gateway-express/runtime";\n';
    writeFileSync(join(project, "error-hook.ts"), hookImport + quickStart.errorHook);
    // Checked the way a user's strict project would compile them; `source` because a clean
    // checkout has no dist/*.d.ts. Started now so it overlaps the HTTP test.
    const compilerOptions = { target: "ES2022", module: "NodeNext", strict: true, exactOptionalPropertyTypes: true, verbatimModuleSyntax: true, skipLibCheck: true, noEmit: true, customConditions: ["source"] };
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["server.ts", "error-hook.ts"] }));
    typecheck = run(join(repoBin, "tsc"), ["-p", "tsconfig.json"], { cwd: project, timeout: 60_000, signal: typecheckAbort.signal }).then(
      () => "",
      (err: { stdout?: string }) => err.stdout || String(err),
    );
  });

  after(async () => {
    typecheckAbort.abort();
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill();
        await once(child, "exit");
      }
    }
    await backend?.close();
    if (project !== "") rmSync(project, { recursive: true, force: true });
  });

  test("buf generate writes the gateway file next to protoc-gen-es's", () => {
    assert.ok(existsSync(join(project, generated("_pb.ts"))), generated("_pb.ts"));
    assert.match(readFileSync(join(project, generated("_gateway.ts")), "utf8"), /export function register\w+Gateway\(/);
  });

  test("the npm bin (dist/, built by `prepare`) generates it too", { skip: !existsSync(join(repoRoot, "dist/src/bin.js")) && "no dist/: run `npm run prepare`" }, async () => {
    // As npm links it into node_modules/.bin: the bin file itself, run through its shebang.
    const realBin = join(project, ".real-bin");
    mkdirSync(realBin);
    symlinkSync(join(repoRoot, "bin", `${pluginName}.js`), join(realBin, pluginName));
    await bufGenerate(project, realBin, "--output", "real-bin-out");
    assert.match(readFileSync(join(project, "real-bin-out", generated("_gateway.ts")), "utf8"), /export function register\w+Gateway\(/);
  });

  test("the mounting code answers the curl lines", async () => {
    const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", "server.ts"], { cwd: project, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    // Ready once anything answers HTTP (Express's 404 for `/`); an early exit is a failure.
    const deadline = Date.now() + 15_000;
    while (!(await fetch(`http://localhost:${port}/`).then(() => true, () => false))) {
      assert.ok(child.exitCode === null && child.signalCode === null, `the mounting code exited:\n${output}`);
      assert.ok(Date.now() < deadline, `the mounting code never listened on port ${port}:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const curls = quickStart.shell.filter((line) => line.startsWith("curl "));
    assert.ok(curls.length >= 2, "the quick start shows GET and POST curl lines");
    for (const line of curls) {
      const req = parseCurl(line);
      assert.equal(Number(req.url.port), readmePort, `${line} targets the port the mounting code listens on`);
      req.url.port = String(port);
      const init: RequestInit = { method: req.method, headers: req.headers };
      if (req.body !== undefined) init.body = req.body;
      const res = await fetch(req.url, init);
      const text = await res.text();
      assert.equal(res.status, 200, `${line}\n${text}\n${output}`);
      assert.deepEqual(JSON.parse(text), { message: "Hello world" }, line);
    }
  });

  test("the mounting code and the error hook type-check in a strict ESM project", async () => {
    // The hook is type-checked, not run: running it needs a backend failing with a
    // tag.v1.Error detail, which examples.test.ts covers through examples/tags. What rots
    // in a snippet is its fit to the API (e.g. treating the hook's `res` as Express's),
    // and only the compiler sees that: Express's res would have run fine.
    assert.equal(await typecheck, "");
  });

  test("the npm lines install every package the code imports and every tool the configs run", () => {
    const installed = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)]);
    const sources = ["server.ts", "error-hook.ts", ...readdirSync(join(project, "gen"), { recursive: true, encoding: "utf8" }).map((f) => join("gen", f))];
    for (const file of sources.filter((f) => f.endsWith(".ts"))) {
      for (const [, specifier] of readFileSync(join(project, file), "utf8").matchAll(/from "([^".][^"]*)"/g)) {
        if (specifier!.startsWith("node:")) continue;
        const name = specifier!.split("/").slice(0, specifier!.startsWith("@") ? 2 : 1).join("/");
        assert.ok(installed.has(name), `${file} imports ${name}, which the quick start does not install`);
        assert.ok(hasOwnTypes(name) || installed.has(`@types/${name}`), `${name} ships no types and the quick start does not install @types/${name}`);
      }
    }
    const bins = new Set([...installed].flatMap(binsOf));
    const bufGenYaml = required(quickStart.configs.get("buf.gen.yaml"), "a buf.gen.yaml");
    for (const [, tool] of bufGenYaml.matchAll(/local: (\S+)/g)) assert.ok(bins.has(tool!), `no installed package provides ${tool}`);
    assert.ok(bins.has("buf"), "no installed package provides `buf` for `npx buf generate`");
    const bufYaml = required(quickStart.configs.get("buf.yaml"), "a buf.yaml");
    for (const [, module] of bufYaml.matchAll(/path: node_modules\/(\S+)/g)) assert.ok(installed.has(module!), `buf.yaml reads ${module}, which is not installed`);
  });
});
