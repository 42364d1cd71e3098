import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { defaultKubeconfigPath, kubeconfigText, kubeTarget } from "../../dynamic/kubeApi";

const b64 = (s: string) => Buffer.from(s).toString("base64");

const config = (user: Record<string, unknown>, cluster: Record<string, unknown> = {}) =>
  JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    "current-context": "b",
    contexts: [
      { name: "a", context: { cluster: "one", user: "u1" } },
      { name: "b", context: { cluster: "two", user: "u2" } },
    ],
    clusters: [
      { name: "one", cluster: { server: "https://one.example:6443" } },
      { name: "two", cluster: { server: "https://127.0.0.1:6443/", ...cluster } },
    ],
    users: [
      { name: "u1", user: { token: "wrong" } },
      { name: "u2", user },
    ],
  });

describe("kubeconfig", () => {
  it("takes the current context's cluster and user, inline data decoded", () => {
    const t = kubeTarget(
      config(
        { "client-certificate-data": b64("CERT"), "client-key-data": b64("KEY") },
        { "certificate-authority-data": b64("CA") },
      ),
    );
    expect(t.server).toBe("https://127.0.0.1:6443");
    expect(t.ca?.toString()).toBe("CA");
    expect(t.cert?.toString()).toBe("CERT");
    expect(t.key?.toString()).toBe("KEY");
    expect(t.token).toBeUndefined();
  });

  it("reads files relative to the kubeconfig's directory, and token files", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-"));
    fs.writeFileSync(path.join(dir, "ca.crt"), "CAFILE");
    fs.writeFileSync(path.join(dir, "token"), "tok\n");
    const t = kubeTarget(config({ tokenFile: "token" }, { "certificate-authority": "ca.crt" }), dir);
    expect(t.ca?.toString()).toBe("CAFILE");
    expect(t.token).toBe("tok");
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("runs an exec credential plugin and uses its token", () => {
    const t = kubeTarget(
      config({
        exec: {
          command: process.execPath,
          args: ["-e", "console.log(JSON.stringify({status:{token:process.env.T}}))"],
          env: [{ name: "T", value: "from-plugin" }],
        },
      }),
    );
    expect(t.token).toBe("from-plugin");
  });

  it("takes the context given (kubernetes:context) over the current one, and names the known ones otherwise", () => {
    const t = kubeTarget(config({ token: "two" }), process.cwd(), "a");
    expect(t.server).toBe("https://one.example:6443");
    expect(t.token).toBe("wrong");
    expect(() => kubeTarget(config({ token: "two" }), process.cwd(), "c")).toThrow(
      /no context named 'c' \(its contexts: a, b\); set kubernetes:context \/ podCensus.context to one of them/,
    );
  });

  it("refuses a kubeconfig whose context is missing, naming it", () => {
    const text = JSON.stringify({ "current-context": "x", contexts: [], clusters: [], users: [] });
    expect(() => kubeTarget(text)).toThrow(/no context named 'x'/);
  });

  it("finds the kubeconfig as kubectl does", () => {
    expect(defaultKubeconfigPath({ KUBECONFIG: `/a/config${path.delimiter}/b/config` })).toBe("/a/config");
    expect(defaultKubeconfigPath({})).toBe(path.join(os.homedir(), ".kube", "config"));
  });

  it("takes kubernetes:kubeconfig as contents or as a path to the file, as the provider does", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-"));
    const file = path.join(dir, "config");
    const text = config({ token: "t" });
    fs.writeFileSync(file, text);
    expect(kubeconfigText(file)).toBe(text);
    expect(kubeconfigText(text)).toBe(text);
    const yamlText = "apiVersion: v1\nkind: Config\n";
    expect(kubeconfigText(yamlText)).toBe(yamlText);
    expect(() => kubeconfigText(path.join(dir, "missing"))).toThrow(/missing cannot be read/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
