import { execFileSync } from "node:child_process";
import { ValidationError } from "../domain/validation";

/**
 * Import blocks make cdktf run `terraform version` while it synthesizes (cdktf 0.21
 * lib/terraform-resource.js:246, lib/validations/validate-binary-version.js:19); without
 * Terraform on PATH that surfaces as an internal error, after the stacks synthesized before it
 * were written. This check runs while the stacks are built, so the user gets the fix and
 * nothing is written.
 * cdktf runs the binary TERRAFORM_BINARY_NAME names, so this does too.
 */
export function requireTerraformForImports(env: NodeJS.ProcessEnv = process.env): void {
  const binary = env.TERRAFORM_BINARY_NAME || "terraform";
  try {
    // Without CHECKPOINT_DISABLE, `terraform version` asks HashiCorp for newer releases first.
    execFileSync(binary, ["version"], { env: { ...env, CHECKPOINT_DISABLE: "1" }, stdio: "pipe", timeout: 30_000 });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "is not on PATH" : "failed";
    throw new ValidationError(
      `importExisting is true, and cdktf checks import blocks by running \`${binary} version\` while it synthesizes, ` +
        `but ${binary} ${reason}. Install Terraform >= 1.11 on PATH (or name it in TERRAFORM_BINARY_NAME), ` +
        `or set importExisting back to false.`,
    );
  }
}
