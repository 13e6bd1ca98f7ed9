import type { CaseGroup } from "../case.js";
import { any, anyRegistered } from "./any.js";
import { body, bodyLimits } from "./body.js";
import { contentTypes } from "./content-type.js";
import { errors, errorsWithHooks } from "./errors.js";
import { httpSpec, httpSpecNames } from "./http-spec.js";
import { metadata, metadataDefaults } from "./metadata.js";
import { query, queryIgnoringUnknown } from "./query.js";
import { routing, routingCompat, routingCompatNotFound, routingNotFoundAsError } from "./routing.js";
import { options } from "./options.js";
import { unescaping } from "./unescaping.js";
import { pluginOptions } from "./plugin-options.js";
import { presence, presenceOmitted } from "./presence.js";
import { success } from "./success.js";

/** Every group of the case table. */
export const groups: CaseGroup[] = [
  httpSpec,
  httpSpecNames,
  routing,
  routingNotFoundAsError,
  routingCompat,
  routingCompatNotFound,
  ...unescaping,
  query,
  queryIgnoringUnknown,
  body,
  bodyLimits,
  ...contentTypes,
  metadata,
  metadataDefaults,
  errors,
  errorsWithHooks,
  ...options,
  pluginOptions,
  presence,
  presenceOmitted,
  any,
  anyRegistered,
  success,
];
