/**
 * The bin's entry, `run()`: the process's own arguments, streams and exit code, around main().
 * test/cli/bin.test.ts runs the real binary; this checks the wiring in-process.
 */
import { join } from "node:path";
import { run } from "../../src/cli/main";
import { packageVersion } from "../../src/cli/version";
import { scratchDir } from "./harness";

const dir = scratchDir();

describe("run()", () => {
  const saved = { argv: process.argv, exitCode: process.exitCode, cwd: process.cwd(), env: process.env };
  let stdout: string;
  let stderr: string;
  beforeEach(() => {
    stdout = "";
    stderr = "";
    jest.spyOn(process.stdout, "write").mockImplementation((text) => {
      stdout += String(text);
      return true;
    });
    jest.spyOn(process.stderr, "write").mockImplementation((text) => {
      stderr += String(text);
      return true;
    });
    process.exitCode = undefined;
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.argv = saved.argv;
    process.exitCode = saved.exitCode;
    process.chdir(saved.cwd);
    process.env = saved.env;
  });
  const argv = (...args: string[]) => {
    process.argv = ["node", "vault-k8s-auth", ...args];
  };

  test("answers the arguments after the script's own on stdout, and sets the exit code", () => {
    argv("--version");
    run();
    expect({ stdout, stderr, code: process.exitCode }).toEqual({
      stdout: `vault-k8s-auth ${packageVersion()}\n`,
      stderr: "",
      code: 0,
    });
  });

  test("writes a refusal on stderr with exit code 2", () => {
    argv("validate", "--strict", "--config", "missing.yaml");
    process.chdir(dir);
    run();
    expect({ stdout, stderr, code: process.exitCode }).toEqual({
      stdout: "",
      stderr: `vault-k8s-auth validate: --config missing.yaml: no such file (looked in ${process.cwd()})\n`,
      code: 2,
    });
  });

  test("sets the exit code of a command that answers later, once it has answered", async () => {
    // drift reads Vault: with no address anywhere it refuses, but only after its promise settles.
    argv("drift", "--config", join(dir, "none.yaml"));
    process.env = { PATH: saved.env.PATH };
    run();
    expect(process.exitCode).toBeUndefined();
    await new Promise((settled) => setTimeout(settled, 50));
    expect(process.exitCode).toBe(2);
    expect(stderr).toMatch(/^vault-k8s-auth drift: /);
  });
});
