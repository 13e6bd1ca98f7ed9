// Routes generated with protoc-gen-grpc-gateway's options (buf.gen.options.yaml): rules from
// a google.api.Service file, repeated_path_param_separator=pipes, allow_patch_feature=false.
import { PluginOptions } from "../../options/gen/testing/options/v1/options_pb.js";
import { PluginOptionsRoutes } from "../../options/gen/testing/options/v1/options_gateway.js";
import type { CaseGroup } from "../case.js";

const json = { "Content-Type": "application/json" };

export const pluginOptions: CaseGroup = {
  name: "plugin options",
  services: [{ service: PluginOptions, routes: PluginOptionsRoutes }],
  cases: [
    {
      name: "a route from grpc_api_configuration binds a method without annotations",
      request: { method: "GET", path: "/v1/options/shelves/s1" },
      call: { method: "PluginOptions.List", request: { shelf: "s1" } },
      response: { status: 200, json: { ids: [], numbers: [], shelf: "s1" } },
    },
    {
      name: "repeated_path_param_separator=pipes: a repeated path variable splits on |, not on commas",
      request: { method: "GET", path: "/v1/options/a,b|c/numbers/1%7C2" },
      call: { method: "PluginOptions.List", request: { ids: ["a,b", "c"], numbers: [1, 2] } },
      response: { status: 200 },
    },
    {
      name: "repeated_path_param_separator=pipes: a bad element is 400 naming the variable",
      request: { method: "GET", path: "/v1/options/a/numbers/1|x" },
      call: null,
      response: { status: 400, error: { code: 3, messageIncludes: 'path variable "numbers"' } },
    },
    {
      name: "allow_patch_feature=false: PATCH leaves an empty update_mask empty",
      request: { method: "PATCH", path: "/v1/options/items/i1", headers: json, body: '{"title":"t","stock":2}' },
      call: { method: "PluginOptions.Update", request: { item: { id: "i1", title: "t", stock: 2 } } },
      response: { status: 200 },
    },
  ],
};
