/**
 * What the plugin shares with the runtime, so that generation refuses exactly what
 * registration would: the path template grammar, field-path resolution, which fields a
 * path variable can bind (the text-form rule, messageTextForm, applied to paths), and the
 * google.api annotation schemas. The plugin reaches the runtime only through this module
 * (the package entry `grpc-gateway-express/internal`); none of it is public API.
 */
export { http } from "./gen/google/api/annotations_pb.js";
export { HttpRuleSchema, HttpSchema, type HttpRule } from "./gen/google/api/http_pb.js";
export { parsePathTemplate, PathTemplateError, templateKey, type PathTemplate, type TemplateVariable } from "./routing/path-template.js";
export { walkFieldPath, type FieldPathProblem, type FieldPathResolution } from "./binding/field-path.js";
export { pathVariableRefusal, type PathVariableRefusal } from "./binding/path-variable.js";
export { isTraversable } from "./binding/field-path.js";
export { messageTextForm, type MessageTextForm } from "./binding/field-text.js";
export { success, type Success, type Header as SuccessHeader } from "./gen/grpc_gateway_express/options_pb.js";
export { isHeaderField, parseHeaderTemplate, type HeaderTemplatePart } from "./binding/success-reply.js";
