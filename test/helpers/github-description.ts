/**
 * GitHub's own published API descriptions, to check what the app sends: every REST route
 * against `@octokit/openapi` (path, method, JSON body fields), every GraphQL document and its
 * variables against `@octokit/graphql-schema`. A mock cannot hide an API misuse.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type GraphQLSchema, Kind, type OperationDefinitionNode, buildSchema, getVariableValues, parse, validate } from "graphql";
import { schema as githubSchema } from "@octokit/graphql-schema";

const require = createRequire(import.meta.url);

function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

let schema: GraphQLSchema | undefined;
export function graphqlSchema(): GraphQLSchema {
  // The published SDL repeats two enterprise fields; assumeValidSDL skips that SDL-level check
  // (documents are still fully validated against the types).
  schema ??= buildSchema(githubSchema.idl, { assumeValidSDL: true });
  return schema;
}

/** Throws with every problem when `query` or `variables` do not validate against GitHub's schema. */
export function assertValidGraphql(query: string, variables: Record<string, unknown> = {}): OperationDefinitionNode {
  const document = parse(query);
  const errors = validate(graphqlSchema(), document);
  if (errors.length > 0) throw new Error(`GraphQL document does not validate against GitHub's schema:\n${errors.map((e) => `- ${e.message}`).join("\n")}`);
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1) throw new Error(`expected one operation per document, got ${operations.length}`);
  const operation = operations[0]!;
  const coerced = getVariableValues(graphqlSchema(), operation.variableDefinitions ?? [], variables);
  if (coerced.errors) throw new Error(`GraphQL variables do not validate:\n${coerced.errors.map((e) => `- ${e.message}`).join("\n")}`);
  return operation;
}

interface OpenApiOperation {
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}
interface JsonSchema {
  properties?: Record<string, unknown>;
  additionalProperties?: unknown;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
}
interface Route {
  pattern: RegExp;
  template: string;
  operations: Record<string, OpenApiOperation>;
}

interface OpenApiSpec {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: Record<string, Record<string, unknown>>;
}
let spec: OpenApiSpec | undefined;
let routes: Route[] | undefined;

/** Follows a local `#/components/...` $ref. */
function deref<T>(value: T): T {
  const ref = (value as { $ref?: string } | undefined)?.$ref;
  if (ref === undefined || spec === undefined) return value;
  const [, section, name] = /^#\/components\/([^/]+)\/(.+)$/.exec(ref) ?? [];
  return deref(spec.components[section!]?.[name!] as T);
}
function openApiRoutes(): Route[] {
  if (routes) return routes;
  // The non-dereferenced description (13 MB, not 73 MB): request bodies' $refs are resolved on use.
  const file = join(packageDir("@octokit/openapi"), "generated", "api.github.com.json");
  spec = JSON.parse(readFileSync(file, "utf8")) as OpenApiSpec;
  routes = Object.entries(spec!.paths).map(([template, operations]) => ({
    template,
    operations,
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{[^}]+\\?\}/g, "[^/]+").replace(/\{[^}]+\}/g, "[^/]+")}$`),
  }));
  return routes;
}

function bodyProperties(raw: JsonSchema | undefined): Set<string> | "any" {
  const schema = deref(raw);
  if (schema === undefined) return new Set();
  if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) return "any";
  const names = new Set(Object.keys(schema.properties ?? {}));
  for (const part of [...(schema.oneOf ?? []), ...(schema.anyOf ?? []), ...(schema.allOf ?? [])]) {
    const inner = bodyProperties(part);
    if (inner === "any") return "any";
    inner.forEach((name) => names.add(name));
  }
  return names;
}

/**
 * Throws unless `METHOD path` is a route of GitHub's REST API description and every top-level
 * field of the JSON body is one the route documents. Returns the route template.
 */
export function assertRestRoute(method: string, path: string, body?: unknown): string {
  const pathname = path.split("?")[0]!;
  const verb = method.toLowerCase();
  const matches = openApiRoutes().filter((route) => route.pattern.test(pathname));
  const route = matches.find((r) => r.operations[verb] !== undefined);
  if (route === undefined) {
    throw new Error(
      matches.length === 0
        ? `${method} ${pathname} is not a route of GitHub's REST API description`
        : `${method} is not allowed on ${matches.map((m) => m.template).join(", ")} (${matches.flatMap((m) => Object.keys(m.operations)).join(", ")})`,
    );
  }
  if (body !== undefined && body !== null && typeof body === "object" && !Array.isArray(body)) {
    const requestBody = deref(route.operations[verb]!.requestBody);
    const allowed = bodyProperties(requestBody?.content?.["application/json"]?.schema);
    if (allowed !== "any") {
      const unknown = Object.keys(body).filter((key) => !allowed.has(key));
      if (unknown.length > 0) throw new Error(`${method} ${route.template} does not document body fields: ${unknown.join(", ")}`);
    }
  }
  return route.template;
}
