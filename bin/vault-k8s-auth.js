#!/usr/bin/env node
// The vault-k8s-auth command. Runs the compiled CLI when the package is built (npm run build),
// and the TypeScript source through tsx in a checkout, so `npx vault-k8s-auth` works right
// after `npm ci`. tsx's require() compiles only what the CLI imports, without registering a
// loader for the whole process.

const { existsSync } = require("node:fs");
const { join } = require("node:path");

const compiled = join(__dirname, "..", "dist", "cli", "main.js");
const cli = existsSync(compiled) ? require(compiled) : require("tsx/cjs/api").require("../src/cli/main.ts", __filename);
cli.run();
