/** docs/atlantis.md must stay true to the examples it walks through and to the messages it quotes. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { AWS_PROVIDER, notFound, thrownWhenAwsFails } from "./aws-provider-missing";
import { seedCluster, stackFor, synthJson } from "./helpers";

const ROOT = join(__dirname, "..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const DOC = read("docs/atlantis.md");
/** The doc's text with line breaks inside sentences and code spans folded, as a reader sees it. */
const flat = DOC.replace(/\n\s*/g, " ");
const repos = parse(read("examples/atlantis/repos.yaml"));
const atlantis = parse(read("examples/atlantis/atlantis.yaml"));
/** A failure names the missing text, not the whole document. */
const expectIn = (text: string) => expect([text, flat.includes(text)]).toEqual([text, true]);

describe("docs/atlantis.md", () => {
  test("quotes the pre-workflow hook of repos.yaml verbatim", () => {
    expectIn(`\`${repos.repos[0].pre_workflow_hooks[0].run}\``);
  });

  test("names the Terraform and OpenTofu versions atlantis.yaml selects, and the Atlantis release the examples build on", () => {
    const pinned = String(atlantis.projects[0].terraform_version);
    const tofu = /# terraform_version: (v\S+)/.exec(read("examples/atlantis/atlantis.yaml"))?.[1];
    expectIn(`\`terraform_version: ${pinned}\``);
    expectIn(`\`terraform_version: ${tofu}\``);
    const row = (name: string, value: string) =>
      new RegExp(`\\| ${name}\\s+\\| ${value.replace(/[.*]/g, "\\$&")} `).test(flat);
    expect([
      row("Terraform in its image", pinned.slice(1)),
      row("OpenTofu in its image", tofu?.slice(1) ?? "?"),
    ]).toEqual([true, true]);
    const [, atlantisVersion] = /^ARG ATLANTIS_VERSION=(\S+)$/m.exec(read("examples/atlantis/Dockerfile")) ?? [];
    expect(row("Atlantis", `**${atlantisVersion}**`)).toBe(true);
  });

  test("the messages it quotes from vault-login.sh and vault-k8s-auth are the ones they print", () => {
    const script = read("scripts/vault-login.sh");
    for (const [quoted, source] of [
      ["Vault refused the login (HTTP", "'%s: Vault refused the login (HTTP %s): %s\\n'"],
      ["could not reach Vault at", '"could not reach Vault at $addr (curl exit code $rc)'],
      ["cannot read the ServiceAccount token file", '"cannot read the ServiceAccount token file $token_file'],
    ]) {
      expectIn(quoted);
      expect(script).toContain(source);
    }
    const eks =
      "an EKS cluster needs the AWS provider, which is an optional peer dependency of vault-k8s-auth and is not installed";
    expectIn(eks);
    expect(thrownWhenAwsFails(notFound(AWS_PROVIDER)).error.message).toContain(eks);
    expectIn("has 1 problem; nothing was synthesized:");
  });

  test("the workflow steps it describes are those of repos.yaml: a login before plan and again before apply", () => {
    const stages = repos.workflows["vault-k8s-auth"];
    for (const stage of ["plan", "apply"]) {
      expect(stages[stage].steps[0].env).toEqual({
        name: "VAULT_TOKEN",
        command: "vault-login.sh --role atlantis --mount atlantis",
      });
    }
    expectIn("before `init`/`plan`, and again before `apply`, an `env` step sets `VAULT_TOKEN`");
  });
  test("the reviewer rotation names the token Secret's address in the default config's stack", () => {
    const [, address] = /-replace=(\S+)/.exec(flat) ?? [];
    const [type, name] = (address ?? "").split(".");
    const { resource } = synthJson(stackFor(seedCluster()));
    expect(Object.keys(resource[type] ?? {})).toEqual([name]);
    expect(resource[type][name]).toMatchObject({ type: "kubernetes.io/service-account-token" });
  });
});
