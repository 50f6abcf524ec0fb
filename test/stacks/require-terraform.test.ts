import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireTerraformForImports } from "../../src/stacks/require-terraform";
import { validationMessage } from "../helpers";

describe("requireTerraformForImports", () => {
  test("runs `<binary> version` with CHECKPOINT_DISABLE=1, so it never waits on HashiCorp's release check", () => {
    const dir = mkdtempSync(join(tmpdir(), "fake-terraform-"));
    const binary = join(dir, "terraform");
    writeFileSync(binary, `#!/bin/sh\nprintf '%s|%s' "$CHECKPOINT_DISABLE" "$*" > "${dir}/ran"\n`);
    chmodSync(binary, 0o755);
    const { CHECKPOINT_DISABLE: _, ...env } = process.env;
    try {
      requireTerraformForImports({ ...env, TERRAFORM_BINARY_NAME: binary });
      expect(readFileSync(join(dir, "ran"), "utf8")).toBe("1|version");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("fails with the fix when the Terraform binary runs but fails", () => {
    expect(
      validationMessage(() => requireTerraformForImports({ ...process.env, TERRAFORM_BINARY_NAME: "false" })),
    ).toBe(
      "importExisting is true, and cdktf checks import blocks by running `false version` while it synthesizes, " +
        "but false failed. Install Terraform >= 1.11 on PATH (or name it in TERRAFORM_BINARY_NAME), " +
        "or set importExisting back to false.",
    );
  });
});
