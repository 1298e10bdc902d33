import { z } from "zod";
import { configSchema } from "./config.schema.js";

/**
 * The JSON Schema editors use for `.github/release-promoter.yml`, generated from the zod schema
 * (the input side: defaults make fields optional). Cross-field rules (one variable and one
 * prefix per service) live only in zod and are checked when the app loads the config.
 */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: "input", target: "draft-2020-12" }),
    title: "release-promoter configuration",
  };
}
