import { cli, scratchDir } from "./harness";

const dir = scratchDir();

describe("the vault-k8s-auth dispatcher", () => {
  test("lists the commands with --help, exit 0", () => {
    const result = cli(["--help"], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: vault-k8s-auth <command>/);
    expect(result.stdout).toMatch(/^ {2}validate {3}/m);
  });

  test("rejects a missing command with the usage on stderr, exit 2", () => {
    const result = cli([], { cwd: dir });
    expect(result).toMatchObject({ code: 2, stdout: "" });
    expect(result.stderr).toMatch(/^Usage: vault-k8s-auth/);
  });

  test("rejects an unknown command, naming the known ones", () => {
    expect(cli(["doktor"], { cwd: dir })).toEqual({
      code: 2,
      stdout: "",
      stderr:
        'vault-k8s-auth: unknown command "doktor"; use one of can, doctor, drift, init, synth, validate (see --help)\n',
    });
  });

  test("rejects an unknown flag with node's words and where to look, exit 2", () => {
    const result = cli(["validate", "--rol", "x"], { cwd: dir });
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: "vault-k8s-auth validate: Unknown option '--rol' (see vault-k8s-auth validate --help)\n",
    });
  });

  test("rejects a stray argument", () => {
    expect(cli(["validate", "extra"], { cwd: dir })).toEqual({
      code: 2,
      stdout: "",
      stderr: 'vault-k8s-auth validate: unexpected argument "extra" (see vault-k8s-auth validate --help)\n',
    });
  });

  test.each(["can", "doctor", "validate"])("gives %s a --help with an example and its exit codes", (command) => {
    const result = cli([command, "--help"], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(new RegExp(`^Usage: vault-k8s-auth ${command} `));
    expect(result.stdout).toMatch(new RegExp(`Example:\n(.+\n)*? .*npx vault-k8s-auth ${command} `));
    expect(result.stdout).toMatch(/Exit status: 0 [\s\S]*?, 1 [\s\S]*?,\s+2 /);
  });

  test("gives synth a --help with an example and its exit codes, which has no 1: synth either writes or refuses", () => {
    const result = cli(["synth", "--help"], { cwd: dir });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toMatch(/^Usage: vault-k8s-auth synth /);
    expect(result.stdout).toMatch(/Example:\n {2}npx vault-k8s-auth synth /);
    expect(result.stdout).toMatch(/Exit status: 0 written, 2 bad usage or bad config \(nothing written\)\.\n$/);
  });
});
