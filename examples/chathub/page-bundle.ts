import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const entry = fileURLToPath(new URL("./page-client.ts", import.meta.url));

/**
 * The generated ChatHub client as one browser ES module, bundled from source with
 * @bufbuild/protobuf (its only dependency): built on first request, so that a fresh clone
 * needs no build step beyond `npm install` and the page always runs the current client.
 */
export async function bundleChatClient(): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    // The workspace runtime's TypeScript sources, as the examples run with tsx --conditions=source.
    conditions: ["source"],
    minify: true,
    legalComments: "none",
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}
