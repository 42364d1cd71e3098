import * as path from "path";
import { defineConfig } from "vitest/config";

const src = (p: string) => path.join(__dirname, p);

// Dynamic providers are serialized by Pulumi's closure serializer, which inspects the running
// functions' source. Vitest's default worker threads transform modules in a way that can break that
// serialization (pulumi/pulumi#10480), so tests run in forked child processes, one file per process.
//
// The program imports this package by its name: in tests that resolves to the sources (as tsconfig.json's
// "paths" does for the type checker). What runs under the engine (Pulumi, the provider process) loads the
// compiled dist/, which test/globalSetup.ts builds first when a source is newer.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^okta-credential-rotation$/, replacement: src("components/index.ts") },
      { find: /^okta-credential-rotation\/client$/, replacement: src("client/index.ts") },
      { find: /^okta-credential-rotation\/dynamic$/, replacement: src("dynamic/index.ts") },
      { find: /^okta-credential-rotation\/dynamic\/(.+)$/, replacement: src("dynamic/$1.ts") },
    ],
  },
  test: {
    pool: "forks",
    include: ["test/**/*.test.ts", "local-env/**/*.test.ts"],
    globalSetup: ["test/globalSetup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
