// Swagger UI over the examples' merged OpenAPI document. The document names no servers, so
// "Try it out" sends each request to this page's origin: the gateway that serves it.
// validatorUrl null: Swagger UI would otherwise fetch a badge from its public validator.
globalThis.SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#docs",
  validatorUrl: null,
  deepLinking: true,
});
