import { z } from "zod";

/** The config namespace of this project's stack settings (`<namespace>:apps`). */
export const CONFIG_KEY = "apps";

const name = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,62}$/,
    "use 1–63 lowercase letters, digits and dashes, starting with a letter or digit",
  );

export const vaultTargetSchema = z
  .object({
    /** KV v2 mount, e.g. `secret`. */
    mount: z.string().min(1),
    /** Path of the secret inside the mount, e.g. `apps/billing-api`. */
    path: z
      .string()
      .min(1)
      .refine(
        (p) => !p.startsWith("/") && !p.endsWith("/"),
        "write the path without leading or trailing '/'",
      ),
    /** Key under which the client secret is stored in the KV entry. */
    key: z.string().min(1).default("client_secret"),
  })
  .strict();

export const deploymentSchema = z
  .object({
    namespace: z.string().min(1).default("default"),
    name: z.string().min(1),
  })
  .strict();

export const gatesSchema = z
  .object({
    /** Prove the new secret with a real client_credentials exchange before the old one is retired. */
    tokenExchange: z.boolean().default(false),
    /** Token endpoint to use; default: the org authorization server's `/oauth2/v1/token`. */
    tokenUrl: z.string().url().optional(),
    /** Scope to request in the exchange (custom authorization servers usually need one). */
    scope: z.string().min(1).optional(),
    /** Minimum time both secrets stay ACTIVE before the old one is retired. */
    minOverlapSeconds: z.number().int().min(0).max(86_400).default(0),
  })
  .strict();

export const privateKeyJwtSchema = z
  .object({
    /** Migrate the app to private_key_jwt (KeyRotation replaces its SecretRotation). */
    enabled: z.boolean().default(false),
    /** RS256 (most compatible) or ES256 (smallest); takes effect with the next key. */
    algorithm: z.enum(["RS256", "ES256"]).default("RS256"),
    /** Bump by one to rotate the key. Key generation g lives in key slot g % 2; 1 is the migration. */
    keyGeneration: z.number().int().min(1).default(1),
    /** Go back to a client secret (the key stays registered; remove rollback to migrate again). */
    rollback: z.boolean().default(false),
  })
  .strict();

export const appConfigSchema = z
  .object({
    /** Logical name: stable resource names and stack output keys derive from it. */
    name,
    /** Okta app id (`0oa…`). */
    appId: z.string().min(1),
    /** OAuth client id; needed by the token exchange gate. Defaults to the app id (Okta's default). */
    clientId: z.string().min(1).optional(),
    /** Bump by one to rotate. Generation g lives in slot g % 2. */
    generation: z.number().int().min(1),
    /** Day one: the id of the secret the app already uses. It becomes generation 0 and is retired by generation 1. */
    adoptSecretId: z.string().min(1).optional(),
    /** Go back to the previous secret: reactivate it, deliver it, roll, deactivate the current one. */
    rollback: z.boolean().default(false),
    vault: vaultTargetSchema.optional(),
    deployments: z.array(deploymentSchema).default([]),
    gates: gatesSchema.default({ tokenExchange: false, minOverlapSeconds: 0 }),
    privateKeyJwt: privateKeyJwtSchema.optional(),
  })
  .strict();

export const programConfigSchema = z.array(appConfigSchema).min(1);

export type AppConfig = z.infer<typeof appConfigSchema>;
export type AppConfigInput = z.input<typeof appConfigSchema>;
export type VaultTarget = z.infer<typeof vaultTargetSchema>;
export type DeploymentRef = z.infer<typeof deploymentSchema>;
export type Gates = z.infer<typeof gatesSchema>;
export type PrivateKeyJwtConfig = z.infer<typeof privateKeyJwtSchema>;

/** A stack config error: names the config key, the app and the fix. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid stack config:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

function keyPath(namespace: string, path: ReadonlyArray<PropertyKey>): string {
  let out = `${namespace}:${CONFIG_KEY}`;
  for (const p of path) out += typeof p === "number" ? `[${p}]` : `.${String(p)}`;
  return out;
}

function fixFor(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "unrecognized_keys":
      return `remove ${issue.keys.map((k) => `'${k}'`).join(", ")} (known fields: see README "Stack config")`;
    case "invalid_type":
      return `set it to a ${issue.expected}`;
    default:
      return "";
  }
}

/**
 * Validates the raw `apps` stack config. Returns typed app configs or throws a ConfigError whose lines
 * each name the config key, the app and what to do. Pure: reads nothing but its argument.
 */
export function parseAppsConfig(raw: unknown, namespace: string): AppConfig[] {
  if (raw === undefined || raw === null) {
    throw new ConfigError([
      `${namespace}:${CONFIG_KEY} is not set: add a list of apps to rotate (see README "Stack config"), e.g. ` +
        `pulumi config set --path '${CONFIG_KEY}[0].appId' 0oa…`,
    ]);
  }
  const parsed = programConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const list = Array.isArray(raw) ? raw : [];
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const index = typeof issue.path[0] === "number" ? issue.path[0] : undefined;
        const appName =
          index !== undefined && typeof list[index]?.name === "string" ? ` (app '${list[index].name}')` : "";
        const fix = fixFor(issue);
        return `${keyPath(namespace, issue.path)}${appName}: ${issue.message}${fix ? `; ${fix}` : ""}`;
      }),
    );
  }
  const apps = parsed.data;
  const problems: string[] = [];
  const seen = (what: string, key: (a: AppConfig) => string | undefined, field: string) => {
    const first = new Map<string, number>();
    apps.forEach((app, i) => {
      const k = key(app);
      if (k === undefined) return;
      const j = first.get(k);
      if (j === undefined) first.set(k, i);
      else
        problems.push(
          `${keyPath(namespace, [i, field])} (app '${app.name}'): same ${what} as app '${apps[j].name}' ` +
            `(${keyPath(namespace, [j, field])}); give each app its own ${what}`,
        );
    });
  };
  seen("name", (a) => a.name, "name");
  seen("appId", (a) => a.appId, "appId");
  seen("Vault path", (a) => (a.vault ? `${a.vault.mount}/${a.vault.path}` : undefined), "vault");
  apps.forEach((app, i) => {
    if (app.rollback && app.generation < 2 && app.adoptSecretId === undefined) {
      problems.push(
        `${keyPath(namespace, [i, "rollback"])} (app '${app.name}'): generation ${app.generation} has no previous ` +
          `secret to go back to; remove rollback`,
      );
    }
  });
  apps.forEach((app, i) => {
    if (app.privateKeyJwt?.rollback && !app.privateKeyJwt.enabled) {
      problems.push(
        `${keyPath(namespace, [i, "privateKeyJwt", "rollback"])} (app '${app.name}'): rollback goes back from ` +
          `private_key_jwt to a client secret and needs enabled: true; set enabled: true, or remove rollback`,
      );
    }
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return apps;
}
