/**
 * What a user sees when something fails that is no mistake of theirs (a bug of ours), from a
 * command and from the synth entry point alike: the message and where to report it, or the stack
 * with VAULT_K8S_AUTH_DEBUG; exit 2; and never VAULT_TOKEN's value, whatever the failure says.
 */
import { join } from "node:path";
import { runCli } from "../../src/cli/run-synth";
import { validate } from "../../src/cli/validate";
import { ValidationError } from "../../src/domain/validation";
import { capture, cli, scratchDir } from "./harness";

const dir = scratchDir();
const TOKEN = "hvs.CAESIJ9mHqT0r8x1";
const REPORT = "Set VAULT_K8S_AUTH_DEBUG=1 for the stack trace and report it as a bug.\n";

describe("a command that fails with an internal error", () => {
  afterEach(() => jest.restoreAllMocks());
  const failing = (message: string) =>
    jest.spyOn(validate, "run").mockImplementation(() => {
      throw new Error(message);
    });

  test("says so with its message and where to report it, exit 2, without the token's value", () => {
    failing(`cannot read ${TOKEN} twice`);
    expect(cli(["validate"], { cwd: dir, env: { VAULT_TOKEN: ` ${TOKEN}\n` } })).toEqual({
      code: 2,
      stdout: "",
      stderr: `vault-k8s-auth: internal error: cannot read <VAULT_TOKEN> twice\n${REPORT}`,
    });
  });

  test("prints the stack instead with VAULT_K8S_AUTH_DEBUG, still without the token's value", () => {
    failing(`cannot read ${TOKEN}`);
    const { code, stderr } = cli(["validate"], { cwd: dir, env: { VAULT_TOKEN: TOKEN, VAULT_K8S_AUTH_DEBUG: "1" } });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^vault-k8s-auth: internal error\nError: cannot read <VAULT_TOKEN>\n {4}at /);
    expect(stderr).not.toContain(TOKEN);
  });

  test("hides a token of 8 characters, the shortest it takes for a secret", () => {
    failing("denied for hvs.1234");
    expect(cli(["validate"], { cwd: dir, env: { VAULT_TOKEN: "hvs.1234" } }).stderr).toBe(
      `vault-k8s-auth: internal error: denied for <VAULT_TOKEN>\n${REPORT}`,
    );
  });

  test("leaves a token too short to be a secret in the words that hold it (a dev server's root)", () => {
    failing("the root of the problem");
    expect(cli(["validate"], { cwd: dir, env: { VAULT_TOKEN: "root" } }).stderr).toBe(
      `vault-k8s-auth: internal error: the root of the problem\n${REPORT}`,
    );
  });
});

describe("the synth entry point (npm run synth, cdktf synth)", () => {
  let exitCode: typeof process.exitCode;
  let sourceMaps: boolean;
  beforeEach(() => {
    exitCode = process.exitCode;
    sourceMaps = process.sourceMapsEnabled;
  });
  afterEach(() => {
    process.exitCode = exitCode;
    process.setSourceMapsEnabled(sourceMaps);
  });

  /** What runCli prints, with the exit code it sets (undefined: it set none). */
  const run = (main: () => never | ReturnType<Parameters<typeof runCli>[0]>, env: NodeJS.ProcessEnv = {}) => {
    const { io, result } = capture({ cwd: dir, env });
    process.exitCode = undefined;
    runCli(main, io);
    // runCli sets the process's exit code, and only on a failure.
    const { stdout, stderr } = result(0);
    return { code: process.exitCode, stdout, stderr };
  };

  test("prints each warning once and an ok line per stack, and sets no exit code", () => {
    const synthesized = { outdir: join(dir, "cdktf.out"), stacks: ["a", "b"], warnings: ["w1", "w2"] };
    expect(run(() => synthesized)).toEqual({
      code: undefined,
      stdout: "ok: a: cdktf.out/stacks/a/cdk.tf.json\nok: b: cdktf.out/stacks/b/cdk.tf.json\n",
      stderr: "warning: w1\nwarning: w2\n",
    });
  });

  test("prints nothing under the cdktf CLI, which prints the warnings and names the stacks itself", () => {
    const synthesized = { outdir: join(dir, "cdktf.out"), stacks: ["a"], warnings: ["w1"] };
    expect(run(() => synthesized, { CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "true" })).toEqual({
      code: undefined,
      stdout: "",
      stderr: "",
    });
  });

  test("prints a ValidationError's message alone, exit 2", () => {
    const main = () => {
      throw new ValidationError("clusters[0].name: is required");
    };
    expect(run(main)).toEqual({ code: 2, stdout: "", stderr: "vault-k8s-auth: clusters[0].name: is required\n" });
  });

  test("reports anything else as an internal error, as the commands do, without the token's value", () => {
    const main = () => {
      throw new TypeError(`x is undefined near ${TOKEN}`);
    };
    expect(run(main, { VAULT_TOKEN: TOKEN })).toEqual({
      code: 2,
      stdout: "",
      stderr: `vault-k8s-auth: internal error: x is undefined near <VAULT_TOKEN>\n${REPORT}`,
    });
    const debug = run(main, { VAULT_TOKEN: TOKEN, VAULT_K8S_AUTH_DEBUG: "1" });
    expect(debug.stderr).toMatch(
      /^vault-k8s-auth: internal error\nTypeError: x is undefined near <VAULT_TOKEN>\n {4}at /,
    );
  });

  test("turns source maps off for the synth unless VAULT_K8S_AUTH_DEBUG is set, when a stack trace needs them", () => {
    const synthesized = { outdir: dir, stacks: [], warnings: [] };
    process.setSourceMapsEnabled(true);
    run(() => synthesized);
    expect(process.sourceMapsEnabled).toBe(false);
    run(() => synthesized, { VAULT_K8S_AUTH_DEBUG: "1" });
    expect(process.sourceMapsEnabled).toBe(false);
    process.setSourceMapsEnabled(true);
    run(() => synthesized, { VAULT_K8S_AUTH_DEBUG: "1" });
    expect(process.sourceMapsEnabled).toBe(true);
  });
});
