// A second, separate copy of @grpc/grpc-js in this process, as an app gets when its
// dependencies resolve grpc-js twice: the same API, but classes that are not this
// copy's, so `instanceof` against the runtime's grpc-js fails for its objects.
import { createRequire } from "node:module";
import { dirname, sep } from "node:path";

const require = createRequire(import.meta.url);

/** Loads @grpc/grpc-js afresh, leaving the module cache as it was for everyone else. */
export function loadSecondGrpcJs(): typeof import("@grpc/grpc-js") {
  const entry = require.resolve("@grpc/grpc-js");
  // The package directory: .../@grpc/grpc-js/build/src/index.js -> .../@grpc/grpc-js/
  const root = dirname(dirname(dirname(entry))) + sep;
  const ours = (key: string) => key.startsWith(root) && !key.slice(root.length).includes(`node_modules${sep}`);
  const saved = Object.entries(require.cache).filter(([key]) => ours(key));
  for (const [key] of saved) delete require.cache[key];
  try {
    return require("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
  } finally {
    for (const key of Object.keys(require.cache)) if (ours(key)) delete require.cache[key];
    for (const [key, module] of saved) require.cache[key] = module;
  }
}
