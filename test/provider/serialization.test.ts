// The provider objects are serialized into Pulumi state (`__provider`) and run by the dynamic provider host
// in another process. These tests do what `pulumi.dynamic.Resource` and the host do, outside vitest's module
// transform (which breaks closure serialization, pulumi/pulumi#10480): a child process compiles the
// TypeScript the way the Pulumi TypeScript runtime does (plain `transpileModule`, CommonJS) and serializes
// each provider with `serializeFunction(() => provider, { allowSecrets: true })`; a second child loads that
// text with `require-from-string(...).handler()`, calls `configure({ config })` and runs the lifecycle.
import { spawn } from "child_process";
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join, resolve } from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOktaLocal } from "../../local-env/okta";

type OktaLocal = Awaited<ReturnType<typeof startOktaLocal>>;

const ROOT = resolve(__dirname, "../..");
const PROVIDERS = ["ClientSecretProvider", "JsonWebKeyProvider", "AppAuthMethodProvider"] as const;
/** The file each provider lives in; the stand-in in state names it by its package export. */
const FILES: Record<(typeof PROVIDERS)[number], string> = {
  ClientSecretProvider: "dynamic/clientSecret.ts",
  JsonWebKeyProvider: "dynamic/jsonWebKey.ts",
  AppAuthMethodProvider: "dynamic/appAuthMethod.ts",
};
const MARKERS = {
  OKTA_API_TOKEN: "marker-env-api-token-3f1c",
  OKTA_API_CLIENT_ID: "marker-env-client-id-77aa",
  OKTA_API_PRIVATE_KEY: "marker-env-private-key-9b2e",
  configToken: "marker-config-api-token-c0de",
  configKey: "marker-config-private-key-f00d",
};

const SERIALIZE = `
const ts = require("typescript");
const fs = require("fs");
require.extensions[".ts"] = (m, f) =>
  m._compile(ts.transpileModule(fs.readFileSync(f, "utf8"), {
    fileName: f,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText, f);
const pulumi = require("@pulumi/pulumi");
const d = require(process.env.DYNAMIC_INDEX);
const { providerByReference } = require(process.env.ROOT + "/dynamic/providerByReference.ts");
const files = ${JSON.stringify(FILES)};
const out = process.env.OUT_DIR;
(async () => {
  const config = {
    "okta:apiToken": process.env.CONFIG_TOKEN,
    "okta:privateKey": process.env.CONFIG_KEY,
    "okta:clientId": "svc",
    "okta-credential-rotation:oktaOrgUrl": "https://example.okta.com",
  };
  for (const name of ${JSON.stringify(PROVIDERS)}) {
    const provider = new d[name]();
    // Configure first and build a client: credentials are now live in this process.
    await provider.configure({ config: { get: (k) => config[k] } });
    d.getOktaApi();
    const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    fs.writeFileSync(out + "/" + name + ".js", sf.text);
    // What the resources store: a stand-in that refers to the implementation by file and export name.
    const stand = providerByReference(process.env.ROOT + "/" + files[name], name);
    const ref = await pulumi.runtime.serializeFunction(() => stand, { allowSecrets: true });
    fs.writeFileSync(out + "/" + name + ".ref.js", ref.text);
  }
})().catch((e) => { console.error((e && e.stack) || String(e && e.message) || String(e)); process.exit(1); });
`;

const HOST = `
const fs = require("fs");
const requireFromString = require("require-from-string");
const { Config } = require("@pulumi/pulumi/cmd/dynamic-provider/config");
const { generateKeyPairSync } = require("crypto");
const load = (name) =>
  requireFromString(fs.readFileSync(process.env.OUT_DIR + "/" + name + process.env.SUFFIX, "utf8")).handler();
(async () => {
  const raw = process.env.SERVICE_CLIENT_ID
    ? {
        "okta-credential-rotation:oktaOrgUrl": process.env.ORG_URL,
        "okta:clientId": process.env.SERVICE_CLIENT_ID,
        "okta:privateKey": process.env.SERVICE_PRIVATE_KEY,
        "okta:privateKeyId": process.env.SERVICE_KEY_ID,
      }
    : {
        "okta-credential-rotation:oktaOrgUrl": process.env.ORG_URL,
        "okta:apiToken": process.env.LOCAL_TOKEN,
      };
  const req = { config: new Config(raw, "okta-credential-rotation") };
  const appId = process.env.APP_ID;
  const report = {};

  const cs = load("ClientSecretProvider");
  await cs.configure(req);
  const c = await cs.check({}, { appId, generation: 1 });
  const created = await cs.create(c.inputs);
  const noop = await cs.diff(created.id, created.outs, c.inputs);
  const updated = await cs.update(created.id, created.outs, { ...c.inputs, status: "INACTIVE" });
  const read = await cs.read(created.id, updated.outs);
  report.secret = { id: created.id, hasValue: typeof created.outs.clientSecret === "string", noop,
    updatedStatus: updated.outs.status, readStatus: read.props.status };
  await cs.delete(created.id, read.props);

  const jk = load("JsonWebKeyProvider");
  await jk.configure(req);
  const jwk = { ...generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ format: "jwk" }), kid: "ser-1" };
  const jc = await jk.check({}, { appId, jwk });
  const key = await jk.create(jc.inputs);
  const jnoop = await jk.diff(key.id, key.outs, jc.inputs);
  report.key = { id: key.id, kid: key.outs.kid, noop: jnoop };

  const am = load("AppAuthMethodProvider");
  await am.configure(req);
  const ac = await am.check({}, { appId, tokenEndpointAuthMethod: "private_key_jwt" });
  const auth = await am.create(ac.inputs);
  report.auth = { previousMethod: auth.outs.previousMethod };
  // A delete releases what clients hold (the method, an ACTIVE key): clean up the way a rollback does.
  const back = await am.update(auth.id, auth.outs, { ...ac.inputs, tokenEndpointAuthMethod: "client_secret_basic" });
  await am.delete(auth.id, back.outs);
  const retired = await jk.update(key.id, key.outs, { ...jc.inputs, status: "INACTIVE" });
  await jk.delete(key.id, retired.outs);
  console.log(JSON.stringify(report));
})().catch((e) => { console.error((e && e.stack) || String(e && e.message) || String(e)); process.exit(1); });
`;

/** Runs `node -e script` without blocking this process (the local Okta answers from here). */
function runNode(
  script: string,
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ["-e", script], { cwd: ROOT, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolvePromise({ status, stdout, stderr }));
  });
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith("OKTA_") && !k.startsWith("VITEST")) env[k] = v;
  return env;
}

describe("serialized providers", () => {
  let okta: OktaLocal;
  let outDir: string;

  beforeAll(async () => {
    okta = await startOktaLocal({ apps: [{ label: "serialized", secrets: 1 }] });
    outDir = mkdtempSync(join(tmpdir(), "okta-rotation-ser-"));
    const r = await runNode(SERIALIZE, {
      ...cleanEnv(),
      OKTA_API_TOKEN: MARKERS.OKTA_API_TOKEN,
      OKTA_API_CLIENT_ID: MARKERS.OKTA_API_CLIENT_ID,
      OKTA_API_PRIVATE_KEY: MARKERS.OKTA_API_PRIVATE_KEY,
      CONFIG_TOKEN: MARKERS.configToken,
      CONFIG_KEY: MARKERS.configKey,
      DYNAMIC_INDEX: join(ROOT, "dynamic/index.ts"),
      ROOT,
      OUT_DIR: outDir,
    });
    if (r.status !== 0) throw new Error(`serializing the providers failed:\n${r.stderr}`);
  });

  afterAll(async () => {
    await okta?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it.each(PROVIDERS)("%s: no credential from config or environment in the serialized text", (name) => {
    const text = readFileSync(join(outDir, `${name}.js`), "utf8");
    expect(text.length).toBeGreaterThan(1000);
    const leaked = Object.entries(MARKERS)
      .filter(([, marker]) => text.includes(marker))
      .map(([k]) => k);
    expect(leaked).toEqual([]);
    // The connection is rebuilt from configure/env in the host, not carried in the text.
    expect(text).toContain('require("@okta/okta-sdk-nodejs');
  });

  it.each(PROVIDERS)("%s: the stand-in in state names its module and carries no implementation", (name) => {
    const whole = readFileSync(join(outDir, `${name}.js`), "utf8");
    const stand = readFileSync(join(outDir, `${name}.ref.js`), "utf8");
    const exported = `okta-credential-rotation/${FILES[name].replace(/\.ts$/, "")}`;
    expect(stand).toContain(`specifier: "${exported}"`);
    expect(stand).toContain(`name: "${name}"`);
    // Nothing that depends on where this checkout lies, and no TypeScript loader.
    expect(stand).not.toContain(ROOT);
    expect(stand).not.toContain("tsx");
    expect(stand).not.toContain("okta-sdk-nodejs");
    expect(stand.length).toBeLessThan(1_000);
    expect(whole.length).toBeGreaterThan(40 * stand.length);
  });

  it.each([
    ["the whole provider", "an API token", ".js"],
    ["the stand-in stored in state", "an API token", ".ref.js"],
    // The DPoP key and tokens are made in the host process, after configure: nothing of them is serialized.
    ["the whole provider", "a DPoP-bound service app", ".js"],
    ["the stand-in stored in state", "a DPoP-bound service app", ".ref.js"],
  ])(
    "%s runs in a host-like process, configured only through configure(req) with %s",
    async (_what, auth, suffix) => {
      const appId = okta.apps[0]!.id;
      okta.clearLog();
      const r = await runNode(HOST, {
        ...cleanEnv(),
        OUT_DIR: outDir,
        SUFFIX: suffix,
        ORG_URL: okta.orgUrl,
        LOCAL_TOKEN: okta.apiToken,
        APP_ID: appId,
        ...(auth === "an API token"
          ? {}
          : {
              SERVICE_CLIENT_ID: okta.serviceApp.clientId,
              SERVICE_PRIVATE_KEY: JSON.stringify(okta.serviceApp.privateJwk),
              SERVICE_KEY_ID: okta.serviceApp.kid,
            }),
      });
      expect(r.status, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout.trim().split("\n").pop()!) as {
        secret: { id: string; hasValue: boolean; noop: unknown; updatedStatus: string; readStatus: string };
        key: { id: string; kid: string; noop: unknown };
        auth: { previousMethod: string };
      };
      expect(report.secret).toMatchObject({
        hasValue: true,
        noop: { changes: false, replaces: [] },
        updatedStatus: "INACTIVE",
        readStatus: "INACTIVE",
      });
      expect(report.key).toMatchObject({ kid: "ser-1", noop: { changes: false, replaces: [] } });
      expect(report.auth.previousMethod).toBe("client_secret_basic");
      // Okta side: the secret and the key are gone again, the method restored, the seeded secret untouched.
      expect(okta.listSecrets(appId).map((s) => s.id)).not.toContain(report.secret.id);
      expect(okta.listSecrets(appId)).toHaveLength(1);
      expect(okta.listKeys(appId)).toEqual([]);
      const app = okta.getApp(appId) as {
        credentials: { oauthClient: { token_endpoint_auth_method: string } };
      };
      expect(app.credentials.oauthClient.token_endpoint_auth_method).toBe("client_secret_basic");
      // Every call was authenticated (none refused) and went to this org.
      expect(okta.requestLog.filter((l) => l.status === 401)).toEqual([]);
      const tokens = okta.requestLog.filter((l) => l.path === "/oauth2/v1/token").map((l) => l.status);
      // A DPoP-bound service app: the nonce round, then a token per provider process configure.
      expect(tokens.slice(0, 2)).toEqual(auth === "an API token" ? [] : [400, 200]);
      expect(okta.requestLog.filter((l) => l.path.startsWith("/api/v1/") && l.status === 400)).toEqual([]);
    },
  );
});
