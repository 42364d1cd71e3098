// What `npm pack` puts in the tarball teams install: the compiled package and its types, nothing of the tests,
// the local environment or the TypeScript sources, and nothing that loads TypeScript at run time.
import { execFileSync } from "child_process";
import { builtinModules } from "module";
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");

interface Manifest {
  name: string;
  main: string;
  types: string;
  exports: Record<string, string | Record<string, string>>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
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
  it("holds the compiled package, its types, package.json and README.md only", () => {
    expect(files).toContain("package.json");
    expect(files).toContain("README.md");
    const others = files.filter((f) => f !== "package.json" && f !== "README.md");
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
});
