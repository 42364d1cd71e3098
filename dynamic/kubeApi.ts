// A small read-only Kubernetes API client for the pod census: it finds the cluster the way kubectl and
// @pulumi/kubernetes do (an explicit kubeconfig, else $KUBECONFIG, else ~/.kube/config; its current context),
// and authenticates with what a kubeconfig user holds: a client certificate, a bearer token or an exec
// credential plugin (EKS, GKE, AKS). The census only reads (GET).

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

const clusterSchema = z.object({
  server: z.string(),
  "certificate-authority": z.string().optional(),
  "certificate-authority-data": z.string().optional(),
  "insecure-skip-tls-verify": z.boolean().optional(),
});

const userSchema = z.object({
  "client-certificate": z.string().optional(),
  "client-certificate-data": z.string().optional(),
  "client-key": z.string().optional(),
  "client-key-data": z.string().optional(),
  token: z.string().optional(),
  tokenFile: z.string().optional(),
  exec: z
    .object({
      command: z.string(),
      args: z.array(z.string()).nullish(),
      env: z.array(z.object({ name: z.string(), value: z.string() })).nullish(),
    })
    .optional(),
});

export const kubeconfigSchema = z.object({
  "current-context": z.string().optional(),
  contexts: z.array(
    z.object({ name: z.string(), context: z.object({ cluster: z.string(), user: z.string() }) }),
  ),
  clusters: z.array(z.object({ name: z.string(), cluster: clusterSchema })),
  users: z.array(z.object({ name: z.string(), user: userSchema })).default([]),
});

export type Kubeconfig = z.infer<typeof kubeconfigSchema>;

/** What a request needs: the server, TLS material and the bearer token. No file is read after this. */
export interface KubeTarget {
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
  insecure?: boolean;
}

/** Where the kubeconfig is when none is given, as kubectl decides (first file of $KUBECONFIG). */
export function defaultKubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const first = (env.KUBECONFIG ?? "").split(path.delimiter).find((p) => p.trim() !== "");
  return first ?? path.join(os.homedir(), ".kube", "config");
}

/**
 * Reads the kubeconfig text: the given one (its contents, or a path to it, as `kubernetes:kubeconfig` may be),
 * else the default path.
 */
export function kubeconfigText(explicit: string | undefined): string {
  if (explicit !== undefined && explicit.trim() !== "") {
    const value = explicit.trim();
    if (!value.includes("\n") && !value.startsWith("{")) {
      const file = value.startsWith("~/") ? path.join(os.homedir(), value.slice(2)) : value;
      try {
        return fs.readFileSync(file, "utf8");
      } catch {
        throw new Error(`the kubeconfig file ${file} cannot be read`);
      }
    }
    return explicit;
  }
  const file = defaultKubeconfigPath();
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    throw new Error(
      `no kubeconfig: ${file} cannot be read. Set KUBECONFIG (as for kubectl), or pass the kubeconfig to ` +
        `the rotation, or turn the pod census off (gates.podCensus: false).`,
    );
  }
}

/**
 * Resolves a context of a kubeconfig to a request target: `context` when given (as the Kubernetes provider's
 * `kubernetes:context` overrides the current one), else the current context. `dir` resolves relative file paths.
 */
export function kubeTarget(text: string, dir: string = process.cwd(), context?: string): KubeTarget {
  const parsed = kubeconfigSchema.safeParse(parseYaml(text));
  if (!parsed.success) {
    throw new Error(`the kubeconfig is not one kubectl would read: ${parsed.error.issues[0]?.message}`);
  }
  const kc = parsed.data;
  const ctxName = context ?? kc["current-context"] ?? kc.contexts[0]?.name;
  const ctx = kc.contexts.find((c) => c.name === ctxName)?.context;
  if (!ctx) {
    const known = kc.contexts.map((c) => c.name).join(", ") || "none";
    throw new Error(
      `the kubeconfig has no context named '${ctxName}' (its contexts: ${known})` +
        (context !== undefined ? "; set kubernetes:context / podCensus.context to one of them" : ""),
    );
  }
  const cluster = kc.clusters.find((c) => c.name === ctx.cluster)?.cluster;
  if (!cluster) throw new Error(`the kubeconfig's context '${ctxName}' names no known cluster`);
  const user = kc.users.find((u) => u.name === ctx.user)?.user ?? {};
  const file = (p: string) => fs.readFileSync(path.resolve(dir, p));
  const data = (b64: string) => Buffer.from(b64, "base64");
  const target: KubeTarget = { server: cluster.server.replace(/\/+$/, "") };
  if (cluster["certificate-authority-data"]) target.ca = data(cluster["certificate-authority-data"]);
  else if (cluster["certificate-authority"]) target.ca = file(cluster["certificate-authority"]);
  if (cluster["insecure-skip-tls-verify"]) target.insecure = true;
  if (user["client-certificate-data"]) target.cert = data(user["client-certificate-data"]);
  else if (user["client-certificate"]) target.cert = file(user["client-certificate"]);
  if (user["client-key-data"]) target.key = data(user["client-key-data"]);
  else if (user["client-key"]) target.key = file(user["client-key"]);
  if (user.token) target.token = user.token;
  else if (user.tokenFile) target.token = file(user.tokenFile).toString("utf8").trim();
  if (user.exec) Object.assign(target, execCredential(user.exec));
  return target;
}

/** Runs a client-go exec credential plugin and takes its token or client certificate. */
function execCredential(exec: NonNullable<z.infer<typeof userSchema>["exec"]>): Partial<KubeTarget> {
  const env = { ...process.env };
  for (const e of exec.env ?? []) env[e.name] = e.value;
  const run = spawnSync(exec.command, exec.args ?? [], { env, encoding: "utf8", timeout: 60_000 });
  if (run.status !== 0) {
    throw new Error(`the kubeconfig's credential plugin '${exec.command}' failed (exit ${run.status})`);
  }
  const status = z
    .object({
      status: z.object({
        token: z.string().optional(),
        clientCertificateData: z.string().optional(),
        clientKeyData: z.string().optional(),
      }),
    })
    .safeParse(JSON.parse(run.stdout));
  if (!status.success)
    throw new Error(`the credential plugin '${exec.command}' gave no ExecCredential status`);
  const s = status.data.status;
  return {
    ...(s.token ? { token: s.token } : {}),
    ...(s.clientCertificateData ? { cert: Buffer.from(s.clientCertificateData) } : {}),
    ...(s.clientKeyData ? { key: Buffer.from(s.clientKeyData) } : {}),
  };
}

/** A GET against the API server; rejects with the status and the server's message on anything but 2xx. */
export function kubeGet<T>(target: KubeTarget, apiPath: string, timeoutMs = 30_000): Promise<T> {
  return kubeRequest<T>(target, "GET", apiPath, undefined, timeoutMs);
}

/**
 * The URL and options of a request to the API server: its TLS material and bearer token, and a JSON body's
 * headers (`application/merge-patch+json` for PATCH).
 */
export function kubeRequestOptions(
  target: KubeTarget,
  method: string,
  apiPath: string,
  payload: string | undefined,
  timeoutMs: number,
): { url: URL; options: https.RequestOptions; transport: typeof https | typeof http } {
  const url = new URL(target.server + apiPath);
  const isHttps = url.protocol === "https:";
  const options: https.RequestOptions = {
    method,
    headers: {
      accept: "application/json",
      ...(payload !== undefined
        ? {
            "content-type": method === "PATCH" ? "application/merge-patch+json" : "application/json",
            "content-length": Buffer.byteLength(payload),
          }
        : {}),
      ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
    },
    timeout: timeoutMs,
    ...(isHttps
      ? {
          ca: target.ca,
          cert: target.cert,
          key: target.key,
          rejectUnauthorized: !target.insecure,
        }
      : {}),
  };
  return { url, options, transport: isHttps ? https : http };
}

/** A request with a JSON body (`application/merge-patch+json` for PATCH). */
export function kubeRequest<T>(
  target: KubeTarget,
  method: string,
  apiPath: string,
  body?: unknown,
  timeoutMs = 30_000,
): Promise<T> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const { url, options, transport } = kubeRequestOptions(target, method, apiPath, payload, timeoutMs);
  return new Promise((resolve, reject) => {
    const req = transport.request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        if ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300) {
          resolve(JSON.parse(body) as T);
          return;
        }
        let message = body.slice(0, 200);
        try {
          message = (JSON.parse(body) as { message?: string }).message ?? message;
        } catch {
          // Not JSON.
        }
        reject(
          Object.assign(new Error(`${method} ${apiPath}: HTTP ${res.statusCode} ${message}`), {
            statusCode: res.statusCode,
          }),
        );
      });
    });
    req.on("timeout", () => req.destroy(new Error(`${method} ${apiPath}: no answer in ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(payload);
  });
}
