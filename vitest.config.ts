import { defineConfig } from "vitest/config";

// Dynamic providers are serialized by Pulumi's closure serializer, which inspects the running
// functions' source. Vitest's default worker threads transform modules in a way that can break that
// serialization (pulumi/pulumi#10480), so tests run in forked child processes, one file per process.
export default defineConfig({
  test: {
    pool: "forks",
    include: ["test/**/*.test.ts", "local-env/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
