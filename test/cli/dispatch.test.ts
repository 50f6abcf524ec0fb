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
        'vault-k8s-auth: unknown command "doktor"; use one of can, doctor, drift, init, synth, validate, version (see --help)\n',
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

  test.each(["can", "doctor", "drift", "init", "synth", "validate", "version"])(
    "gives %s a --help with an example and its exit codes in the convention's words",
    (command) => {
      const result = cli([command, "--help"], { cwd: dir });
      expect(result.code).toBe(0);
      expect(result.stderr).toBe("");
      expect(result.stdout).toMatch(new RegExp(`^Usage: vault-k8s-auth ${command} `));
      expect(result.stdout).toMatch(new RegExp(`Example:\n(.+\n)*? .*npx vault-k8s-auth ${command}`));
      expect(result.stdout).toMatch(/\n\nExit status: 0 [^;]+(; 1 [^;]+)?; 2 [^;]+ \(see vault-k8s-auth --help\)\.\n$/);
      expect(result.stdout.match(/Exit status/g)).toHaveLength(1);
    },
  );

  test("gives synth a --help whose exit codes have no 1: synth either writes or refuses", () => {
    expect(cli(["synth", "--help"], { cwd: dir }).stdout).toMatch(
      /\n\nExit status: 0 written; 2 bad usage, a file that cannot be read or a config with problems \(nothing written\) \(see vault-k8s-auth --help\)\.\n$/,
    );
  });

  test("gives validate a --help whose exit codes say what each of 0, 1 and 2 means for it", () => {
    expect(cli(["validate", "--help"], { cwd: dir }).stdout).toMatch(
      /\n\nExit status: 0 the file is valid \(warnings or not, unless --strict\); 1 it has problems, or warnings with --strict; 2 bad usage, or --config names no file that can be read \(see vault-k8s-auth --help\)\.\n$/,
    );
  });

  test.each(["help", "--help", "-h"])("prints the top help on stdout for %s, exit 0", (flag) => {
    const result = cli([flag], { cwd: dir });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toMatch(/^Usage: vault-k8s-auth <command> \[args\] \[--flags\]\n/);
  });

  test("takes --version alone: with more after it, it is no command", () => {
    expect(cli(["--version", "extra"], { cwd: dir })).toEqual({
      code: 2,
      stdout: "",
      stderr:
        'vault-k8s-auth: unknown command "--version"; use one of can, doctor, drift, init, synth, validate, version (see --help)\n',
    });
  });

  test("names every argument past the ones a command takes", () => {
    expect(cli(["init", "repo", "more", "and more"], { cwd: dir })).toEqual({
      code: 2,
      stdout: "",
      stderr: expect.stringMatching(
        /^vault-k8s-auth init: unexpected argument "more and more" \(see vault-k8s-auth init --help\)\n/,
      ),
    });
  });

  test("says the exit status convention once, in the top --help", () => {
    expect(cli(["--help"], { cwd: dir }).stdout).toContain(
      [
        "Exit status, the same for every command:",
        "  0  yes: the answer is yes, or the job is done",
        "  1  no: the answer is no (denied, a check fails, the file has problems)",
        "  2  no answer: bad usage, a file that cannot be read, a config with problems (for every",
        "     command but validate, whose answer they are), or an internal error (a bug: report it)",
      ].join("\n"),
    );
  });

  test.each([["--version"], ["version"]])("prints the package's version with %s, exit 0", (...argv) => {
    const { version } = require("../../package.json") as { version: string };
    expect(cli(argv, { cwd: dir })).toEqual({ code: 0, stdout: `vault-k8s-auth ${version}\n`, stderr: "" });
  });

  test("prints the version as JSON with version --json", () => {
    const { version } = require("../../package.json") as { version: string };
    expect(cli(["version", "--json"], { cwd: dir })).toEqual({
      code: 0,
      stdout: `{"version":"${version}"}\n`,
      stderr: "",
    });
  });
});
