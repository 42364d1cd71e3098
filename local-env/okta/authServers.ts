// Custom authorization servers: their scopes, access policies and policy rules, as the token endpoint
// evaluates them for `client_credentials` and as the management API creates and lists them.
//
// Shapes: okta-management-openapi-spec 2026.06.3, `management-oneOfInheritance.yaml`, schemas `OAuth2Scope`,
// `AuthorizationServerPolicy`, `AuthorizationServerPolicyRule` (+ `…RuleRequest`), examples
// `ExampleOAuth2Scope`, `AuthorizationServerPolicy`, `AuthorizationServerPolicyRule`.
// Evaluation: ../../shared/okta-api.md, "Token endpoint" (custom authorization server).
import { notFound, randomId, validation } from "./errors";

type Json = Record<string, unknown>;

export interface Scope {
  id: string;
  name: string;
  description?: string;
  displayName?: string;
  /** A default scope is granted when a request names no scope. */
  default: boolean;
  consent: string;
  metadataPublish: string;
  optional: boolean;
  system: boolean;
}

export interface PolicyRule {
  id: string;
  name: string;
  priority: number;
  status: "ACTIVE" | "INACTIVE";
  system: boolean;
  /** `conditions.grantTypes.include`. */
  grantTypes: string[];
  /** `conditions.scopes.include`; `*` is every scope of the server. */
  scopes: string[];
  /** The rest of `conditions` (people) and `actions`, as given. */
  conditions: Json;
  actions: Json;
  created: number;
  lastUpdated: number;
}

export interface Policy {
  id: string;
  name: string;
  description?: string;
  priority: number;
  status: "ACTIVE" | "INACTIVE";
  system: boolean;
  /** `conditions.clients.include`: client ids, or `ALL_CLIENTS`. */
  clients: string[];
  rules: PolicyRule[];
  created: number;
  lastUpdated: number;
}

export interface AuthServer {
  id: string;
  name: string;
  audience: string;
  scopes: Scope[];
  policies: Policy[];
}

/** The id of the custom authorization server orgs with API Access Management have (okta-api.md). */
export const DEFAULT_AUTH_SERVER_ID = "default";
/** The custom scope the seeded `default` server defines for proving a rotated credential. */
export const ROTATION_SCOPE = "rotation.check";
/** The name of the seeded access policy that admits the seeded apps for client_credentials. */
export const ROTATION_POLICY = "Rotated apps";

const iso = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString();
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const hint = (href: string, ...allow: string[]): Json => ({ href, hints: { allow } });
const blank = (field: string) =>
  validation(`Api validation failed: ${field}`, `${field}: The field cannot be left blank`);

/** A string array at `obj.<key>.include`, or undefined when absent or not such an array. */
function includeList(obj: unknown, key: string): string[] | undefined {
  const inner = isObject(obj) ? obj[key] : undefined;
  const list = isObject(inner) ? inner.include : undefined;
  return Array.isArray(list) && list.every((x) => typeof x === "string") ? (list as string[]) : undefined;
}

export class AuthServers {
  readonly servers = new Map<string, AuthServer>();

  constructor(
    private readonly now: () => number,
    private readonly orgUrl: () => string,
  ) {}

  add(id: string, name = id): AuthServer {
    const server: AuthServer = { id, name, audience: `api://${id}`, scopes: [], policies: [] };
    this.servers.set(id, server);
    return server;
  }

  /** 404 E0000007 for an unknown server, as for every other unknown resource of the management API. */
  server(id: string): AuthServer {
    const s = this.servers.get(id);
    if (!s) throw notFound(id, "AuthorizationServer");
    return s;
  }

  // ---------------------------------------------------------------- scopes

  /** `POST /api/v1/authorizationServers/{id}/scopes` (spec: createOAuth2Scope, 201). */
  createScope(server: AuthServer, body: Json): Scope {
    const name = typeof body.name === "string" ? body.name.trim() : "";
    if (name === "") throw blank("name");
    // Okta reserves the `okta.` prefix for its own scopes; `openid` & co. are system scopes.
    if (name.startsWith("okta.")) {
      throw validation("Api validation failed: name", "name: A scope name can't start with 'okta.'.");
    }
    if (server.scopes.some((s) => s.name === name)) {
      throw validation("Api validation failed: name", "name: A scope with the same name already exists.");
    }
    const scope: Scope = {
      id: `scp${randomId(17)}`,
      name,
      ...(typeof body.description === "string" ? { description: body.description } : {}),
      ...(typeof body.displayName === "string" ? { displayName: body.displayName } : {}),
      default: body.default === true,
      consent: typeof body.consent === "string" ? body.consent : "IMPLICIT",
      metadataPublish: typeof body.metadataPublish === "string" ? body.metadataPublish : "NO_CLIENTS",
      optional: body.optional === true,
      system: false,
    };
    server.scopes.push(scope);
    return scope;
  }

  scopeJson(server: AuthServer, s: Scope): Json {
    const { id, ...rest } = s;
    return {
      id,
      ...rest,
      _links: {
        self: hint(
          `${this.orgUrl()}/api/v1/authorizationServers/${server.id}/scopes/${id}`,
          "GET",
          "PUT",
          "DELETE",
        ),
      },
    };
  }

  // ---------------------------------------------------------------- policies

  /** `POST /api/v1/authorizationServers/{id}/policies` (spec: createAuthorizationServerPolicy, 201). */
  createPolicy(server: AuthServer, body: Json): Policy {
    if (body.type !== undefined && body.type !== "OAUTH_AUTHORIZATION_POLICY") {
      throw validation(
        "Api validation failed: type",
        "type: 'type' must be one of [OAUTH_AUTHORIZATION_POLICY].",
      );
    }
    const name = typeof body.name === "string" ? body.name.trim() : "";
    if (name === "") throw blank("name");
    const clients = includeList(body.conditions, "clients");
    if (!clients || clients.length === 0) throw blank("conditions.clients.include");
    const t = this.now();
    const policy: Policy = {
      id: `00p${randomId(17)}`,
      name,
      ...(typeof body.description === "string" ? { description: body.description } : {}),
      priority:
        typeof body.priority === "number"
          ? body.priority
          : Math.max(0, ...server.policies.map((p) => p.priority)) + 1,
      status: body.status === "INACTIVE" ? "INACTIVE" : "ACTIVE",
      system: false,
      clients: [...clients],
      rules: [],
      created: t,
      lastUpdated: t,
    };
    server.policies.push(policy);
    return policy;
  }

  policy(server: AuthServer, policyId: string): Policy {
    const p = server.policies.find((x) => x.id === policyId);
    if (!p) throw notFound(policyId, "AuthorizationServerPolicy");
    return p;
  }

  policyJson(server: AuthServer, p: Policy): Json {
    const base = `${this.orgUrl()}/api/v1/authorizationServers/${server.id}/policies/${p.id}`;
    return {
      type: "OAUTH_AUTHORIZATION_POLICY",
      id: p.id,
      status: p.status,
      name: p.name,
      ...(p.description !== undefined ? { description: p.description } : {}),
      priority: p.priority,
      system: p.system,
      conditions: { clients: { include: [...p.clients] } },
      created: iso(p.created),
      lastUpdated: iso(p.lastUpdated),
      _links: {
        self: hint(base, "GET", "PUT", "DELETE"),
        [p.status === "ACTIVE" ? "deactivate" : "activate"]: hint(
          `${base}/lifecycle/${p.status === "ACTIVE" ? "deactivate" : "activate"}`,
          "POST",
        ),
        rules: hint(`${base}/rules`, "GET"),
      },
    };
  }

  // ---------------------------------------------------------------- rules

  /** `POST …/policies/{policyId}/rules` (spec: createAuthorizationServerPolicyRule; name, conditions, type required). */
  createRule(policy: Policy, body: Json): PolicyRule {
    if (body.type !== "RESOURCE_ACCESS") {
      throw validation("Api validation failed: type", "type: 'type' must be one of [RESOURCE_ACCESS].");
    }
    const name = typeof body.name === "string" ? body.name.trim() : "";
    if (name === "") throw blank("name");
    if (!isObject(body.conditions)) throw blank("conditions");
    const grantTypes = includeList(body.conditions, "grantTypes");
    if (!grantTypes || grantTypes.length === 0) throw blank("conditions.grantTypes.include");
    // Revision 3: a rule created with `"scopes": {}` or `"include": []` is accepted (recorded: 201 with
    // `scopes.include: []`, terraform-provider-okta's TestAccResourceOktaAuthServerPolicyRule_create); it matches no
    // scope. A rule without `conditions.scopes` at all is still refused (not recorded either way).
    const scopesCondition = body.conditions.scopes;
    if (!isObject(scopesCondition)) throw blank("conditions.scopes.include");
    const scopes = scopesCondition.include === undefined ? [] : includeList(body.conditions, "scopes");
    if (!scopes) throw blank("conditions.scopes.include");
    const t = this.now();
    const rule: PolicyRule = {
      id: `0pr${randomId(17)}`,
      name,
      priority:
        typeof body.priority === "number"
          ? body.priority
          : Math.max(0, ...policy.rules.map((r) => r.priority)) + 1,
      status: body.status === "INACTIVE" ? "INACTIVE" : "ACTIVE",
      system: false,
      grantTypes: [...grantTypes],
      scopes: [...scopes],
      conditions: structuredClone(body.conditions),
      actions: isObject(body.actions)
        ? structuredClone(body.actions)
        : {
            token: {
              accessTokenLifetimeMinutes: 60,
              refreshTokenLifetimeMinutes: 0,
              refreshTokenWindowMinutes: 10080,
            },
          },
      created: t,
      lastUpdated: t,
    };
    policy.rules.push(rule);
    return rule;
  }

  ruleJson(server: AuthServer, policy: Policy, r: PolicyRule): Json {
    const base = `${this.orgUrl()}/api/v1/authorizationServers/${server.id}/policies/${policy.id}/rules/${r.id}`;
    const people = isObject(r.conditions.people)
      ? r.conditions.people
      : { users: { include: [], exclude: [] }, groups: { include: ["EVERYONE"], exclude: [] } };
    return {
      type: "RESOURCE_ACCESS",
      id: r.id,
      status: r.status,
      name: r.name,
      priority: r.priority,
      created: iso(r.created),
      lastUpdated: iso(r.lastUpdated),
      system: r.system,
      conditions: {
        people,
        grantTypes: { include: [...r.grantTypes] },
        scopes: { include: [...r.scopes] },
      },
      actions: r.actions,
      _links: {
        self: hint(base, "GET", "PUT", "DELETE"),
        [r.status === "ACTIVE" ? "deactivate" : "activate"]: hint(
          `${base}/lifecycle/${r.status === "ACTIVE" ? "deactivate" : "activate"}`,
          "POST",
        ),
      },
    };
  }

  // ---------------------------------------------------------------- evaluation

  /**
   * The rule that lets `clientId` use `grantType` for `scopes` on `server` (Revision 3, from Okta's policies
   * concept page, docs/concepts/policies): the ACTIVE policies whose clients include the client (or
   * `ALL_CLIENTS`) are evaluated in priority order; a policy without ACTIVE rules is not considered, and when
   * none of a policy's ACTIVE rules matches — grant type included, every requested scope covered (`*` covers
   * all; a rule with no scopes covers none) — the next policy is considered. People conditions do not apply to
   * client_credentials (there is no user). Undefined when no policy yields a rule: Okta then answers 401
   * `access_denied` "Policy evaluation failed for this request, please check the policy configurations.".
   */
  evaluate(
    server: AuthServer,
    clientId: string,
    grantType: string,
    scopes: string[],
  ): PolicyRule | undefined {
    const byPriority = <T extends { priority: number }>(xs: T[]): T[] =>
      [...xs].sort((a, b) => a.priority - b.priority);
    const policies = byPriority(server.policies).filter(
      (p) => p.status === "ACTIVE" && (p.clients.includes("ALL_CLIENTS") || p.clients.includes(clientId)),
    );
    for (const policy of policies) {
      const rule = byPriority(policy.rules).find(
        (r) =>
          r.status === "ACTIVE" &&
          r.grantTypes.includes(grantType) &&
          (r.scopes.includes("*") || (scopes.length > 0 && scopes.every((s) => r.scopes.includes(s)))),
      );
      if (rule) return rule;
    }
    return undefined;
  }
}

/** The seeded `default` server: one custom scope and a policy whose rule admits `clientIds` for client_credentials. */
export function seedDefaultServer(servers: AuthServers): { server: AuthServer; policy: Policy } {
  const server = servers.add(DEFAULT_AUTH_SERVER_ID);
  servers.createScope(server, {
    name: ROTATION_SCOPE,
    description: "Machine tokens that prove a rotated client credential",
  });
  const policy = servers.createPolicy(server, {
    type: "OAUTH_AUTHORIZATION_POLICY",
    name: ROTATION_POLICY,
    description: "Lets the rotated apps use client_credentials",
    priority: 1,
    conditions: { clients: { include: ["ALL_CLIENTS"] } },
  });
  // Starts as ALL_CLIENTS only to pass the create validation; the seeded apps are listed one by one, so an
  // app created through the API is not admitted until a policy names it (as on a real org).
  policy.clients = [];
  servers.createRule(policy, {
    type: "RESOURCE_ACCESS",
    name: "client_credentials for the rotated apps",
    priority: 1,
    conditions: {
      people: { groups: { include: ["EVERYONE"] } },
      grantTypes: { include: ["client_credentials"] },
      scopes: { include: ["*"] },
    },
  });
  return { server, policy };
}
