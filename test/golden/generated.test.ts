// Committed generated code is the golden file: regenerate every buf template into a
// scratch directory and fail on any difference, so a generator change shows up in review.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, test } from "node:test";

const root = new URL("../..", import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), "golden-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

const templates: Record<string, string[]> = {
  "buf.gen.yaml": ["examples/gen", "examples/backend-gen"],
  "buf.gen.test.yaml": ["test/gen"],
  "buf.gen.runtime.yaml": ["runtime/gen"],
  "buf.gen.bench.yaml": ["bench/gen", "bench/backend-gen"],
  "buf.gen.options.yaml": ["test/options/gen"],
  "buf.gen.plugin.yaml": ["src/gen"],
};

for (const [template, outputs] of Object.entries(templates)) {
  test(`${template} regenerates exactly the committed files`, () => {
    const out = join(scratch, template);
    const env = { ...process.env, PATH: `${join(root, "node_modules/.bin")}:${process.env.PATH ?? ""}` };
    execFileSync("buf", ["generate", "--template", template, "-o", out], { cwd: root, stdio: "pipe", env });
    for (const dir of outputs) {
      const committed = listFiles(join(root, dir));
      const fresh = listFiles(join(out, dir));
      assert.deepEqual([...fresh.keys()], [...committed.keys()], `${dir}: generated files differ from the committed ones`);
      for (const [name, content] of fresh) {
        assert.equal(committed.get(name), content, `${dir}/${name} differs from a fresh generation: run npm run generate`);
      }
    }
  });
}

function listFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path, "utf8"));
    }
  };
  walk(dir);
  return files;
}
