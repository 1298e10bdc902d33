// Writes schema/release-promoter.schema.json from the zod schema: `npm run schema`.
// test/config/config-json-schema.test.ts fails when the committed file is out of date.
import { mkdirSync, writeFileSync } from "node:fs";
import { configJsonSchema } from "../src/config/config-json-schema.js";

mkdirSync(new URL("../schema/", import.meta.url), { recursive: true });
writeFileSync(new URL("../schema/release-promoter.schema.json", import.meta.url), `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log("wrote schema/release-promoter.schema.json");
