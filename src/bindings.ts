import { METHODS } from "node:http";
import { create, getExtension, hasExtension, type DescFile, type DescMethod, type DescService } from "@bufbuild/protobuf";
import { http, HttpRuleSchema, parsePathTemplate, PathTemplateError, templateKey, type HttpRule, type PathTemplate } from "grpc-gateway-express/internal";
import type { GatewayPluginOptions } from "./options.js";
import { checkBody, checkPathVariables, checkResponseBody, checkSuccess, type Report } from "./rule-fields.js";

/** One HTTP binding of a method, validated: what one entry of the generated route table holds. */
export interface Binding {
  /** GET, PUT, POST, DELETE, PATCH, or a custom rule's kind as written. */
  readonly httpMethod: string;
  /** The path template as written in the rule. */
  readonly path: string;
  /** `*` or a (dotted, proto-name) field path of the request; absent for no body. */
  readonly body?: string;
  /** A (dotted, proto-name) field path of the reply; absent for the whole reply. */
  readonly responseBody?: string;
  /** The separator of repeated path variables, when the rule has one and it is not `,`. */
  readonly repeatedPathSeparator?: string;
  /** False on a PATCH rule with a field body when allow_patch_feature=false. */
  readonly patchFieldMask?: false;
  /** The method's `(grpc_gateway_express.success).status`, when not 0 or 200. */
  readonly successStatus?: number;
  /** The method's `(grpc_gateway_express.success).headers`, when it has any. */
  readonly successHeaders?: readonly { readonly name: string; readonly value: string }[];
}

/** The bindings of one method, in rule order: the rule first, then its additional_bindings. */
export interface MethodBindings {
  readonly method: DescMethod;
  readonly bindings: readonly Binding[];
}

/** The bound methods of one service, in declaration order; unbound methods are left out. */
export interface ServiceBindings {
  readonly service: DescService;
  readonly methods: readonly MethodBindings[];
}

/** The binding model of one proto file, and every problem found in its rules. */
export interface FileBindings {
  readonly file: DescFile;
  /** Services with at least one bound method. */
  readonly services: readonly ServiceBindings[];
  /** One sentence per bad rule, naming the file, service, method and rule; empty when all is well. */
  readonly problems: readonly string[];
  /** One sentence per method left without a rule, when warn_on_unbound_methods asks for them. */
  readonly warnings: readonly string[];
}

/** The options that change which rules exist or are valid. */
export type BindingOptions = Pick<
  GatewayPluginOptions,
  "generateUnboundMethods" | "warnOnUnboundMethods" | "allowDeleteBody" | "repeatedPathSeparator" | "allowPatchFeature"
>;

/** Rules from outside the proto files (grpc_api_configuration), by the method's full name, with where they came from. */
export interface ExternalRules {
  /** The file the rules were read from, to name in error messages. */
  readonly source: string;
  readonly rules: ReadonlyMap<string, readonly HttpRule[]>;
}

// A rule to validate, with how error messages name it.
interface RuleSource {
  readonly rule: HttpRule;
  readonly label: string;
  readonly additional: boolean;
}

// Where a rule is reported, and which route (HTTP method + template shape) claims which rule.
interface FileScope {
  readonly options: BindingOptions;
  readonly problems: string[];
  readonly claimed: Map<string, string>;
}

/**
 * Turns the google.api.http rules of every method in `file` into bindings, checking each
 * against the request and reply messages (grpc-gateway's `internal/descriptor/services.go`
 * semantics). Collects every problem rather than stopping at the first, so one run of
 * generation shows them all.
 */
export function bindFile(file: DescFile, options: BindingOptions, external?: ExternalRules): FileBindings {
  const scope: FileScope = { options, problems: [], claimed: new Map() };
  const services: ServiceBindings[] = [];
  const warnings: string[] = [];
  for (const service of file.services) {
    const methods: MethodBindings[] = [];
    for (const method of service.methods) {
      const bindings: Binding[] = [];
      const sources = rulesOf(method, options, external);
      if (sources.length === 0 && options.warnOnUnboundMethods) {
        warnings.push(`${file.proto.name}: service ${service.typeName}, method ${method.name} has no google.api.http rule, so it gets no HTTP route`);
      }
      for (const source of sources) {
        const binding = bindRule(method, source, scope);
        if (binding !== undefined) {
          bindings.push(binding);
        }
      }
      if (bindings.length > 0) {
        methods.push({ method, bindings });
      }
    }
    if (methods.length > 0) {
      services.push({ service, methods });
    }
  }
  return { file, services, problems: scope.problems, warnings };
}

// The rules of the configuration file for the method, then its own rule, each followed by its
// additional_bindings (grpc-gateway adds a file's rules to the annotation, file first); or, for
// a method with neither, the rule grpc-gateway derives for an unbound method (the gRPC wire
// path, POST, whole message as body).
function rulesOf(method: DescMethod, options: BindingOptions, external: ExternalRules | undefined): RuleSource[] {
  const sources: RuleSource[] = [];
  for (const rule of external?.rules.get(methodFullName(method)) ?? []) {
    sources.push(...withAdditional(rule, ` (${external!.source})`));
  }
  const methodOptions = method.proto.options;
  if (methodOptions !== undefined && hasExtension(methodOptions, http)) {
    sources.push(...withAdditional(getExtension(methodOptions, http), ""));
  }
  if (sources.length === 0 && options.generateUnboundMethods) {
    const path = `/${method.parent.typeName}/${method.name}`;
    const rule = create(HttpRuleSchema, { pattern: { case: "post", value: path }, body: "*" });
    sources.push({ rule, label: `generated rule "${ruleText(rule)}"`, additional: false });
  }
  return sources;
}

/** `package.Service.Method`, as a configuration's selector names the method. */
export function methodFullName(method: DescMethod): string {
  return `${method.parent.typeName}.${method.name}`;
}

function withAdditional(rule: HttpRule, from: string): RuleSource[] {
  return [
    { rule, label: `rule "${ruleText(rule)}"${from}`, additional: false },
    ...rule.additionalBindings.map((b) => ({ rule: b, label: `additional binding "${ruleText(b)}"${from}`, additional: true })),
  ];
}

/** A rule as one short line for error messages, e.g. `get: /v1/{name}` or `custom SEARCH: /v1/items`. */
function ruleText(rule: HttpRule): string {
  switch (rule.pattern.case) {
    case undefined:
      return "(no pattern)";
    case "custom":
      return `custom ${rule.pattern.value.kind}: ${rule.pattern.value.path}`;
    default:
      return `${rule.pattern.case}: ${rule.pattern.value}`;
  }
}

// Validates one rule and returns its binding, or reports why it is wrong and returns
// undefined. Checks go on after a problem where they still make sense, so one run shows
// every mistake in the rule.
function bindRule(method: DescMethod, source: RuleSource, scope: FileScope): Binding | undefined {
  const { rule } = source;
  const before = scope.problems.length;
  const report: Report = (problem) =>
    scope.problems.push(`${method.parent.file.proto.name}: service ${method.parent.typeName}, method ${method.name}, ${source.label}: ${problem}`);
  if (source.additional && rule.additionalBindings.length > 0) {
    report("an additional binding must not have additional_bindings of its own");
  }
  const pattern = methodAndPath(rule, report);
  if (pattern === undefined) {
    return undefined;
  }
  const { httpMethod, path } = pattern;
  const template = parseTemplate(path, report);
  const repeatedVariable = template !== undefined && checkPathVariables(method, template, report);
  const body = checkBody(method, httpMethod, rule.body, scope.options.allowDeleteBody, report);
  const responseBody = checkResponseBody(method, rule.responseBody, report);
  const success = checkSuccess(method, report);
  if (template !== undefined && scope.problems.length === before) {
    const key = routeKey(httpMethod, template);
    const owner = scope.claimed.get(key);
    if (owner !== undefined) {
      report(`${httpMethod} ${path} matches the same requests as ${owner}`);
    } else {
      scope.claimed.set(key, `service ${method.parent.typeName}, method ${method.name}, ${source.label}`);
    }
  }
  if (scope.problems.length > before) {
    return undefined;
  }
  return {
    httpMethod,
    path,
    ...(body !== undefined ? { body } : {}),
    ...(responseBody !== undefined ? { responseBody } : {}),
    // Printed only where they change something, so that routes under the defaults read as before.
    ...(repeatedVariable && scope.options.repeatedPathSeparator !== "," ? { repeatedPathSeparator: scope.options.repeatedPathSeparator } : {}),
    ...(httpMethod === "PATCH" && body !== undefined && body !== "*" && !scope.options.allowPatchFeature ? { patchFieldMask: false as const } : {}),
    ...success,
  };
}

function methodAndPath(rule: HttpRule, report: Report): { httpMethod: string; path: string } | undefined {
  switch (rule.pattern.case) {
    case undefined:
      report("it must set one of get, put, post, delete, patch or custom");
      return undefined;
    case "custom": {
      const { kind, path } = rule.pattern.value;
      if (kind === "*") {
        // The spec's "any method" wildcard; the router matches methods exactly, so such a
        // route would never answer (grpc-gateway emits it all the same).
        report(`custom kind "*" (any method) is not supported; write one rule per HTTP method`);
        return undefined;
      }
      // Node's HTTP parser answers 400 to any other method (and methods are case-sensitive),
      // so a route for one could never be reached.
      if (!METHODS.includes(kind)) {
        report(`custom kind "${kind}" is not a method the Node.js HTTP server accepts (see http.METHODS)`);
        return undefined;
      }
      return { httpMethod: kind, path };
    }
    default:
      return { httpMethod: rule.pattern.case.toUpperCase(), path: rule.pattern.value };
  }
}

function parseTemplate(path: string, report: Report): PathTemplate | undefined {
  try {
    return parsePathTemplate(path);
  } catch (error) {
    if (error instanceof PathTemplateError) {
      report(`invalid path template: ${error.message}`);
      return undefined;
    }
    throw error;
  }
}

/**
 * What makes two routes duplicates: the same HTTP method and a template that matches the same
 * requests, by the runtime's own canonical form (variable names and extents dropped, so
 * `/v1/{name=messages/*}` and `/v1/messages/{id}` collide), since the gateway refuses
 * such a pair at registration and generation should fail first.
 */
function routeKey(httpMethod: string, template: PathTemplate): string {
  return `${httpMethod} ${templateKey(template)}`;
}
