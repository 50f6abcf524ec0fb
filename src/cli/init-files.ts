/**
 * What `vault-k8s-auth init` writes: a repo of a team's own that holds only its config and the
 * pins that turn it into Terraform. Pure text from the answers; init.ts checks the answers and
 * writes the files.
 */

/** The cluster's API, as the flags gave it: host and CA, or an EKS cluster. */
export type InitConnection =
  | { readonly kind: "explicit"; readonly host: string; readonly caCertificate: string }
  | { readonly kind: "eks"; readonly clusterName: string; readonly region: string };

export interface InitAnswers {
  readonly cluster: string;
  readonly connection: InitConnection;
  readonly vaultAddress: string;
  readonly atlantis: boolean;
  readonly ci: "github" | undefined;
  /** The repo's package name, when its folder's name is one npm takes. */
  readonly packageName: string | undefined;
}

/** What the files pin, from the installed package's own package.json. */
export interface InitPins {
  readonly self: string;
  readonly cdktf: string;
  readonly constructs: string;
  readonly cdktfCli: string;
  readonly providerAws: string;
  readonly node: string;
}

/** The Terraform the CI job runs: the stacks require >= 1.11 (S3-native locking), as the Atlantis example pins. */
export const CI_TERRAFORM_VERSION = "1.11.4";

/** Where the written files find the package in the repo they are written into. */
const INSTALLED = "node_modules/vault-k8s-auth";

/** The policy names the README's deploy and plan story writes with `vault policy write`. */
export const ATLANTIS_POLICIES = { deploy: "vault-k8s-auth-deploy", plan: "vault-k8s-auth-plan" } as const;

export function configFile(answers: InitAnswers, pins: InitPins): string {
  const { cluster, connection, atlantis } = answers;
  const kubernetes =
    connection.kind === "eks"
      ? [
          "    # The cluster's API endpoint and CA come from EKS, credentials from your AWS environment",
          "    # (Terraform runs `aws eks get-token`, so the AWS CLI must be installed where it runs).",
          "    kubernetes:",
          "      eks:",
          `        clusterName: ${connection.clusterName}`,
          `        region: ${connection.region}`,
        ]
      : [
          "    # How Vault reaches the Kubernetes API (host, and its CA from --ca-file), and how Terraform",
          "    # does: the kubeconfig context it uses to create the reviewer objects. A guess: the cluster's",
          "    # name; `kubectl config get-contexts` lists yours, and a context that does not exist fails the",
          "    # plan before anything is written. Terraform running inside this cluster (Atlantis) uses",
          "    # inCluster: true instead of kubeconfig.",
          "    kubernetes:",
          `      host: ${connection.host}`,
          "      caCertificate: |",
          ...connection.caCertificate
            .trimEnd()
            .split("\n")
            .map((line) => `        ${line.trimEnd()}`),
          `      kubeconfig: { context: ${cluster} }`,
        ];
  const roles = atlantis
    ? [
        `    # Policies Vault has from elsewhere: this stack never writes them, its roles may name them. An`,
        `    # administrator writes them once, from the package's examples (adapt their mount path and`,
        `    # policy names to this file first):`,
        `    #   vault policy write ${ATLANTIS_POLICIES.deploy} ${INSTALLED}/examples/deploy/vault-deploy-policy.hcl`,
        `    #   vault policy write ${ATLANTIS_POLICIES.plan} ${INSTALLED}/examples/deploy/vault-plan-policy.hcl`,
        `    externalPolicies: [${ATLANTIS_POLICIES.deploy}, ${ATLANTIS_POLICIES.plan}]`,
        "",
        "    # Policies this stack writes, as Vault ACL rules, e.g. what Atlantis's Terraform reads:",
        "    # policies:",
        "    #   - name: atlantis-read",
        "    #     rules:",
        "    #       - kvRead: { mount: secret, path: atlantis/* }",
        "",
        "    roles:",
        "      # Atlantis's apply step logs in as this role (atlantis/repos.yaml, --role), with the",
        "      # ServiceAccount the Helm chart creates (atlantis/helm-values.yaml).",
        "      - name: atlantis",
        "        boundServiceAccountNames: [atlantis]",
        "        boundServiceAccountNamespaces: [atlantis]",
        `        tokenPolicies: [${ATLANTIS_POLICIES.deploy}]`,
        "        tokenPeriod: 30m # periodic token, renewable every 30 minutes",
        "      # Its plan step, read-only: pull-request code runs before anyone approves it.",
        "      - name: atlantis-plan",
        "        boundServiceAccountNames: [atlantis]",
        "        boundServiceAccountNamespaces: [atlantis]",
        `        tokenPolicies: [${ATLANTIS_POLICIES.plan}]`,
        "        tokenPeriod: 30m",
      ]
    : [
        "    # Policies this stack writes, as Vault ACL rules; kvRead reads one KV v2 secret (or a path",
        "    # ending in *).",
        "    policies:",
        "      - name: app-read",
        "        rules:",
        "          - kvRead: { mount: secret, path: app/* }",
        "",
        "    # Policies Vault has from elsewhere (vault policy write, another stack): roles may name them,",
        "    # this stack never writes them.",
        "    # externalPolicies: [team-read]",
        "",
        "    roles:",
        "      # An example to replace: a pod of ServiceAccount app in namespace app logs in as role app.",
        "      - name: app",
        "        boundServiceAccountNames: [app]",
        "        boundServiceAccountNamespaces: [app]",
        "        tokenPolicies: [app-read]",
        "        tokenPeriod: 30m # periodic token, renewable every 30 minutes",
        '        # The aud claim the pod\'s projected token carries (docs/pods.md, "Bind an audience").',
        "        audience: vault",
      ];
  return [
    `# yaml-language-server: $schema=./${INSTALLED}/vault-k8s-auth.schema.json`,
    "#",
    `# vault-k8s-auth: Vault's Kubernetes auth, one entry per cluster. Written by vault-k8s-auth init`,
    `# ${pins.self}; yours to edit. Every field is checked before Terraform runs (npx vault-k8s-auth`,
    `# validate); ${INSTALLED}/docs/config-reference.md has every field, docs/configure.md examples.`,
    "",
    "clusters:",
    "  # Each cluster is a stack with its own state: cdktf.out/stacks/<name>. Keep names stable:",
    "  # they are part of every Terraform address.",
    `  - name: ${cluster}`,
    "",
    ...kubernetes,
    "",
    "    # Vault itself. The token comes from VAULT_TOKEN at deploy time; it is never written here.",
    "    vault:",
    `      address: ${answers.vaultAddress}`,
    "",
    "    auth:",
    atlantis
      ? "      path: atlantis # pods log in at auth/atlantis/login (atlantis/repos.yaml, --mount)"
      : "      path: kubernetes # pods log in at auth/kubernetes/login",
    "      # Who calls the TokenReview API for Vault: long-lived-token (a reviewer ServiceAccount with a",
    "      # non-expiring token), vault-pod (Vault runs in this cluster and uses its own pod's token) or",
    "      # client-jwt (each workload's own token reviews itself).",
    "      reviewer: { mode: long-lived-token }",
    "",
    "    # State: terraform.<name>.tfstate next to this file, which holds the reviewer's token: never",
    `    # commit it (.gitignore keeps it out).${atlantis ? " Atlantis plans in a fresh checkout, so it needs remote state:" : " For a team, keep it in S3:"}`,
    "    # state: { s3: { bucket: my-terraform-state, region: eu-west-1 } }",
    "",
    ...roles,
    "",
  ].join("\n");
}

export function packageJson(answers: InitAnswers, pins: InitPins): string {
  const manifest = {
    ...(answers.packageName ? { name: answers.packageName } : {}),
    private: true,
    description: `Vault Kubernetes auth for cluster ${answers.cluster}, with vault-k8s-auth`,
    scripts: {
      validate: "vault-k8s-auth validate",
      synth: "vault-k8s-auth synth",
      plan: "cdktf diff",
      deploy: "cdktf deploy",
    },
    engines: { node: pins.node },
    dependencies: {
      ...(answers.connection.kind === "eks" ? { "@cdktf/provider-aws": pins.providerAws } : {}),
      cdktf: pins.cdktf,
      constructs: pins.constructs,
      "vault-k8s-auth": pins.self,
    },
    devDependencies: { "cdktf-cli": pins.cdktfCli },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

export function cdktfJson(): string {
  const config = {
    language: "typescript",
    // The package's compiled synth, by path: no npx look-up, no TypeScript compiler at synth time.
    app: `node ${INSTALLED}/bin/vault-k8s-auth.js synth`,
    projectId: "vault-k8s-auth",
    sendCrashReports: "false",
    terraformProviders: [],
    terraformModules: [],
    context: { "@cdktf/disable_stack_trace_in_metadata": true },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

export function gitignore(): string {
  return [
    "node_modules/",
    "cdktf.out/",
    ".terraform/",
    "# Terraform state holds the reviewer's token and every role: never commit it.",
    "*.tfstate",
    "*.tfstate.*",
    "",
  ].join("\n");
}

/** The CI job's file name under .github/workflows. */
export const WORKFLOW_FILE = ".github/workflows/vault-k8s-auth.yml";

/**
 * The GitHub Actions job for config pull requests. Its run steps are plain bash that reads only
 * GITHUB_STEP_SUMMARY, RUNNER_TEMP and BASE_SHA, so the package test runs them outside GitHub.
 */
export function workflow(pins: InitPins): string {
  return `# Written by vault-k8s-auth init ${pins.self}. On every pull request and push to main: the
# config is validated and synthesized, each stack passes \`terraform validate\` (no backend, no
# credentials: nothing here reaches Vault or a cluster), and on a pull request the job summary
# shows how each stack's Terraform JSON (cdk.tf.json) differs from the base branch's.
name: vault-k8s-auth

on:
  pull_request:
  push:
    branches: [main]

permissions:
  contents: read

defaults:
  run:
    shell: bash

jobs:
  check:
    runs-on: ubuntu-latest
    timeout-minutes: 15
    env:
      CHECKPOINT_DISABLE: "1"
      TF_IN_AUTOMATION: "1"
    steps:
      - uses: actions/checkout@v4
        with:
          # The base branch's commit, for the diff below.
          fetch-depth: 0
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - uses: hashicorp/setup-terraform@v3
        with:
          terraform_version: ${CI_TERRAFORM_VERSION}
          terraform_wrapper: false
      - name: install
        # Without cdktf-cli (a devDependency): synth runs the package's own command.
        run: npm ci --omit=dev --no-audit --no-fund
      - name: validate
        run: npx vault-k8s-auth validate
      - name: synth
        run: npx vault-k8s-auth synth
      - name: cache providers
        uses: actions/cache@v4
        with:
          path: ~/.terraform.d/plugin-cache
          # The provider versions come with the pinned packages.
          key: terraform-providers-\${{ runner.os }}-\${{ hashFiles('package-lock.json') }}
      - name: terraform validate
        run: |
          export TF_PLUGIN_CACHE_DIR="$HOME/.terraform.d/plugin-cache"
          mkdir -p "$TF_PLUGIN_CACHE_DIR"
          for stack in cdktf.out/stacks/*/; do
            echo "::group::terraform validate $stack"
            terraform -chdir="$stack" init -backend=false -input=false -no-color
            terraform -chdir="$stack" validate -no-color
            echo "::endgroup::"
          done
      - name: diff against the base branch
        if: github.event_name == 'pull_request'
        env:
          BASE_SHA: \${{ github.event.pull_request.base.sha }}
        run: |
          base="$RUNNER_TEMP/base"
          git worktree add --detach "$base" "$BASE_SHA"
          if [ -f "$base/vault-k8s-auth.yaml" ] && [ -f "$base/package-lock.json" ]; then
            if cmp -s package-lock.json "$base/package-lock.json"; then
              ln -s "$PWD/node_modules" "$base/node_modules"
            else
              (cd "$base" && npm ci --omit=dev --no-audit --no-fund)
            fi
            (cd "$base" && npx vault-k8s-auth synth >/dev/null) || echo "::warning::the base branch does not synthesize; every stack shows as new"
          fi
          stacks=$({ ls cdktf.out/stacks; ls "$base/cdktf.out/stacks" 2>/dev/null || true; } | sort -u)
          {
            echo "## Terraform JSON against the base branch"
            echo
            for stack in $stacks; do
              ours="cdktf.out/stacks/$stack/cdk.tf.json"
              theirs="$base/cdktf.out/stacks/$stack/cdk.tf.json"
              [ -f "$ours" ] || ours=/dev/null
              [ -f "$theirs" ] || theirs=/dev/null
              status=0
              diff -u --label "base: $stack/cdk.tf.json" --label "this branch: $stack/cdk.tf.json" "$theirs" "$ours" >"$RUNNER_TEMP/$stack.diff" || status=$?
              if [ "$status" -eq 0 ]; then
                echo "- \\\`$stack\\\`: no change"
              elif [ "$status" -eq 1 ]; then
                echo "### \\\`$stack\\\`"
                echo
                echo '\`\`\`\`diff'
                head -c 60000 "$RUNNER_TEMP/$stack.diff"
                [ "$(wc -c <"$RUNNER_TEMP/$stack.diff")" -le 60000 ] || printf '\\n... (cut at 60000 bytes: run the synth on both branches to see it all)\\n'
                echo '\`\`\`\`'
              else
                exit "$status"
              fi
            done
          } >>"$GITHUB_STEP_SUMMARY"
`;
}

export function readme(answers: InitAnswers, pins: InitPins): string {
  const { cluster, connection, atlantis, ci } = answers;
  const rows: [string, string][] = [
    ["`vault-k8s-auth.yaml`", "the config: one entry per cluster, checked by `npx vault-k8s-auth validate`"],
    [
      "`package.json`",
      `exact pins: vault-k8s-auth ${pins.self}, cdktf ${pins.cdktf}, constructs ${pins.constructs}, cdktf-cli ${pins.cdktfCli}${connection.kind === "eks" ? `, @cdktf/provider-aws ${pins.providerAws}` : ""}`,
    ],
    ["`cdktf.json`", "`cdktf synth`, `diff` and `deploy` run the package's compiled synth on the config"],
    ["`.gitignore`", "keeps out `node_modules/`, `cdktf.out/` and Terraform state (it holds the reviewer's token)"],
  ];
  if (ci === "github") {
    rows.push([
      `\`${WORKFLOW_FILE}\``,
      "on every pull request: validate, synth, `terraform validate` of each stack, and the diff of each `cdk.tf.json` against the base branch in the job summary",
    ]);
  }
  if (atlantis) {
    rows.push([
      "`atlantis.yaml`, `atlantis/`",
      "Atlantis runs the stacks: the repo-level config here, the server-side config and Helm values in `atlantis/` (its `README.md` says how)",
    ]);
  }
  const table = rows.map(([file, what]) => `| ${file} | ${what} |`).join("\n");
  const question = atlantis ? "sys/auth/atlantis --role atlantis" : "secret/data/app/x --role app";
  return `# Vault Kubernetes auth for ${cluster}

Written by \`vault-k8s-auth init\` (vault-k8s-auth ${pins.self}). Pods of cluster \`${cluster}\` log in
to Vault with their ServiceAccount token; this repo holds the config that sets that up and the
exact versions that turn it into Terraform. The code is the vault-k8s-auth package: its
README and docs (\`${INSTALLED}/README.md\` and \`${INSTALLED}/docs/\` once installed) explain
every field and command.

| file | what |
| ---- | ---- |
${table}

## Install

\`\`\`sh
npm install
\`\`\`

Until vault-k8s-auth is published on the npm registry, \`npm install\` cannot find
vault-k8s-auth@${pins.self}: install it from its tarball first (\`npm pack\` in a clone of
vault-k8s-auth makes \`vault-k8s-auth-${pins.self}.tgz\`; keep it in this repo, e.g. in \`vendor/\`,
so that CI finds it), which points the dependency at the file:

\`\`\`sh
npm install ./vendor/vault-k8s-auth-${pins.self}.tgz
\`\`\`

## Use

\`\`\`sh
npx vault-k8s-auth validate     # ok: vault-k8s-auth.yaml: 1 cluster, N roles; or one FAIL line per problem
npm run synth                   # cdktf.out/stacks/${cluster}/cdk.tf.json
npx vault-k8s-auth can ${question}   # what that role's token may do there
npm run plan                    # cdktf diff: needs VAULT_TOKEN${connection.kind === "eks" ? ", AWS credentials" : " and the kubeconfig context"}
npm run deploy                  # cdktf deploy
\`\`\`

The first deploy needs a Vault token that may enable an auth method (\`sys/auth/*\` with sudo) and
Kubernetes rights to create the reviewer's ServiceAccount and bindings: the package's
docs/deploy.md, "What the deploying identity needs", lists exactly which.
${
  atlantis
    ? `
Atlantis's roles name the policies \`${ATLANTIS_POLICIES.deploy}\` and \`${ATLANTIS_POLICIES.plan}\`, which
this stack does not write (\`externalPolicies\`): write them once with \`vault policy write\`, as
the comment in \`vault-k8s-auth.yaml\` shows, before Atlantis's first plan.
`
    : ""
}`;
}
