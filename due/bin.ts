#!/usr/bin/env node
// `npx okta-rotation-due` (the package's bin, compiled to dist/due/bin.js): see cli.ts.
import { main } from "./cli";

main();
