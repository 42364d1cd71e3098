#!/usr/bin/env node
// `npx okta-rotation-due`: runs due/cli.ts with tsx, the TypeScript runner this package depends on.
require("tsx/cjs");
require("./cli.ts").main();
