import type { DescMethod } from "@bufbuild/protobuf";

/**
 * One HTTP binding of a gRPC method, as the plugin emits it from a `google.api.http`
 * rule (or one of its `additional_bindings`). Generated code holds these as data; the
 * gateway compiles them into its router and binding plans at registration.
 */
export interface HttpRoute {
  /** The gRPC method this route calls. */
  readonly method: DescMethod;
  /** HTTP method in upper case: GET, PUT, POST, DELETE, PATCH, or a custom rule's kind. */
  readonly httpMethod: string;
  /** The path template exactly as written in the rule, e.g. `/v1/{name=shelves/*}`. */
  readonly path: string;
  /** `*` for the whole request message, a (proto-name) field path for one field; absent for no body. */
  readonly body?: string;
  /** (Proto-name) field path of the reply to send instead of the whole reply. */
  readonly responseBody?: string;
  /**
   * The one character a repeated path variable's list is split on: `,` when absent, else `|`,
   * ` ` or a tab (the plugin's repeated_path_param_separator, as grpc-gateway's).
   */
  readonly repeatedPathSeparator?: string;
  /**
   * False to leave an empty FieldMask of a PATCH request as sent, instead of filling it from
   * the body's JSON keys (the plugin's allow_patch_feature=false, as grpc-gateway's).
   */
  readonly patchFieldMask?: boolean;
  /**
   * The HTTP status of a successful unary reply when not 200 (the method's
   * `(grpc_gateway_express.success).status`); 204 and 205 are sent without a body.
   */
  readonly successStatus?: number;
  /**
   * Headers of a successful unary reply (`(grpc_gateway_express.success).headers`): each
   * `{field.path}` in a value is replaced by that (proto-name) field of the reply, as text.
   */
  readonly successHeaders?: readonly { readonly name: string; readonly value: string }[];
}
