// Token endpoint throughput: N concurrent clients doing client_credentials exchanges for S seconds
// against a local Okta started in its own process, so client and server do not share a CPU thread.
//   npx tsx local-env/okta/bench.ts [--clients 50] [--seconds 3] [--auth client_secret_basic|private_key_jwt]
// private_key_jwt assertions are signed before the clock starts (pods sign on their own CPUs).
// Prints one JSON line with the result. Never prints a secret.
import { spawn } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { parseArgs } from "node:util";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { randomUUID } from "node:crypto";
import { DEFAULT_AUTH_SERVER_ID, ROTATION_SCOPE } from "./authServers";

const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function request(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      clients: { type: "string", default: "50" },
      seconds: { type: "string", default: "3" },
      auth: { type: "string", default: "client_secret_basic" },
      // Target a running local Okta instead of starting one: the JSON line its CLI printed.
      target: { type: "string" },
    },
  });
  const clients = Number(values.clients);
  const seconds = Number(values.seconds);
  const root = path.resolve(__dirname, "../..");
  const child = spawn(
    path.join(root, "node_modules", ".bin", "tsx"),
    [path.join(__dirname, "cli.ts"), "--port", "0"],
    {
      stdio: ["ignore", "pipe", "ignore"],
    },
  );
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
        if (out.includes("\n")) resolve(out.split("\n")[0]);
      });
      child.on("exit", () => reject(new Error("okta-local exited")));
    });
    const { orgUrl, apiToken, apps } = JSON.parse(line) as {
      orgUrl: string;
      apiToken: string;
      apps: { id: string; clientId: string }[];
    };
    const mgmt = {
      Authorization: `SSWS ${apiToken}`,
      "Content-Type": "application/json",
      Accept: "application/json",
    };
    const appUrl = `${orgUrl}/api/v1/apps/${apps[0].id}`;
    // The seeded `default` custom authorization server and its scope: where Okta gives apps machine tokens.
    const tokenUrl = `${orgUrl}/oauth2/${DEFAULT_AUTH_SERVER_ID}/v1/token`;
    let makeRequest: () => Promise<{ headers: Record<string, string>; body: string }>;

    if (values.auth === "private_key_jwt") {
      const { privateKey, publicKey } = await generateKeyPair("RS256");
      const jwk = { ...(await exportJWK(publicKey)), kid: "bench", alg: "RS256", use: "sig" };
      await request(`${appUrl}/credentials/jwks`, "POST", mgmt, JSON.stringify(jwk));
      const app = JSON.parse((await request(appUrl, "GET", mgmt)).text) as {
        credentials: { oauthClient: { token_endpoint_auth_method: string } };
      };
      app.credentials.oauthClient.token_endpoint_auth_method = "private_key_jwt";
      await request(appUrl, "PUT", mgmt, JSON.stringify(app));
      const sign = (): Promise<string> => {
        const now = Math.floor(Date.now() / 1000);
        return new SignJWT({ jti: randomUUID() })
          .setProtectedHeader({ alg: "RS256", kid: "bench" })
          .setIssuer(apps[0].clientId)
          .setSubject(apps[0].clientId)
          .setAudience(tokenUrl)
          .setIssuedAt(now)
          .setExpirationTime(now + 300)
          .sign(privateKey);
      };
      // Pods sign on their own CPUs: pre-sign the assertions so this one process measures the server.
      const pool = await Promise.all(Array.from({ length: Math.min(6000, clients * seconds * 10) }, sign));
      makeRequest = async () => {
        const assertion = pool.pop() ?? (await sign());
        return {
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({
            grant_type: "client_credentials",
            scope: ROTATION_SCOPE,
            client_assertion_type: ASSERTION_TYPE,
            client_assertion: assertion,
          }).toString(),
        };
      };
    } else {
      const created = JSON.parse(
        (await request(`${appUrl}/credentials/secrets`, "POST", mgmt, "{}")).text,
      ) as { client_secret: string };
      const basic = Buffer.from(`${apps[0].clientId}:${created.client_secret}`).toString("base64");
      const headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        Authorization: `Basic ${basic}`,
      };
      makeRequest = () =>
        Promise.resolve({ headers, body: `grant_type=client_credentials&scope=${ROTATION_SCOPE}` });
    }

    const deadline = Date.now() + seconds * 1000;
    const latencies: number[] = [];
    let failures = 0;
    const worker = async (): Promise<void> => {
      while (Date.now() < deadline) {
        const { headers, body } = await makeRequest();
        const t0 = performance.now();
        const r = await request(tokenUrl, "POST", headers, body);
        latencies.push(performance.now() - t0);
        if (r.status !== 200) failures++;
      }
    };
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    await Promise.all(Array.from({ length: clients }, worker));
    const elapsed = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const pct = (p: number): number =>
      Math.round(latencies[Math.floor((latencies.length - 1) * p)] * 10) / 10;
    process.stdout.write(
      `${JSON.stringify({
        auth: values.auth,
        clients,
        seconds: Math.round(elapsed * 100) / 100,
        exchanges: latencies.length,
        failures,
        perSecond: Math.round(latencies.length / elapsed),
        p50ms: pct(0.5),
        p99ms: pct(0.99),
        clientCpuMs: Math.round((process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1000),
      })}\n`,
    );
  } finally {
    child?.kill("SIGTERM");
    agent.destroy();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
