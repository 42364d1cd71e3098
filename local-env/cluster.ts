// A real Kubernetes control plane on loopback, without a container runtime: etcd, kube-apiserver,
// kube-controller-manager (Deployments, ReplicaSets, garbage collection) and kube-scheduler are the real
// programs; kwok plays one node and moves its pods through their lifecycle (Ready at once; deleted at the end of
// their termination grace period, as a kubelet would). Client-certificate authentication; certificates are
// made for this run with openssl.

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { kubeGet, kubeRequest, kubeTarget, type KubeTarget } from "../dynamic/kubeApi";
import { officialPluginInstalled, pulumiPluginsDir, pulumiSdkVersion } from "./plugin-host";
import { freePort, removeOnExit, startProcess, stopProcesses, waitReady, type Started } from "./processes";

export const REPO_ROOT = path.resolve(__dirname, "..");
export const NODE_NAME = "kwok-node-0";

export interface Cluster {
  /** A kubeconfig (admin, client certificate) for kubectl, @pulumi/kubernetes and the pod census. */
  kubeconfigPath: string;
  server: string;
  target: KubeTarget;
  /** Where the processes' logs and the certificates are. */
  dir: string;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Directory for certificates, data and logs (default: a new temp dir, removed by stop). */
  dir?: string;
  log?: (line: string) => void;
}

/** etcd's, the Kubernetes binaries' and kwok's directories: $KUBE_BIN_DIRS, else scripts/install-kube.sh. */
export function kubeBinDirs(): { etcd: string; kube: string; kwok: string } {
  const listed = process.env.KUBE_BIN_DIRS
    ? process.env.KUBE_BIN_DIRS.split(path.delimiter)
    : execFileSync("bash", [path.join(REPO_ROOT, "scripts", "install-kube.sh")], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
      })
        .trim()
        .split("\n");
  const [etcd, kube, kwok] = listed;
  if (!etcd || !kube || !kwok) throw new Error("install-kube.sh did not print three directories");
  return { etcd, kube, kwok };
}

/**
 * The pulumi-kubernetes resource plugin of the installed @pulumi/kubernetes, which every stack on this cluster
 * loads: when $PULUMI_HOME/plugins lacks it (a new PULUMI_HOME, or a plugin cache cleaned since the install),
 * scripts/install-pulumi-kubernetes.sh installs it again from its build cache (it builds only when that is empty).
 */
export function ensureKubernetesPlugin(log: (line: string) => void): void {
  const version = pulumiSdkVersion("kubernetes");
  if (officialPluginInstalled("kubernetes", version, pulumiPluginsDir())) return;
  log(`the kubernetes resource plugin v${version} is not in ${pulumiPluginsDir()}: installing it`);
  execFileSync("bash", [path.join(REPO_ROOT, "scripts", "install-pulumi-kubernetes.sh")], {
    stdio: ["ignore", "ignore", "inherit"],
  });
}

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

/** A CA, the API server's serving certificate, an admin client certificate and the service-account key. */
function makeCertificates(dir: string): void {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl(dir, [
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-days",
    "7",
    "-subj",
    "/CN=local-ca",
  ]);
  const signed = (name: string, subject: string, ext: string) => {
    fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
    openssl(dir, ["req", ...ec, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject]);
    openssl(dir, [
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.crt`,
      "-days",
      "7",
      "-extfile",
      `${name}.ext`,
    ]);
  };
  signed(
    "apiserver",
    "/CN=kube-apiserver",
    "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default\nextendedKeyUsage=serverAuth\n",
  );
  signed("admin", "/O=system:masters/CN=admin", "extendedKeyUsage=clientAuth\n");
  openssl(dir, ["genrsa", "-out", "sa.key", "2048"]);
  openssl(dir, ["rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub"]);
}

function writeKubeconfig(dir: string, server: string): string {
  const data = (f: string) => fs.readFileSync(path.join(dir, f)).toString("base64");
  const file = path.join(dir, "kubeconfig");
  const config = {
    apiVersion: "v1",
    kind: "Config",
    "current-context": "local",
    clusters: [{ name: "local", cluster: { server, "certificate-authority-data": data("ca.crt") } }],
    users: [
      {
        name: "admin",
        user: { "client-certificate-data": data("admin.crt"), "client-key-data": data("admin.key") },
      },
    ],
    contexts: [{ name: "local", context: { cluster: "local", user: "admin" } }],
  };
  fs.writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  return file;
}

/** kwok's stage files: Ready nodes with a lease heartbeat; Ready pods; pods deleted after their grace period. */
function kwokStages(kwokDir: string): string[] {
  const stages = path.join(kwokDir, "stages");
  const files = [
    "node/fast/node-initialize.yaml",
    "node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
    "pod/fast/pod-ready.yaml",
    "pod/fast/pod-complete.yaml",
    // The general pod-delete stage waits until the pod's deletionTimestamp (now + grace period), as a kubelet
    // lets a container run through its termination grace period.
    "pod/general/pod-delete.yaml",
  ].map((f) => path.join(stages, f));
  for (const f of files) if (!fs.existsSync(f)) throw new Error(`kwok stage file missing: ${f}`);
  return files;
}

/** Starts the control plane and one fake node, and waits until a pod can be scheduled on it. */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const log = options.log ?? (() => undefined);
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "okta-rotation-cluster-"));
  fs.mkdirSync(dir, { recursive: true });
  // The CA key, the admin key and etcd's data: gone with the process, however it ends (Ctrl-C, SIGTERM).
  const forget = ownDir ? removeOnExit(dir) : () => false;
  const bins = kubeBinDirs();
  ensureKubernetesPlugin(log);
  const started: Started[] = [];
  const stop = async () => {
    await stopProcesses([...started].reverse());
    if (ownDir) fs.rmSync(dir, { recursive: true, force: true });
    forget();
  };
  try {
    makeCertificates(dir);
    const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];

    const etcd = startProcess(
      "etcd",
      path.join(bins.etcd, "etcd"),
      [
        "--data-dir",
        path.join(dir, "etcd-data"),
        "--listen-client-urls",
        `http://127.0.0.1:${etcdPort}`,
        "--advertise-client-urls",
        `http://127.0.0.1:${etcdPort}`,
        "--listen-peer-urls",
        `http://127.0.0.1:${peerPort}`,
        "--initial-advertise-peer-urls",
        `http://127.0.0.1:${peerPort}`,
        "--initial-cluster",
        `default=http://127.0.0.1:${peerPort}`,
        "--unsafe-no-fsync",
      ],
      dir,
    );
    started.push(etcd);
    await waitReady(
      etcd,
      "health",
      async () => (await fetch(`http://127.0.0.1:${etcdPort}/health`)).ok,
      30_000,
    );
    log(`etcd on 127.0.0.1:${etcdPort}`);

    const f = (name: string) => path.join(dir, name);
    const apiserver = startProcess(
      "kube-apiserver",
      path.join(bins.kube, "kube-apiserver"),
      [
        `--etcd-servers=http://127.0.0.1:${etcdPort}`,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        `--secure-port=${apiPort}`,
        `--tls-cert-file=${f("apiserver.crt")}`,
        `--tls-private-key-file=${f("apiserver.key")}`,
        `--client-ca-file=${f("ca.crt")}`,
        "--service-account-issuer=https://kubernetes.default.svc",
        `--service-account-key-file=${f("sa.pub")}`,
        `--service-account-signing-key-file=${f("sa.key")}`,
        "--service-cluster-ip-range=10.96.0.0/16",
        "--authorization-mode=Node,RBAC",
        "--endpoint-reconciler-type=none",
        "--enable-priority-and-fairness=false",
      ],
      dir,
    );
    started.push(apiserver);
    const server = `https://127.0.0.1:${apiPort}`;
    const kubeconfigPath = writeKubeconfig(dir, server);
    const target = kubeTarget(fs.readFileSync(kubeconfigPath, "utf8"), dir);
    await waitReady(
      apiserver,
      "the API",
      async () => (await kubeGet(target, "/api/v1/namespaces/default"), true),
      120_000,
    );
    log(`kube-apiserver on ${server}`);

    const controllerManager = startProcess(
      "kube-controller-manager",
      path.join(bins.kube, "kube-controller-manager"),
      [
        `--kubeconfig=${kubeconfigPath}`,
        "--bind-address=127.0.0.1",
        "--secure-port=0",
        "--leader-elect=false",
        `--service-account-private-key-file=${f("sa.key")}`,
        `--root-ca-file=${f("ca.crt")}`,
        "--controllers=*",
      ],
      dir,
    );
    started.push(controllerManager);
    const scheduler = startProcess(
      "kube-scheduler",
      path.join(bins.kube, "kube-scheduler"),
      [
        `--kubeconfig=${kubeconfigPath}`,
        "--bind-address=127.0.0.1",
        "--secure-port=0",
        "--leader-elect=false",
      ],
      dir,
    );
    started.push(scheduler);
    const kwok = startProcess(
      "kwok",
      path.join(bins.kwok, "kwok"),
      [
        `--kubeconfig=${kubeconfigPath}`,
        "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
        "--node-ip=127.0.0.1",
        "--node-lease-duration-seconds=40",
        ...kwokStages(bins.kwok).flatMap((s) => ["--config", s]),
      ],
      dir,
    );
    started.push(kwok);

    await kubeRequest(target, "POST", "/api/v1/nodes", {
      apiVersion: "v1",
      kind: "Node",
      metadata: {
        name: NODE_NAME,
        annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
        labels: { type: "kwok", "kubernetes.io/hostname": NODE_NAME, "kubernetes.io/os": "linux" },
      },
    });
    await waitReady(
      kwok,
      "a Ready node",
      async () => {
        const node = await kubeGet<{ status?: { conditions?: { type: string; status: string }[] } }>(
          target,
          `/api/v1/nodes/${NODE_NAME}`,
        );
        return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
      },
      60_000,
    );
    // Pods are admitted once the namespace's default service account exists (the controller-manager makes it).
    await waitReady(
      controllerManager,
      "the default service account",
      async () => (await kubeGet(target, "/api/v1/namespaces/default/serviceaccounts/default"), true),
      60_000,
    );
    log(`node ${NODE_NAME} Ready (kwok)`);
    return { kubeconfigPath, server, target, dir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
