// The examples' API docs: the merged OpenAPI document that `buf generate` writes
// (gen/openapi.json, from buf.gen.yaml's second plugin entry) at /openapi.json, and Swagger UI
// over it at /docs/, its files served from the swagger-ui-dist package, so no CDN is needed.
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import express, { type Express } from "express";

/** Where the docs page is served. */
export const docsPagePath = "/docs/";

/** Where the OpenAPI document of every example service is served. */
export const openApiPath = "/openapi.json";

/** The merged document generated for Greeter, TagService and ChatHub. */
export const openApiFile = fileURLToPath(new URL("../gen/openapi.json", import.meta.url));

const pageDir = fileURLToPath(new URL("./page/", import.meta.url));
const swaggerUiDir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));

/** Serves the OpenAPI document at {@link openApiPath} and the docs page at {@link docsPagePath}. */
export function mountDocsPage(app: Express): void {
  app.get(openApiPath, (_req, res) => {
    res.sendFile(openApiFile, (err) => {
      // Only a checkout that was never generated lacks it; say so rather than show a stack.
      if (err !== undefined && !res.headersSent) res.status(500).type("text/plain").send("no OpenAPI document: run `npm run generate`\n");
    });
  });
  // `/docs` redirects to `/docs/`, so the page's relative links resolve inside it. The page's
  // own index.html comes first: the package's would load its demo document instead.
  const docs = docsPagePath.slice(0, -1);
  app.use(docs, express.static(pageDir));
  app.use(docs, express.static(swaggerUiDir, { index: false }));
}
