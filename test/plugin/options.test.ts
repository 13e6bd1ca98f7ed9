// The plugin options taken from protoc-gen-grpc-gateway (main.go's flags): each changes the
// generated routes as in grpc-gateway, or is refused with the reason it does not apply.
import assert from "node:assert/strict";
import { before, describe, it, mock } from "node:test";
import type { FileDescriptorSet } from "@bufbuild/protobuf/wkt";
import { protocGenGrpcGatewayExpress } from "../../src/plugin.js";
import { compileProtos, createRequest } from "../support/compile-proto.js";

const itemsProto = `syntax = "proto3";
package opts.v1;
import "google/api/annotations.proto";
import "google/protobuf/field_mask.proto";

service Items {
  rpc List(ListRequest) returns (Item) {
    option (google.api.http) = {
      get: "/v1/items/{ids}"
      additional_bindings { get: "/v1/shelves/{shelf}/items" }
    };
  }
  rpc Update(UpdateRequest) returns (Item) {
    option (google.api.http) = {
      patch: "/v1/items/{item.id}"
      body: "item"
      additional_bindings { patch: "/v1/items" body: "*" }
    };
  }
  rpc Tag(TagRequest) returns (Item) {
    option (google.api.http) = { post: "/v1/items/{id}:tag" body: "tags" };
  }
  rpc Forgotten(ListRequest) returns (Item);
}

service Quiet {
  rpc Hush(ListRequest) returns (Item);
}

message ListRequest { repeated string ids = 1; string shelf = 2; }
message Item { string id = 1; }
message UpdateRequest { Item item = 1; google.protobuf.FieldMask update_mask = 2; }
message TagRequest { string id = 1; repeated string tags = 2; }
`;

let set: FileDescriptorSet;

function generate(parameter: string): string[] {
  const response = protocGenGrpcGatewayExpress.run(createRequest(set, ["opts/v1/items.proto"], parameter));
  assert.equal(response.error ?? "", "");
  return (response.file[0]?.content ?? "").split("\n");
}

const routes = (lines: string[]) => lines.filter((l) => l.startsWith("  { method:"));

function optionError(parameter: string): string {
  try {
    generate(parameter);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  assert.fail(`options ${parameter} were accepted`);
}

// Runs the plugin and returns what it wrote on stderr.
function stderrOf(parameter: string): string {
  const written: string[] = [];
  const write = mock.method(process.stderr, "write", (chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    generate(parameter);
  } finally {
    write.mock.restore();
  }
  return written.join("");
}

describe("plugin options from protoc-gen-grpc-gateway", () => {
  before(() => {
    set = compileProtos({ "opts/v1/items.proto": itemsProto });
  });

  it("repeated_path_param_separator: prints the separator on routes with a repeated path variable, and only when not csv", () => {
    const defaults = routes(generate("target=ts"));
    assert.deepEqual(routes(generate("target=ts,repeated_path_param_separator=csv")), defaults);
    assert.ok(defaults.includes(`  { method: Items.method.list, httpMethod: "GET", path: "/v1/items/{ids}" },`));
    for (const [name, separator] of [
      ["pipes", "|"],
      ["ssv", " "],
      ["tsv", "\\t"],
    ]) {
      assert.deepEqual(routes(generate(`target=ts,repeated_path_param_separator=${name}`)).slice(0, 2), [
        `  { method: Items.method.list, httpMethod: "GET", path: "/v1/items/{ids}", repeatedPathSeparator: "${separator}" },`,
        `  { method: Items.method.list, httpMethod: "GET", path: "/v1/shelves/{shelf}/items" },`,
      ]);
    }
    assert.equal(
      optionError("target=ts,repeated_path_param_separator=semicolons"),
      `invalid option "repeated_path_param_separator=semicolons": option "repeated_path_param_separator" must be csv, pipes, ssv or tsv, got "semicolons"`,
    );
  });

  it("allow_patch_feature=false: marks PATCH routes with a field body, which the runtime then leaves unmasked", () => {
    const update = (lines: string[]) => routes(lines).filter((l) => l.includes("Items.method.update"));
    assert.deepEqual(update(generate("target=ts,allow_patch_feature=true")), update(generate("target=ts")));
    assert.deepEqual(update(generate("target=ts,allow_patch_feature=false")), [
      `  { method: Items.method.update, httpMethod: "PATCH", path: "/v1/items/{item.id}", body: "item", patchFieldMask: false },`,
      `  { method: Items.method.update, httpMethod: "PATCH", path: "/v1/items", body: "*" },`,
    ]);
  });

  it("register_func_suffix: the end of each registering function's name (Gateway by default, Handler as in Go)", () => {
    assert.ok(generate("target=ts").includes("export function registerItemsGateway(gateway: Gateway, backend: Backend): void {"));
    assert.ok(generate("target=ts,register_func_suffix=Handler").includes("export function registerItemsHandler(gateway: Gateway, backend: Backend): void {"));
    assert.ok(generate("target=ts,register_func_suffix=").includes("export function registerItems(gateway: Gateway, backend: Backend): void {"));
    assert.equal(
      optionError("target=ts,register_func_suffix=Hand-ler"),
      `invalid option "register_func_suffix=Hand-ler": option "register_func_suffix" must be letters, digits, _ or $ (the end of a function name), got "Hand-ler"`,
    );
  });

  it("warn_on_unbound_methods: a warning on stderr for each method without a rule, none by default", () => {
    assert.equal(stderrOf("target=ts"), "");
    assert.equal(
      stderrOf("target=ts,warn_on_unbound_methods=true"),
      "protoc-gen-grpc-gateway-express: warning: opts/v1/items.proto: service opts.v1.Items, method Forgotten has no google.api.http rule, so it gets no HTTP route\n" +
        "protoc-gen-grpc-gateway-express: warning: opts/v1/items.proto: service opts.v1.Quiet, method Hush has no google.api.http rule, so it gets no HTTP route\n",
    );
    assert.equal(
      stderrOf("target=ts,warn_on_unbound_methods=true,generate_unbound_methods=true"),
      "protoc-gen-grpc-gateway-express: warning: option warn_on_unbound_methods has no effect with generate_unbound_methods, which binds every method\n",
    );
  });

  it("allow_repeated_fields_in_body: a repeated body field is always accepted, so true is a no-op and false is refused", () => {
    const tag = `  { method: Items.method.tag, httpMethod: "POST", path: "/v1/items/{id}:tag", body: "tags" },`;
    assert.ok(generate("target=ts").includes(tag));
    assert.ok(generate("target=ts,allow_repeated_fields_in_body=true").includes(tag));
    assert.equal(
      optionError("target=ts,allow_repeated_fields_in_body=false"),
      `invalid option "allow_repeated_fields_in_body=false": option "allow_repeated_fields_in_body" cannot be false: a body naming a repeated field is always accepted, as in grpc-gateway`,
    );
  });

  it("refuses the options that do not apply to TypeScript, saying why, and still refuses unknown ones", () => {
    assert.equal(
      optionError("target=ts,standalone=true"),
      `invalid option "standalone=true": option "standalone" of protoc-gen-grpc-gateway does not apply here: generated code always imports the service from protoc-gen-es's _pb file beside it`,
    );
    for (const key of ["request_context", "omit_package_doc", "use_opaque_api", "logtostderr", "version"]) {
      assert.match(
        optionError(`target=ts,${key}=true`),
        new RegExp(`^invalid option "${key}=true": option "${key}" of protoc-gen-grpc-gateway does not apply here: `),
      );
    }
    assert.equal(
      optionError("target=ts,allow_colon_final_segments=true"),
      `invalid option "allow_colon_final_segments=true": unknown option "allow_colon_final_segments"`,
    );
  });
});
