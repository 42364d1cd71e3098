// What `npm pack` puts in the tarball teams install: the compiled package and its types, nothing of the tests,
// the local environment or the TypeScript sources, and nothing that loads TypeScript at run time.
import { execFileSync } from "child_process";
import { builtinModules } from "module";
import * as fs from "fs";
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

/** The modules a compiled file requires. */
function requires(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  return [...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!);
}

describe("the packed package", () => {
  it("holds the compiled package, its types, package.json, README.md, LICENSE and CHANGELOG.md only", () => {
    const docs = ["package.json", "README.md", "LICENSE", "CHANGELOG.md"];
    for (const f of docs) expect(files).toContain(f);
    const others = files.filter((f) => !docs.includes(f));
    expect(
      others.filter((f) => !/^dist\/(components|dynamic|client|due)\/[A-Za-z]+\.(js|d\.ts)$/.test(f)),
    ).toEqual([]);
    expect(files.filter((f) => /test|local-env|fixtures/i.test(f))).toEqual([]);
  });

  it("has a compiled module and its types for every source file of the package", () => {
    for (const dir of ["components", "dynamic", "client", "due"])
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
