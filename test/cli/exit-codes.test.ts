import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { COMMANDS } from "../../src/cli/main";
import { DEFAULT_CONFIG } from "../../src/config/defaults";
import { projectedToken } from "../answers/tokens";
import { liveCli } from "../live/fake-vault";
import { scratchDir, writeConfig } from "./harness";

/**
 * The exit status convention (src/cli/command.ts EXIT_CONVENTION), command by command: 0 yes,
 * 1 no, 2 no answer. A command added to the CLI fails the first test until it has its row here.
 */
const dir = scratchDir();
writeFileSync(join(dir, "pod.jwt"), projectedToken());
writeFileSync(join(dir, "default.jwt"), projectedToken({ name: "default" }));
writeConfig(dir, "bad.yaml", "clusters:\n  - name: x\n    kubernetes: {}\n");
writeConfig(dir, "not-yaml.yaml", "clusters: [\n");
writeFileSync(join(dir, "ca.pem"), readFileSync(join(__dirname, "..", "fixtures", "test-ca.pem")));
const seed = DEFAULT_CONFIG.clusters[0];
writeConfig(dir, "kv.yaml", {
  clusters: [{ ...seed, policies: [{ name: "admin", rules: [{ kvRead: { mount: "secret", path: "app" } }] }] }],
});

interface Row {
  /** Arguments for an answer of yes (0); left out where the answer needs a Vault (the row says where it is pinned). */
  readonly yes?: string[];
  /** The test file that pins 0 and 1 when they need a live Vault. */
  readonly answersIn?: string;
  /** Arguments for an answer of no (1), when the command has one. */
  readonly no?: string[];
  /** Arguments that reach the config, to be run with --config bad.yaml. */
  readonly config?: string[];
  /** The code a config with problems gets: 2, or 1 where the problems are the answer. */
  readonly badConfig?: 1 | 2;
}

const ROWS: Record<string, Row> = {
  can: {
    yes: ["can", "cubbyhole/notes", "--role", "atlantis"],
    no: ["can", "secret/data/other", "--role", "atlantis", "--config", "kv.yaml"],
    config: ["can", "secret/x", "--role", "atlantis"],
    badConfig: 2,
  },
  drift: { answersIn: "test/live/drift.test.ts", config: ["drift"], badConfig: 2 },
  doctor: {
    yes: ["doctor", "--role", "atlantis", "--jwt", "pod.jwt"],
    no: ["doctor", "--role", "atlantis", "--jwt", "default.jwt"],
    config: ["doctor", "--role", "atlantis", "--jwt", "pod.jwt"],
    badConfig: 2,
  },
  init: {
    yes: [
      "init",
      "repo",
      ...["--cluster", "kind-dev", "--host", "https://127.0.0.1:6443", "--ca-file", "ca.pem"],
      ...["--vault-address", "https://vault.example.com:8200"],
    ],
  },
  synth: { yes: ["synth", "--output", "out"], config: ["synth", "--output", "out"], badConfig: 2 },
  validate: { yes: ["validate"], no: ["validate", "--config", "bad.yaml"], config: ["validate"], badConfig: 1 },
  version: { yes: ["version"] },
};

test("every command has its row in this table", () => {
  expect(COMMANDS.map((command) => command.name).sort()).toEqual(Object.keys(ROWS).sort());
});

describe.each(Object.entries(ROWS))("vault-k8s-auth %s", (name, row) => {
  const command = COMMANDS.find((candidate) => candidate.name === name);

  if (row.yes) {
    const yes = row.yes;
    test("exits 0 on yes", async () => {
      expect((await liveCli(yes, { cwd: dir })).code).toBe(0);
    });
  } else {
    test(`pins 0 and 1 against a stand-in Vault in ${row.answersIn}`, () => {
      expect(existsSync(join(__dirname, "..", "..", String(row.answersIn)))).toBe(true);
      expect(command?.exit[1]).toBeDefined();
    });
  }

  if (row.no) {
    const no = row.no;
    test("exits 1 on no, and its help says what 1 means", async () => {
      expect((await liveCli(no, { cwd: dir })).code).toBe(1);
      expect(command?.exit[1]).toBeDefined();
    });
  } else if (row.yes) {
    test("has no 1, and its help says none", () => {
      expect(command?.exit[1]).toBeUndefined();
    });
  }

  test("exits 2 on bad usage (an unknown flag), with nothing on stdout", async () => {
    expect(await liveCli([name, "--no-such-flag"], { cwd: dir })).toMatchObject({ code: 2, stdout: "" });
  });

  if (row.config) {
    const args = row.config;
    test("exits 2 when --config names no file", async () => {
      expect((await liveCli([...args, "--config", "missing.yaml"], { cwd: dir })).code).toBe(2);
    });

    test(`exits ${row.badConfig} on a config with problems, and on one that is not YAML`, async () => {
      expect((await liveCli([...args, "--config", "bad.yaml"], { cwd: dir })).code).toBe(row.badConfig);
      expect((await liveCli([...args, "--config", "not-yaml.yaml"], { cwd: dir })).code).toBe(row.badConfig);
    });
  }
});
