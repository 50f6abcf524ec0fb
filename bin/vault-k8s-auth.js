#!/usr/bin/env node
// The vault-k8s-auth command. Installed from the package, it runs the CLI as `npm run build`
// shipped it: bundled with its pure dependencies into one file (fastest to start), else compiled
// module by module. In a checkout (src/ is there) it runs the source as it is now, through
// run-source.js: bundled on first use and again after every change, so `npx vault-k8s-auth` is
// fast right after `npm ci` and never runs a dist/ older than the source.

const { existsSync } = require("node:fs");
const { join } = require("node:path");

const source = join(__dirname, "..", "src", "cli", "main.ts");
const built = [join(__dirname, "..", "dist", "cli", "bundle.js"), join(__dirname, "..", "dist", "cli", "main.js")];
const cli = existsSync(source)
  ? require("./run-source").load("src/cli/main.ts")
  : require(built.find((file) => existsSync(file)) ?? built[0]);
cli.run();
