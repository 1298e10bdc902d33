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
import { Ajv, type ValidateFunction } from "ajv";

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

interface OpenApiParameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  $ref?: string;
}
interface OpenApiOperation {
  parameters?: OpenApiParameter[];
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
  /** Path parameter names, in order. */
  names: string[];
  /** Literal characters of the template: the more, the more specific the route. */
  specificity: number;
  operations: Record<string, OpenApiOperation>;
}

interface OpenApiSpec {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: Record<string, Record<string, unknown>>;
}
let spec: OpenApiSpec | undefined;
let routes: Route[] | undefined;
let ajv: Ajv | undefined;

/** Follows a local `#/components/...` $ref. */
function deref<T>(value: T): T {
  const ref = (value as { $ref?: string } | undefined)?.$ref;
  if (ref === undefined || spec === undefined) return value;
  const [, section, name] = /^#\/components\/([^/]+)\/(.+)$/.exec(ref) ?? [];
  return deref(spec.components[section!]?.[name!] as T);
}

// `{path}` (contents) and a trailing `{ref}` (git/ref/heads/main) may hold slashes, as on GitHub.
const SLASHED = new Set(["path", "ref"]);

function openApiRoutes(): Route[] {
  if (routes) return routes;
  // The non-dereferenced description (13 MB, not 73 MB): request bodies' $refs are resolved on use.
  const file = join(packageDir("@octokit/openapi"), "generated", "api.github.com.json");
  spec = JSON.parse(readFileSync(file, "utf8")) as OpenApiSpec;
  routes = Object.entries(spec!.paths).map(([template, operations]) => {
    const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const source = template
      .split(/(\{[^}]+\})/)
      .map((part) => {
        const name = /^\{([^}]+)\}$/.exec(part)?.[1];
        if (name === undefined) return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
        return SLASHED.has(name) ? "(.+)" : "([^/]+)";
      })
      .join("");
    return { template, operations, names, specificity: template.replace(/\{[^}]+\}/g, "").length, pattern: new RegExp(`^${source}$`) };
  });
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

export interface RestRequest {
  /** The route as GitHub's description spells it, e.g. /repos/{owner}/{repo}/check-runs. */
  template: string;
  /** Decoded path parameters. */
  params: Record<string, string>;
}

/**
 * Throws unless `METHOD path?query` is a route of GitHub's REST API description, every query
 * parameter is one the route documents, and the JSON body validates against the route's request
 * schema (field names, types, enums, required fields). Returns the route and its parameters.
 */
export function assertRestRequest(method: string, url: string, body?: unknown): RestRequest {
  const [pathname = "", search = ""] = url.split("?");
  const verb = method.toLowerCase();
  const matches = openApiRoutes()
    .filter((route) => route.pattern.test(pathname))
    .sort((a, b) => b.specificity - a.specificity);
  const route = matches.find((r) => r.operations[verb] !== undefined);
  if (route === undefined) {
    throw new Error(
      matches.length === 0
        ? `${method} ${pathname} is not a route of GitHub's REST API description`
        : `${method} is not allowed on ${matches.map((m) => m.template).join(", ")} (${matches.flatMap((m) => Object.keys(m.operations)).join(", ")})`,
    );
  }
  const operation = route.operations[verb]!;
  const values = route.pattern.exec(pathname)!.slice(1);
  const params = Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(values[i] ?? "")]));

  const documented = new Set((operation.parameters ?? []).map(deref).filter((p) => p.in === "query").map((p) => p.name));
  const unknownQuery = [...new URLSearchParams(search).keys()].filter((name) => !documented.has(name));
  if (unknownQuery.length > 0) throw new Error(`${method} ${route.template} does not document query parameters: ${unknownQuery.join(", ")}`);

  if (body !== undefined && body !== null && body !== "" && typeof body === "object" && !Array.isArray(body)) {
    const requestBody = deref(operation.requestBody);
    const allowed = bodyProperties(requestBody?.content?.["application/json"]?.schema);
    if (allowed !== "any") {
      const unknown = Object.keys(body).filter((key) => !allowed.has(key));
      if (unknown.length > 0) throw new Error(`${method} ${route.template} does not document body fields: ${unknown.join(", ")}`);
    }
    const validateBody = bodyValidator(route.template, verb);
    if (validateBody !== undefined && !validateBody(body)) {
      const problems = (validateBody.errors ?? []).map((e) => `${e.instancePath || "(body)"} ${e.message ?? "is invalid"}`);
      throw new Error(`${method} ${route.template} body does not match GitHub's schema: ${[...new Set(problems)].join("; ")}`);
    }
  }
  return { template: route.template, params };
}

/** The route template of a conforming request (see assertRestRequest). */
export function assertRestRoute(method: string, path: string, body?: unknown): string {
  return assertRestRequest(method, path, body).template;
}

/** Ajv validator of a route's JSON request body, compiled on first use from the description. */
function bodyValidator(template: string, verb: string): ValidateFunction | undefined {
  const operation = spec?.paths[template]?.[verb];
  if (deref(operation?.requestBody)?.content?.["application/json"]?.schema === undefined) return undefined;
  if (ajv === undefined) {
    // OpenAPI 3.0 schemas: `nullable` and `discriminator` are OpenAPI keywords, formats are informative.
    ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, discriminator: true });
    ajv.addSchema({ components: spec!.components, paths: spec!.paths }, "github");
  }
  const pointer = (segment: string) => segment.replace(/~/g, "~0").replace(/\//g, "~1");
  const requestBody = operation!.requestBody as { $ref?: string };
  const base = requestBody.$ref !== undefined ? requestBody.$ref.slice(1) : `/paths/${pointer(template)}/${verb}/requestBody`;
  return ajv.getSchema(`github#${base}/content/application~1json/schema`);
}
