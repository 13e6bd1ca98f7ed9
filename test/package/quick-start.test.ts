// What users install, tested as they install it: both packages are packed, installed from
// their tarballs in an empty folder with everything else from the registry, and the README's
// "Quick start in your own project" runs there as written: its files are written, its shell
// lines run in order (npm, npx buf generate, npx tsc, npx tsx in the background, kill, curl).
// The only edit is the two ports (8080, 50051), swapped for free ones so runs never collide.
// It runs twice: with the newest peers and with the oldest that runtime/package.json admits.
import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), "quick-start-"));
const installTimeout = 300_000;

/** The packages this repo publishes: workspace folder by package name. */
const workspaces = { "grpc-gateway-express": "runtime", "protoc-gen-grpc-gateway-express": "src" } as const;
type PackageName = keyof typeof workspaces;

/** npm's own variables (set when this runs under `npm test`) would steer the nested npm. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith("npm_")));
}

interface Block {
  readonly lang: string;
  readonly body: string;
}

/** Fenced blocks of the quick start, dedented to their fence (list items indent them). */
function quickStartBlocks(): Block[] {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const start = readme.indexOf("## Quick start in your own project");
  assert.ok(start >= 0, "README.md has a '## Quick start in your own project' section");
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^( *)```(\w*)\n([\s\S]*?)^\1```$/gm)].map((m) => {
    const indent = m[1]!.length;
    const body = m[3]!
      .replace(/\n$/, "")
      .split("\n")
      .map((line) => line.slice(Math.min(indent, line.search(/\S|$/))))
      .join("\n");
    return { lang: m[2]!, body };
  });
}

/** A file block names its file on its first line (`// server.ts`, `# buf.yaml`). */
function fileNameOf(block: Block): string | undefined {
  return /^(?:\/\/|#) ([\w./-]+\.\w+)$/.exec(block.body.split("\n")[0]!)?.[1];
}

/** Shell words: '...' literally, "..." with backslash escapes, or bare. */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => m[1] ?? m[2]?.replace(/\\(.)/g, "$1") ?? m[3]!);
}

interface CurlRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

/** One curl line as a request, with curl's defaults. */
function parseCurl(words: readonly string[]): CurlRequest {
  const rest = words.slice(1);
  let method: string | undefined;
  let url: URL | undefined;
  let body: string | undefined;
  const headers: Record<string, string> = {};
  while (rest.length > 0) {
    const word = rest.shift()!;
    const value = (): string => {
      const next = rest.shift();
      assert.ok(next !== undefined, `a value after ${word}`);
      return next;
    };
    if (word === "-X" || word === "--request") method = value();
    else if (word === "-H" || word === "--header") {
      const [name, ...parts] = value().split(":");
      headers[name!.trim()] = parts.join(":").trim();
    } else if (word === "-d" || word === "--data" || word === "--data-raw") body = value();
    else if (word.startsWith("-")) assert.fail(`the quick start test does not know the curl option ${word}`);
    else url = new URL(/^https?:\/\//.test(word) ? word : `http://${word}`);
  }
  assert.ok(url !== undefined, `a URL in: curl ${words.join(" ")}`);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
    headers["Content-Type"] = "application/x-www-form-urlencoded";
  }
  return { method: method ?? (body === undefined ? "GET" : "POST"), url, headers, body };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "localhost", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A program started by a `... &` line, with what it printed so far. */
interface Job {
  readonly child: ChildProcess;
  readonly command: string;
  output: string;
}

/**
 * Runs the quick start in `project`. `pins` adds versions to registry packages named in the
 * npm lines (the oldest-peers run); tarballs replace this repo's package names.
 */
async function runQuickStart(project: string, tarballs: Record<PackageName, string>, pins: Record<string, string>): Promise<string[]> {
  const blocks = quickStartBlocks();
  const ports = { 8080: await freePort(), 50051: await freePort() };
  const swapPorts = (text: string) => text.replaceAll("8080", String(ports[8080])).replaceAll("50051", String(ports[50051]));
  const env = cleanEnv();
  const jobs: Job[] = [];
  const transcript: string[] = [];
  try {
    for (const block of blocks) {
      const file = fileNameOf(block);
      if (block.lang !== "sh") {
        assert.ok(file !== undefined, `every non-shell block of the quick start names its file on its first line:\n${block.body}`);
        mkdirSync(dirname(join(project, file)), { recursive: true });
        writeFileSync(join(project, file), `${swapPorts(block.body)}\n`);
        continue;
      }
      for (const raw of block.body.split("\n")) {
        const line = swapPorts(raw.replace(/\s+#.*$/, "").trim());
        if (line === "") continue;
        transcript.push(line);
        const background = line.endsWith("&");
        const words = shellWords(background ? line.slice(0, -1) : line);
        if (words[0] === "curl") {
          const req = parseCurl(words);
          const init: RequestInit = { method: req.method, headers: req.headers };
          if (req.body !== undefined) init.body = req.body;
          const res = await fetch(req.url, init);
          const text = await res.text();
          assert.equal(res.status, 200, `${line}\n${text}\n${jobs.map((j) => j.output).join("\n")}`);
          if (new URL(req.url).pathname === "/openapi.json") {
            // The generated document, served beside the API: it describes the Greeter's routes.
            const doc = JSON.parse(text) as { openapi: string; paths: Record<string, unknown> };
            assert.equal(doc.openapi, "3.1.0", line);
            assert.deepEqual(Object.keys(doc.paths), ["/v1/greeter/{name}", "/v1/greeter"], line);
          } else if (new URL(req.url).pathname === "/ping") {
            // Not a gateway route: the front door handed it to the Express app.
            assert.equal(text, "pong", line);
          } else {
            assert.deepEqual(JSON.parse(text), { message: "Hello world" }, line);
          }
        } else if (words[0] === "kill") {
          const job = jobs[Number(/^%(\d+)$/.exec(words[1] ?? "")?.[1]) - 1];
          assert.ok(job !== undefined, `${line} names a background job`);
          await stop(job.child);
        } else if (background) {
          assert.deepEqual(words.slice(0, 2), ["npx", "tsx"], `the quick start test runs only \`npx tsx <file> &\` in the background: ${line}`);
          // Its own process group: tsx runs the program in a child process, and `kill` must stop both.
          const child = spawn(join(project, "node_modules/.bin/tsx"), words.slice(2), { cwd: project, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
          const job: Job = { child, command: line, output: "" };
          jobs.push(job);
          child.stdout!.on("data", (chunk: Buffer) => (job.output += chunk.toString()));
          child.stderr!.on("data", (chunk: Buffer) => (job.output += chunk.toString()));
          await waitForListening(job, Object.values(ports));
        } else {
          assert.ok(words[0] === "npm" || words[0] === "npx", `the quick start test does not know how to run: ${line}`);
          const args = words.slice(1);
          if (words[0] === "npm" && args[0] === "install") {
            for (let i = 1; i < args.length; i++) {
              const name = args[i]!;
              if (name in tarballs) args[i] = tarballs[name as PackageName];
              else if (name in pins) args[i] = `${name}@${pins[name]}`;
            }
            args.push("--no-audit", "--no-fund", "--prefer-offline");
          }
          const bin = words[0] === "npx" ? "npx" : "npm";
          await run(bin, args, { cwd: project, env, timeout: installTimeout, maxBuffer: 16 << 20 }).catch((err: { stdout?: string; stderr?: string }) => {
            assert.fail(`${line} failed:\n${err.stdout ?? ""}\n${err.stderr ?? String(err)}`);
          });
        }
      }
    }
  } finally {
    for (const job of jobs) await stop(job.child);
  }
  return transcript;
}

/** A background server is ready once it says where it listens: the port it was given. */
async function waitForListening(job: Job, ports: readonly number[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!ports.some((port) => new RegExp(`listening on \\S*:${port}\\b`).test(job.output))) {
    assert.ok(job.child.exitCode === null && job.child.signalCode === null, `${job.command} exited:\n${job.output}`);
    assert.ok(Date.now() < deadline, `${job.command} never said where it listens:\n${job.output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  try {
    process.kill(-child.pid!, "SIGTERM");
  } catch {
    child.kill();
  }
  await exited;
}

/** Packs both workspaces (prepack builds them) and lists what each tarball holds. */
async function pack(): Promise<{ tarballs: Record<PackageName, string>; contents: Record<PackageName, string[]> }> {
  const out = join(scratch, "tarballs");
  mkdirSync(out);
  const args = ["pack", "--json", "--pack-destination", out, ...Object.values(workspaces).flatMap((w) => ["--workspace", w])];
  const { stdout } = await run("npm", args, { cwd: repoRoot, env: cleanEnv(), timeout: installTimeout, maxBuffer: 16 << 20 });
  const packed = JSON.parse(stdout) as { name: PackageName; filename: string; files: { path: string }[] }[];
  const tarballs = {} as Record<PackageName, string>;
  const contents = {} as Record<PackageName, string[]>;
  for (const p of packed) {
    tarballs[p.name] = join(out, p.filename);
    contents[p.name] = p.files.map((f) => f.path);
  }
  return { tarballs, contents };
}

/** The lowest versions runtime/package.json's peer ranges admit (`^2.12.0` -> 2.12.0). */
function oldestPeers(): Record<string, string> {
  const { peerDependencies } = JSON.parse(readFileSync(join(repoRoot, "runtime/package.json"), "utf8")) as { peerDependencies: Record<string, string> };
  const pins: Record<string, string> = {};
  for (const [name, range] of Object.entries(peerDependencies)) {
    const lowest = /^\^(\d+\.\d+\.\d+)$/.exec(range)?.[1];
    assert.ok(lowest !== undefined, `peer range ${name}@${range} has the form ^x.y.z`);
    pins[name] = lowest;
  }
  // protoc-gen-es writes code for the @bufbuild/protobuf of its own version.
  pins["@bufbuild/protoc-gen-es"] = pins["@bufbuild/protobuf"]!;
  return pins;
}

describe("the packed packages", { concurrency: true }, () => {
  let packed: Awaited<ReturnType<typeof pack>>;
  before(async () => {
    packed = await pack();
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test("ship built code, types, bin, README and LICENSE, and nothing of the repository", () => {
    for (const [name, files] of Object.entries(packed.contents)) {
      for (const file of files) {
        assert.match(file, /^(dist\/.*\.(js|d\.ts)|bin\/[\w-]+\.js|proto\/[\w/]+\.proto|README\.md|LICENSE|package\.json)$/, `${name} ships ${file}`);
      }
      for (const required of ["README.md", "LICENSE", "package.json"]) assert.ok(files.includes(required), `${name} ships ${required}`);
    }
    assert.ok(packed.contents["grpc-gateway-express"].includes("dist/index.d.ts"), "the runtime ships its types");
    assert.ok(packed.contents["grpc-gateway-express"].includes("proto/grpc_gateway_express/options.proto"), "the runtime ships its options proto");
    assert.ok(packed.contents["protoc-gen-grpc-gateway-express"].includes("bin/protoc-gen-grpc-gateway-express.js"), "the plugin ships its bin");
  });

  test("a runtime-only install holds no compiler, no plugin dependency and no express", async () => {
    const project = join(scratch, "runtime-only");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "runtime-only", private: true, type: "module" }));
    const args = ["install", packed.tarballs["grpc-gateway-express"], "@bufbuild/protobuf", "@grpc/grpc-js", "--no-audit", "--no-fund", "--prefer-offline"];
    await run("npm", args, { cwd: project, env: cleanEnv(), timeout: installTimeout });
    const installed = readdirSync(join(project, "node_modules"), { recursive: true, encoding: "utf8" });
    assert.ok(installed.includes("ws"), "the runtime's own dependency is installed");
    for (const absent of ["typescript", "@bufbuild/protoplugin", "express", "@bufbuild/buf"]) {
      assert.ok(!installed.some((p) => p === absent || p.endsWith(`/node_modules/${absent}`)), `a runtime-only install pulls in ${absent}`);
    }
    const { stdout } = await run(
      process.execPath,
      ["--input-type=module", "-e", 'import("grpc-gateway-express").then((m) => console.log(typeof m.createGateway))'],
      { cwd: project },
    );
    assert.equal(stdout.trim(), "function");
  });

  for (const [label, pins] of [
    ["the newest peers", {}],
    ["the oldest peers the ranges admit", oldestPeers()],
  ] as const) {
    test(`the README quick start runs as written, with ${label}`, async () => {
      const project = join(scratch, label.replaceAll(" ", "-"));
      mkdirSync(project);
      const transcript = await runQuickStart(project, packed.tarballs, pins);
      for (const step of ["npx buf generate", "npx tsc", "npx tsx server.ts &", "npx tsx backend.ts &", "npx tsx gateway.ts &"]) {
        assert.ok(
          transcript.some((line) => line.startsWith(step)),
          `the quick start runs \`${step}\``,
        );
      }
      const { stdout } = await run("npm", ["ls", "--json", ...Object.keys(pins)], { cwd: project, env: cleanEnv() });
      const deps = (JSON.parse(stdout) as { dependencies: Record<string, { version: string }> }).dependencies;
      for (const [name, version] of Object.entries(pins)) assert.equal(deps[name]?.version, version, `${name} is the pinned ${version}`);
    });
  }
});
