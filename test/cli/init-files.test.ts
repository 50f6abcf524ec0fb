/**
 * The files `vault-k8s-auth init` writes, whole, for review: they are the first thing a team
 * reads and edits, so every change to their text (a comment, a pin, a step) shows in the
 * snapshot's diff. What they must do is pinned by test/cli/init.test.ts (the config validates,
 * the pins are this package's, the workflow passes actionlint); this pins what they say.
 */
import {
  cdktfJson,
  configFile,
  gitignore,
  type InitAnswers,
  type InitPins,
  packageJson,
  readme,
  workflow,
} from "../../src/cli/init-files";
import { TEST_CA } from "../fixture-values";

/** Pins that never change with a release, so the snapshots change only with the text. */
const PINS: InitPins = {
  self: "9.9.9",
  cdktf: "1.1.1",
  constructs: "2.2.2",
  cdktfCli: "3.3.3",
  providerAws: "4.4.4",
  node: ">=20",
};

const EXPLICIT: InitAnswers = {
  cluster: "prod",
  connection: { kind: "explicit", host: "https://k8s.example.com:6443", caCertificate: TEST_CA },
  vaultAddress: "https://vault.example.com:8200",
  atlantis: false,
  ci: undefined,
  packageName: "vault-auth",
};

const EKS_ATLANTIS_CI: InitAnswers = {
  cluster: "eks-test",
  connection: { kind: "eks", clusterName: "eks-test", region: "ap-northeast-1" },
  vaultAddress: "https://vault.example.com",
  atlantis: true,
  ci: "github",
  packageName: undefined,
};

describe.each([
  ["an explicit cluster, nothing else", EXPLICIT],
  ["an EKS cluster with --atlantis and --ci github", EKS_ATLANTIS_CI],
])("init's files for %s", (_what, answers) => {
  test("vault-k8s-auth.yaml", () => {
    expect(configFile(answers, PINS)).toMatchSnapshot();
  });

  test("package.json", () => {
    expect(packageJson(answers, PINS)).toMatchSnapshot();
  });

  test("README.md", () => {
    expect(readme(answers, PINS)).toMatchSnapshot();
  });
});

describe("init's files that do not depend on the answers", () => {
  test("cdktf.json", () => {
    expect(cdktfJson()).toMatchSnapshot();
  });

  test(".gitignore", () => {
    expect(gitignore()).toMatchSnapshot();
  });

  test("the GitHub workflow", () => {
    expect(workflow(PINS)).toMatchSnapshot();
  });
});
