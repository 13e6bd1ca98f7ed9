// Headless Chromium for the browser tests, from the npm registry alone: the dev dependency
// @sparticuz/chromium ships a Chromium headless shell (compressed) together with the shared
// libraries it needs beyond glibc (NSS, NSPR, expat) and a few fonts, so `npm install` is
// all a fresh Linux x64 machine needs. playwright-core drives it and downloads nothing.
//
// The package unpacks into os.tmpdir() and reuses what it finds there; here it unpacks
// once into node_modules/.cache instead, where a later run finds it again and nothing is
// left in the machine's temporary folder. CHROMIUM_PATH=/path/to/chromium runs the tests
// in a browser of one's own instead (with the machine's libraries and fonts).
import { execFile } from "node:child_process";
import { constants, existsSync } from "node:fs";
import { access, mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { chromium, type Browser } from "playwright-core";

const packageName = "@sparticuz/chromium";

/**
 * Flags for a root user (no sandbox) on a machine whose network is closed but for
 * loopback: without the background-networking ones Chromium keeps trying Google's hosts.
 * Not the package's own `args`: they are for AWS Lambda, and one of them, --single-process,
 * takes the whole browser down when the first page's context closes.
 */
const chromiumArgs = [
  "--no-sandbox",
  "--no-zygote",
  "--disable-gpu",
  "--in-process-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-domain-reliability",
  "--no-pings",
];

export interface ChromiumBuild {
  readonly executablePath: string;
  /** Variables for Chromium's process on top of this one's: where its libraries and fonts are. */
  readonly env: Readonly<Record<string, string>>;
  /** What a person should do when this one does not start. */
  readonly remedy: string;
}

/** The Chromium that the browser tests use: $CHROMIUM_PATH, or @sparticuz/chromium's. */
export async function findChromium(): Promise<ChromiumBuild> {
  const own = process.env["CHROMIUM_PATH"];
  if (own !== undefined && own !== "") {
    return { executablePath: own, env: {}, remedy: "CHROMIUM_PATH must name a Chromium binary that starts; unset it to use the one from npm" };
  }
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(`${packageName} ships a browser for Linux x64 only, not ${process.platform} ${process.arch}: set CHROMIUM_PATH to a Chromium binary`);
  }
  const remedy = `run \`npm install\` (the dev dependency ${packageName} ships the browser), or set CHROMIUM_PATH to a Chromium binary`;
  const dir = await unpackedSparticuz();
  const fontsConf = join(dir, "fonts.conf");
  // The package's own fonts.conf names its folders under /tmp; this one names the unpacked ones.
  const conf = [
    `<?xml version="1.0"?>`,
    `<!DOCTYPE fontconfig SYSTEM "fonts.dtd">`,
    `<fontconfig>`,
    `  <dir>${join(dir, "fonts", "fonts")}</dir>`,
    `  <cachedir>${join(dir, "fontconfig-cache")}</cachedir>`,
    `</fontconfig>`,
    ``,
  ].join("\n");
  if (!existsSync(fontsConf) || (await readFile(fontsConf, "utf8")) !== conf) await writeFile(fontsConf, conf);
  const libraryPath = [join(dir, "al2023", "lib"), process.env["LD_LIBRARY_PATH"]].filter((p) => p !== undefined && p !== "").join(":");
  return {
    executablePath: join(dir, "chromium"),
    env: { LD_LIBRARY_PATH: libraryPath, FONTCONFIG_FILE: fontsConf },
    remedy,
  };
}

/** A running headless Chromium; close() ends it and removes what it left in its temporary folder. */
export interface LaunchedChromium {
  readonly browser: Browser;
  close(): Promise<void>;
}

/** Starts headless Chromium, or throws an error that says what to do. */
export async function launchChromium(): Promise<LaunchedChromium> {
  let build: ChromiumBuild;
  try {
    build = await findChromium();
  } catch (err) {
    throw new Error(
      `The browser tests found no Chromium to start. To fix: run \`npm install\` (its dev dependency ${packageName} ships the browser), or set CHROMIUM_PATH to a Chromium binary.\n${(err as Error).message}`,
      { cause: err },
    );
  }
  // Checked here: for a missing binary, playwright-core leaves its temporary folders behind.
  try {
    await access(build.executablePath, constants.X_OK);
  } catch (err) {
    throw new Error(`The browser tests could not start Chromium: ${build.executablePath} is not an executable file. To fix: ${build.remedy}.`, { cause: err });
  }
  // Chromium's own temporary files (shared memory, as Playwright passes --disable-dev-shm-usage)
  // go here: now and then one outlives the browser, and this folder goes with it on close().
  const tmp = await mkdtemp(join(tmpdir(), "chromium-test-"));
  const removeTmp = () => rm(tmp, { recursive: true, force: true, maxRetries: 3 });
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: build.executablePath,
      args: chromiumArgs,
      headless: true,
      env: { ...(process.env as Record<string, string>), ...build.env, TMPDIR: tmp },
      timeout: 30_000,
    });
  } catch (err) {
    await removeTmp();
    throw new Error(`The browser tests could not start Chromium at ${build.executablePath}. To fix: ${build.remedy}.\n${(err as Error).message}`, {
      cause: err,
    });
  }
  return {
    browser,
    async close() {
      try {
        await browser.close();
      } finally {
        await removeTmp();
      }
    },
  };
}

/**
 * The folder holding the unpacked browser (chromium, al2023/lib/, fonts/, SwiftShader's libraries),
 * one per version of the package, unpacked on first use. The package does the unpacking, in a
 * child process whose temporary folder is a fresh one beside the cache, renamed into place
 * when complete: an interrupted run leaves no half-unpacked browser to be used later.
 */
async function unpackedSparticuz(): Promise<string> {
  const require = createRequire(import.meta.url);
  const entry = require.resolve(packageName);
  const packageDir = dirname(dirname(entry));
  const { version } = JSON.parse(await readFile(join(packageDir, "package.json"), "utf8")) as { version: string };
  const cacheRoot = join(dirname(dirname(packageDir)), ".cache");
  const dir = join(cacheRoot, `sparticuz-chromium-${version}`);
  if (existsSync(join(dir, "chromium"))) return dir;

  const staging = `${dir}.unpacking-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    const script = [
      `const { default: Chromium, inflate } = await import(${JSON.stringify(pathToFileURL(entry).href)});`,
      `await Chromium.executablePath();`,
      // Always unpacked, not only on Amazon Linux: a plain Debian has no NSS, NSPR or expat.
      `await inflate(${JSON.stringify(join(packageDir, "bin", "al2023.tar.br"))});`,
    ].join("\n");
    await promisify(execFile)(process.execPath, ["--input-type=module", "--eval", script], {
      env: { ...process.env, TMPDIR: staging },
      maxBuffer: 1 << 20,
    });
    if (!existsSync(join(staging, "chromium")) || !existsSync(join(staging, "al2023", "lib", "libnss3.so"))) {
      throw new Error(`unpacking left no chromium or al2023/lib/libnss3.so in ${staging}`);
    }
    try {
      await rename(staging, dir);
    } catch (err) {
      // Another run got there first: use its copy.
      if (!existsSync(join(dir, "chromium"))) throw err;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return dir;
}
