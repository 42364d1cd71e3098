import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { api } from "./test-helpers";
import type { OktaLocal } from "./types";

const root = path.resolve(__dirname, "../..");
const tsx = path.join(root, "node_modules", ".bin", "tsx");

interface Run {
  child: ChildProcess;
  firstLine: Promise<string>;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function run(args: string[]): Run {
  const child = spawn(tsx, [path.join(root, "local-env", "okta", "cli.ts"), ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("\n")) resolve(out.split("\n")[0]);
    });
    child.on("exit", () => reject(new Error(`exited before printing a line; stderr: ${err}`)));
  });
  child.stderr?.on("data", (c: Buffer) => (err += c.toString()));
  firstLine.catch(() => undefined); // awaited only by the tests that expect a line
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, firstLine, stdout: () => out, stderr: () => err, exit };
}

let current: Run | undefined;
afterEach(() => {
  if (current && current.child.exitCode === null) current.child.kill("SIGKILL");
  current = undefined;
});

describe("okta-local CLI", () => {
  it("prints exactly one JSON line, serves, and closes cleanly on SIGTERM", async () => {
    current = run([
      "--port",
      "0",
      "--apps",
      "2",
      "--rate-limit-apps",
      "7",
      "--rate-limit-token-share",
      "0.6",
      "--fault",
      JSON.stringify({ path: "/credentials/jwks$", method: "GET", errorRate: 1 }),
    ]);
    const info = JSON.parse(await current.firstLine) as Pick<OktaLocal, "orgUrl" | "apiToken" | "apps">;
    expect(Object.keys(info).sort()).toEqual(["apiToken", "apps", "orgUrl"]);
    expect(info.orgUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.apps).toHaveLength(2);
    for (const a of info.apps) expect(Object.keys(a).sort()).toEqual(["clientId", "id", "label"]);

    const okta = info as OktaLocal;
    const secrets = await api(okta, "GET", `/api/v1/apps/${info.apps[0].id}/credentials/secrets`);
    expect(secrets.status).toBe(200);
    expect(secrets.headers.get("x-rate-limit-limit")).toBe("4"); // one token's share: 60% of 7
    expect(secrets.json.length).toBe(1);
    expect(secrets.json[0].status).toBe("ACTIVE");
    const app = await api(okta, "GET", `/api/v1/apps/${info.apps[0].id}`);
    expect(app.json.credentials.oauthClient.token_endpoint_auth_method).toBe("client_secret_basic");
    expect(app.json.settings.oauthClient.grant_types).toEqual(["client_credentials"]);
    const faulty = await api(okta, "GET", `/api/v1/apps/${info.apps[0].id}/credentials/jwks`);
    expect(faulty.status).toBeGreaterThanOrEqual(500);

    current.child.kill("SIGTERM");
    expect(await current.exit).toBe(0);
    expect(
      current
        .stdout()
        .split("\n")
        .filter((l) => l !== ""),
    ).toHaveLength(1);
    const value: string = secrets.json[0].client_secret;
    expect(current.stdout().includes(value) || current.stderr().includes(value)).toBe(false);
    await expect(fetch(`${info.orgUrl}/api/v1/apps`)).rejects.toThrow();
  });

  it("takes --delete-secrets-on-private-key-jwt and --no-service-app-dpop, and stops on SIGINT", async () => {
    current = run(["--port", "0", "--delete-secrets-on-private-key-jwt", "--no-service-app-dpop"]);
    const info = JSON.parse(await current.firstLine) as OktaLocal;
    expect(info.apps).toHaveLength(1);
    const apps = await fetch(`${info.orgUrl}/api/v1/apps`, {
      headers: { Authorization: `SSWS ${info.apiToken}` },
    });
    const admin = (
      (await apps.json()) as { label: string; settings: { oauthClient: Record<string, unknown> } }[]
    ).find((a) => a.label === "okta-local-admin");
    expect(admin?.settings.oauthClient.dpop_bound_access_tokens).toBe(false);
    current.child.kill("SIGINT");
    expect(await current.exit).toBe(0);
  });

  it("refuses a bad --fault with exit code 2 and nothing on stdout", async () => {
    current = run(["--port", "0", "--fault", "{nope"]);
    expect(await current.exit).toBe(2);
    expect(current.stdout()).toBe("");
    expect(current.stderr()).toContain("--fault");
  });
});
