// grpc-gateway-express/internal: what the plugin shares with the runtime, so that both
// decide the template grammar and field paths in one place. Not for apps; no stability promise.
export { http } from "./gen/google/api/annotations_pb.js";
export { HttpRuleSchema, type HttpRule } from "./gen/google/api/http_pb.js";
export { parsePathTemplate, PathTemplateError, templateKey, type PathTemplate, type TemplateVariable } from "./routing/path-template.js";
export { isTraversable } from "./binding/field-path.js";
