/** google.api.HttpBody, which the gateway sends and takes raw rather than as JSON. */
export const httpBodyTypeName = "google.api.HttpBody";
