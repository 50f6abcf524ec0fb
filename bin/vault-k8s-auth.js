#!/usr/bin/env node
// The vault-k8s-auth command. Runs the CLI as `npm run build` left it: bundled with its pure
// dependencies into one file (fastest to start), else compiled module by module; in a checkout
// without a build, the TypeScript source through tsx, so `npx vault-k8s-auth` works right after
// `npm ci`. tsx's require() compiles only what the CLI imports, without registering a loader
// for the whole process.

const { existsSync } = require("node:fs");
const { join } = require("node:path");

const built = [join(__dirname, "..", "dist", "cli", "bundle.js"), join(__dirname, "..", "dist", "cli", "main.js")];
const compiled = built.find((file) => existsSync(file));
const cli = compiled ? require(compiled) : require("tsx/cjs/api").require("../src/cli/main.ts", __filename);
cli.run();
