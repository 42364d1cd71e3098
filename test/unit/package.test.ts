// What `npm pack` puts in the tarball teams install: the compiled package and its types, the compiled policy pack,
// nothing of the tests, the local environment or the TypeScript sources, and nothing that loads TypeScript at run
// time.
import { execFileSync, spawnSync } from "child_process";
import { builtinModules } from "module";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describe, expect, it } from "vitest";
import semver from "semver";

const ROOT = path.resolve(__dirname, "../..");

interface Manifest {
  name: string;
  main: string;
  types: string;
  exports: Record<string, string | Record<string, string>>;
  version: string;
  license: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  engines: Record<string, string>;
  files: string[];
}

const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as Manifest;
// dist/ is built by test/globalSetup.ts; --ignore-scripts lists it as it is.
const packed = JSON.parse(
  execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8" }),
) as { files: { path: string }[] }[];
const files = packed[0]!.files.map((f) => f.path);
const modes = new Map((packed[0]!.files as { path: string; mode: number }[]).map((f) => [f.path, f.mode]));

/** The modules a compiled file requires. */
function requires(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  return [...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!);
}

describe("the packed package", () => {
  it("holds the compiled package, its types, the policy pack, package.json, README.md, LICENSE and CHANGELOG.md only", () => {
    const docs = ["package.json", "README.md", "LICENSE", "CHANGELOG.md"];
    for (const f of docs) expect(files).toContain(f);
    const pack = ["dist/policy/PulumiPolicy.yaml", "dist/policy/package.json", "dist/policy/analyzer"];
    const others = files.filter((f) => !docs.includes(f) && !pack.includes(f));
    expect(
      others.filter((f) => !/^dist\/(components|dynamic|client|due|policy)\/[A-Za-z]+\.(js|d\.ts)$/.test(f)),
    ).toEqual([]);
    expect(files.filter((f) => /test|local-env|fixtures/i.test(f))).toEqual([]);
  });

  it("has a compiled module and its types for every source file of the package", () => {
    for (const dir of ["components", "dynamic", "client", "due", "policy"])
      for (const name of fs.readdirSync(path.join(ROOT, dir)).filter((f) => f.endsWith(".ts"))) {
        const base = `dist/${dir}/${name.replace(/\.ts$/, "")}`;
        expect(files).toContain(`${base}.js`);
        expect(files).toContain(`${base}.d.ts`);
      }
  });

  it("has the okta-rotation-due command as a bin that runs with node (npx okta-rotation-due)", () => {
    const bin = (manifest as { bin?: Record<string, string> }).bin?.["okta-rotation-due"];
    expect(bin).toBe("dist/due/bin.js");
    expect(files).toContain(bin);
    expect(fs.readFileSync(path.join(ROOT, bin!), "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  });

  it("points every entry point at a file in the tarball", () => {
    const targets = Object.values(manifest.exports).flatMap((t) =>
      typeof t === "string" ? [t] : Object.values(t),
    );
    for (const target of [manifest.main, manifest.types, ...targets]) {
      const file = target.replace(/^\.\//, "");
      if (file.includes("*")) {
        const [prefix, suffix] = file.split("*") as [string, string];
        expect(files.some((f) => f.startsWith(prefix) && f.endsWith(suffix))).toBe(true);
      } else expect(files).toContain(file);
    }
  });

  it("loads no TypeScript at run time: no tsx, ts-node or typescript among its dependencies or requires", () => {
    const loaders = ["tsx", "ts-node", "typescript"];
    const runtime = { ...manifest.dependencies, ...manifest.peerDependencies };
    expect(Object.keys(runtime).filter((d) => loaders.includes(d))).toEqual([]);
    const required = files.filter((f) => f.endsWith(".js")).flatMap(requires);
    expect(required.filter((r) => loaders.some((l) => r === l || r.startsWith(`${l}/`)))).toEqual([]);
  });

  it("requires only its dependencies, Node's modules and its own modules", () => {
    const allowed = new Set([
      manifest.name,
      ...Object.keys(manifest.dependencies),
      ...Object.keys(manifest.peerDependencies),
    ]);
    const packageOf = (r: string) =>
      r
        .split("/")
        .slice(0, r.startsWith("@") ? 2 : 1)
        .join("/");
    const strays = files
      .filter((f) => f.endsWith(".js"))
      .flatMap((f) => requires(f).map((r) => ({ f, r })))
      .filter(({ r }) => !r.startsWith(".") && !builtinModules.includes(r.replace(/^node:/, "")))
      .filter(({ r }) => !allowed.has(packageOf(r)));
    expect(strays).toEqual([]);
  });

  it("gives apps the client helper without Pulumi", () => {
    const client = files.filter((f) => f.startsWith("dist/client/") && f.endsWith(".js"));
    expect(client.length).toBeGreaterThan(0);
    const external = client.flatMap(requires).filter((r) => !r.startsWith("."));
    expect(external.filter((r) => r.startsWith("@pulumi/"))).toEqual([]);
    expect(external.every((r) => r === "jose" || builtinModules.includes(r.replace(/^node:/, "")))).toBe(
      true,
    );
  });

  it("carries the Apache-2.0 license it declares, in full, and a changelog with its versioning policy", () => {
    expect(manifest.license).toBe("Apache-2.0");
    const license = fs.readFileSync(path.join(ROOT, "LICENSE"), "utf8");
    for (const part of [
      "Apache License",
      "Version 2.0, January 2004",
      "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION",
      "9. Accepting Warranty or Additional Liability.",
      "END OF TERMS AND CONDITIONS",
    ])
      expect(license).toContain(part);
    expect(license.length).toBeGreaterThan(11_000);
    const changelog = fs.readFileSync(path.join(ROOT, "CHANGELOG.md"), "utf8");
    expect(changelog).toMatch(/^## Versioning policy$/m);
    expect(changelog).toContain("[Semantic Versioning](https://semver.org/)");
    expect(changelog).toMatch(new RegExp(`^## (Unreleased|${manifest.version.replace(/\./g, "\\.")})$`, "m"));
  });

  it("depends on nothing it does not require; @pulumi/okta is the examples' own", () => {
    const required = new Set(
      files
        .filter((f) => f.endsWith(".js"))
        .flatMap(requires)
        .map((r) =>
          r
            .split("/")
            .slice(0, r.startsWith("@") ? 2 : 1)
            .join("/"),
        ),
    );
    expect(Object.keys(manifest.dependencies).filter((d) => !required.has(d))).toEqual([]);
    expect(Object.keys(manifest.peerDependencies).filter((d) => !required.has(d))).toEqual([]);
    expect(manifest.dependencies["@pulumi/okta"]).toBeUndefined();
    expect(required.has("@pulumi/okta")).toBe(false);
    // The example that defines its app with okta.app.OAuth installs @pulumi/okta itself.
    const example = JSON.parse(
      fs.readFileSync(path.join(ROOT, "examples", "consumer-ts", "package.json"), "utf8"),
    ) as { dependencies: Record<string, string> };
    expect(example.dependencies["@pulumi/okta"]).toBeDefined();
  });

  it("has @pulumi/vault and @pulumi/kubernetes as optional peers, in ranges that hold the versions tested", async () => {
    const { PEER_RANGES } = await import("../../components/peers");
    for (const peer of ["@pulumi/vault", "@pulumi/kubernetes"] as const) {
      expect(manifest.peerDependencies[peer]).toBe(PEER_RANGES[peer]);
      expect(manifest.peerDependenciesMeta?.[peer]?.optional).toBe(true);
      expect(manifest.dependencies[peer]).toBeUndefined();
      // What the tests run with: the exact version in devDependencies, installed, inside the peer range.
      const tested = (
        JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", peer, "package.json"), "utf8")) as {
          version: string;
        }
      ).version;
      expect(manifest.devDependencies[peer]).toBe(tested);
      expect(semver.satisfies(tested, manifest.peerDependencies[peer]!)).toBe(true);
    }
    expect(manifest.peerDependenciesMeta?.["@pulumi/pulumi"]?.optional).toBeUndefined();
    expect(
      semver.satisfies(
        manifest.devDependencies["@pulumi/pulumi"]!,
        manifest.peerDependencies["@pulumi/pulumi"]!,
      ),
    ).toBe(true);
  });

  it("has @pulumi/policy as an optional peer, in a range that holds the version the pack names and is tested with", () => {
    const policy = "@pulumi/policy";
    expect(manifest.peerDependenciesMeta?.[policy]?.optional).toBe(true);
    expect(manifest.dependencies[policy]).toBeUndefined();
    const tested = (
      JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", policy, "package.json"), "utf8")) as {
        version: string;
      }
    ).version.replace(/^v/, "");
    expect(manifest.devDependencies[policy]).toBe(tested);
    expect(semver.satisfies(tested, manifest.peerDependencies[policy]!)).toBe(true);
    // The version a missing @pulumi/policy's error tells the program to install.
    const packManifest = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    expect(packManifest.dependencies[policy]).toBe(tested);
  });

  it("loads without the optional peers: a program that delivers its own way installs neither", () => {
    const hook = `
      const Module = require("module");
      const resolve = Module._resolveFilename;
      Module._resolveFilename = function (request, ...rest) {
        if (request === "@pulumi/vault" || request === "@pulumi/kubernetes") {
          throw Object.assign(new Error("Cannot find module '" + request + "'"), { code: "MODULE_NOT_FOUND" });
        }
        return resolve.call(this, request, ...rest);
      };
      const c = require(${JSON.stringify(path.join(ROOT, "dist/components/index.js"))});
      console.log(typeof c.SecretRotation, typeof c.KeyRotation);
    `;
    expect(execFileSync(process.execPath, ["-e", hook], { encoding: "utf8" }).trim()).toBe(
      "function function",
    );
  });

  it("declares the Node versions it is tested on, and says where @pulumi/pulumi asks for more", () => {
    const range = manifest.engines.node!;
    expect(semver.satisfies(process.versions.node, range)).toBe(true);
    const sdk = (
      JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules/@pulumi/pulumi/package.json"), "utf8")) as {
        engines?: { node?: string };
      }
    ).engines?.node;
    if (sdk !== undefined && sdk !== range) {
      // The docs (where a consumer reads how to add the package) say why the ranges differ, naming both.
      const readme = fs.readFileSync(path.join(ROOT, "docs", "concepts.md"), "utf8");
      expect(readme).toContain(`"node": "${range}"`);
      expect(readme).toContain(`\`${sdk}\``);
    }
  });
});

describe("the policy pack in the tarball (dist/policy)", () => {
  const PACK = path.join(ROOT, "dist", "policy");
  const testedPolicy = (
    JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules/@pulumi/policy/package.json"), "utf8")) as {
      version: string;
    }
  ).version.replace(/^v/, "");

  it("is a policy pack folder: PulumiPolicy.yaml, a package.json whose main is the compiled index, an executable launcher", () => {
    for (const f of ["PulumiPolicy.yaml", "package.json", "index.js", "analyzer"])
      expect(files).toContain(`dist/policy/${f}`);
    expect(fs.readFileSync(path.join(PACK, "PulumiPolicy.yaml"), "utf8")).toMatch(/^runtime: nodejs$/m);
    const packManifest = JSON.parse(fs.readFileSync(path.join(PACK, "package.json"), "utf8")) as {
      main: string;
      dependencies: Record<string, string>;
    };
    expect(packManifest.main).toBe("index.js");
    // The same as the repository's pack, which the tests run from its TypeScript sources.
    const source = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "package.json"), "utf8")) as {
      main: string;
    };
    expect({ ...packManifest, main: source.main }).toEqual(source);
    expect(fs.readFileSync(path.join(PACK, "analyzer"), "utf8")).toBe(
      fs.readFileSync(path.join(ROOT, "policy", "analyzer"), "utf8"),
    );
    expect(modes.get("dist/policy/analyzer")! & 0o111).toBe(0o111);
  });

  it("imports nothing from outside itself but @pulumi/policy and Node's modules", () => {
    const required = files
      .filter((f) => f.startsWith("dist/policy/") && f.endsWith(".js"))
      .flatMap((f) => requires(f).map((r) => ({ f, r })));
    expect(required.length).toBeGreaterThan(0);
    const outside = required.filter(
      ({ f, r }) =>
        !(r.startsWith("./") && files.includes(path.posix.join(path.posix.dirname(f), `${r}.js`))) &&
        r !== "@pulumi/policy" &&
        !builtinModules.includes(r.replace(/^node:/, "")),
    );
    expect(outside).toEqual([]);
  });

  it("names @pulumi/policy and the version to install when a program has not installed it", () => {
    // A copy of the pack where nothing resolves from: no node_modules above it.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-pack-"));
    try {
      const copy = path.join(dir, "policy");
      fs.cpSync(PACK, copy, { recursive: true });
      const want =
        "the okta-credential-rotation policy pack needs @pulumi/policy, an optional peer dependency of " +
        "okta-credential-rotation that this program has not installed: run npm install --save-dev " +
        `@pulumi/policy@${testedPolicy} in the program`;
      // Started by the engine as a binary analyzer: one line on stderr, exit 1.
      const launched = spawnSync(path.join(copy, "analyzer"), ["127.0.0.1:1"], { encoding: "utf8" });
      expect(launched.status).toBe(1);
      expect(launched.stderr.trim()).toBe(want);
      // Loaded by a language host that runs policy packs: the error the pack throws before anything else.
      const loaded = spawnSync(process.execPath, ["-e", `require(${JSON.stringify(copy)})`], {
        encoding: "utf8",
      });
      expect(loaded.status).not.toBe(0);
      expect(loaded.stderr).toContain(`Error: ${want}\n`);
      expect(loaded.stderr).not.toContain("Cannot find module");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
