/**
 * Which build of the runtime the bench measures. By default the one users run: the
 * package's compiled `runtime/dist/` (`npm run build`, which `npm install` runs via
 * `prepare`), which the servers reach as `grpc-gateway-express/runtime` without the
 * `source` condition. tsx's on-the-fly TypeScript output is not that code: it wraps every
 * closure in a `__name(...)` call (esbuild's keepNames), a per-request cost only the
 * benchmark would pay. BENCH_RUNTIME=source measures the TypeScript sources instead.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** True when the servers run the runtime's TypeScript sources (BENCH_RUNTIME=source). */
export const fromSource = process.env.BENCH_RUNTIME === "source";

/** Node flags that select the runtime build for `grpc-gateway-express/runtime`. */
export const runtimeConditions: readonly string[] = fromSource ? ["--conditions=source"] : [];

/** Compiles the runtime into runtime/dist/ (nothing to do when measuring the sources). */
export function buildRuntime(): void {
  if (fromSource || process.env.BENCH_RUNTIME_DIR !== undefined) return;
  execFileSync("npm", ["run", "build", "--workspace", "runtime"], { cwd: root, stdio: "inherit" });
}

/**
 * Imports a runtime module (`router`, `binding` ...) from the build being measured, or
 * from BENCH_RUNTIME_DIR (a directory inside the repo holding another build of runtime/,
 * for before/after comparisons of bench:micro).
 */
export async function runtimeModule<T>(name: string): Promise<T> {
  const dir = process.env.BENCH_RUNTIME_DIR;
  const url =
    dir !== undefined ? pathToFileURL(join(dir, `${name}.js`)) : new URL(`${fromSource ? "../../runtime/" : "../../runtime/dist/"}${name}.js`, import.meta.url);
  return (await import(url.href)) as T;
}
