#!/usr/bin/env bash
# End-to-end test (npm run test:e2e): a kind cluster, Vault in dev mode inside it, this project
# deployed with the real `cdktf deploy`, then the seed's promise checked from outside: a token of
# ServiceAccount atlantis/atlantis logs in at auth/atlantis/login and reads myscrt/access_key;
# another ServiceAccount is refused, and the Vault token reads nothing else.
#
# Where a prerequisite is missing it prints ONE line, `e2e: skipped: missing ...`, and exits 0;
# E2E_REQUIRED=1 turns that into `e2e: FAILED: missing ...` and exit 1 (CI must not skip).
# E2E_KEEP=1 keeps the cluster, the state file and the scratch folder for debugging.
# stdout carries only the verdicts (ok / not ok lines and the last line); progress and the
# tools' own output go to stderr.
set -euo pipefail

# --- Prerequisites. Only shell builtins until the verdict, so that a bare PATH gets the one
# line and nothing else; the network is asked last, and only when every tool is there.
missing=()
for tool in docker kind kubectl helm terraform node npx curl; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if command -v docker >/dev/null 2>&1 && ! docker info >/dev/null 2>&1; then
  missing+=("a running docker daemon")
fi
here=${BASH_SOURCE[0]%/*}
[[ $here == "${BASH_SOURCE[0]}" ]] && here=.
root=$(cd "$here/../.." && pwd)
if [[ ! -e $root/node_modules/.bin/cdktf ]]; then
  missing+=("node_modules (run npm ci)")
fi
if ((${#missing[@]} == 0)) &&
  ! curl -fsI --max-time 10 -o /dev/null https://helm.releases.hashicorp.com/index.yaml 2>/dev/null; then
  missing+=("network access to helm.releases.hashicorp.com")
fi
if ((${#missing[@]} > 0)); then
  reason=$(printf '%s, ' "${missing[@]}")
  reason=${reason%, }
  if [[ ${E2E_REQUIRED:-} == 1 ]]; then
    echo "e2e: FAILED: missing $reason"
    exit 1
  fi
  echo "e2e: skipped: missing $reason"
  exit 0
fi

# --- The run.
# Pinned, so a run means the same thing next month: the hashicorp/vault chart (0.32.0 = Vault
# 1.21.2) and Helm 3 (.github/workflows/e2e.yml installs the same HELM_VERSION).
vault_chart_version=${E2E_VAULT_CHART_VERSION:-0.32.0}
helm_major=v3
cluster=vault-k8s-auth-e2e
context=kind-$cluster
state=$root/terraform.e2e.tfstate
work=$(mktemp -d "${TMPDIR:-/tmp}/vault-k8s-auth-e2e.XXXXXX")
# A kubeconfig of its own: the run never changes the current context of ~/.kube/config.
export KUBECONFIG=$work/kubeconfig
passed=0
failed=0
finished=false
stage="starting"
port_forward=

progress() { echo "e2e: $*" >&2; }
begin() { # begin STAGE: named in the FAILED line if a setup command fails during it
  stage=$1
  progress "$stage"
}

cleanup() {
  local status=$?
  set +e
  if [[ -n $port_forward ]]; then
    kill "$port_forward" 2>/dev/null
    wait "$port_forward" 2>/dev/null
  fi
  if [[ $finished != true ]]; then
    if [[ -s $KUBECONFIG ]] && kubectl --context "$context" get namespace vault >/dev/null 2>&1; then
      progress "diagnostics:"
      kubectl --context "$context" get pods --all-namespaces >&2
      kubectl --context "$context" -n vault logs vault-0 --tail=40 >&2
    fi
    ((status != 0)) || status=1
    echo "e2e: FAILED: $stage (exit status $status); no checks counted"
  fi
  if [[ ${E2E_KEEP:-} == 1 ]]; then
    progress "E2E_KEEP=1: kept cluster $cluster (kubeconfig $KUBECONFIG), state $state, scratch $work"
  else
    kind delete cluster --name "$cluster" --kubeconfig "$KUBECONFIG" >/dev/null 2>&1
    rm -f "$state" "$state.backup"
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

retry() { # retry TIMES COMMAND...: once a second until it succeeds
  local times=$1 try
  shift
  for ((try = 1; try <= times; try++)); do
    "$@" && return 0
    sleep 1
  done
  return 1
}

begin "creating the kind cluster $cluster"
if grep -qx "$cluster" <<<"$(kind get clusters 2>/dev/null)"; then
  progress "reusing the existing kind cluster $cluster"
else
  kind create cluster --name "$cluster" --kubeconfig "$KUBECONFIG" --wait 180s >&2
fi
kind export kubeconfig --name "$cluster" --kubeconfig "$KUBECONFIG" >&2
kubectl config use-context "$context" >/dev/null

begin "checking that helm is Helm 3 (the chart and flags below are tested with it)"
helm_version=$(helm version --short 2>/dev/null)
progress "helm $helm_version, hashicorp/vault chart $vault_chart_version"
[[ $helm_version == "$helm_major".* ]]

begin "installing Vault (dev mode) with the hashicorp/vault Helm chart $vault_chart_version"
helm repo add hashicorp https://helm.releases.hashicorp.com --force-update >&2
# The chart's own auth-delegator binding is off: granting it to the reviewer is this project's job.
helm upgrade --install vault hashicorp/vault --version "$vault_chart_version" \
  --kube-context "$context" --namespace vault --create-namespace \
  --set server.dev.enabled=true --set server.dev.devRootToken=root \
  --set injector.enabled=false --set server.authDelegator.enabled=false \
  --wait --timeout 5m >&2
kubectl --context "$context" -n vault wait --for=condition=Ready pod/vault-0 --timeout=180s >&2

begin "port-forwarding svc/vault"
port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
kubectl --context "$context" -n vault port-forward svc/vault "$port:8200" >"$work/port-forward.log" 2>&1 &
port_forward=$!
# Dev-mode values: a throwaway root token of a Vault that lives only as long as this test.
export VAULT_ADDR=http://127.0.0.1:$port VAULT_TOKEN=root
retry 60 curl -fs -o /dev/null "$VAULT_ADDR/v1/sys/health"

begin "creating ServiceAccounts atlantis and intruder, and the KV secrets"
# In real life the Atlantis Helm chart creates ServiceAccount atlantis; intruder is any other one.
kubectl --context "$context" apply -f - >&2 <<'MANIFEST'
apiVersion: v1
kind: Namespace
metadata: { name: atlantis }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: atlantis, namespace: atlantis }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: intruder, namespace: atlantis }
MANIFEST
access_key=e2e-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
put_secret() { # put_secret PATH ACCESS_KEY: KV v2, which dev mode mounts at secret/
  curl -fsS --retry 10 --retry-delay 1 --retry-all-errors -o /dev/null -H "X-Vault-Token: $VAULT_TOKEN" \
    -H "Content-Type: application/json" -X POST --data "{\"data\":{\"access_key\":\"$2\"}}" \
    "$VAULT_ADDR/v1/secret/data/$1"
}
put_secret myscrt "$access_key"
put_secret other not-for-atlantis

begin "deploying stack e2e with npx cdktf deploy"
ca_pem=$(kubectl --context "$context" config view --raw --minify \
  -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d)
[[ $ca_pem == *"BEGIN CERTIFICATE"* ]]
kubeconfig_yaml=${KUBECONFIG//\\/\\\\}
kubeconfig_yaml=${kubeconfig_yaml//\"/\\\"}
config=$work/vault-k8s-auth.e2e.yaml
cat >"$config" <<YAML
# Written by test/e2e/run.sh: the least-privilege Atlantis setup on the e2e kind cluster.
clusters:
  - name: e2e
    kubernetes:
      host: https://kubernetes.default.svc # as Vault, inside the cluster, reaches the API
      caCertificate: |
        ${ca_pem//$'\n'/$'\n'        }
      kubeconfig:
        path: "$kubeconfig_yaml"
        context: $context
    auth:
      path: atlantis
      preventDestroy: false
      reviewer: { mode: long-lived-token }
    policies:
      - name: atlantis-read
        rules:
          - kvRead: { mount: secret, path: myscrt }
    roles:
      - name: atlantis
        boundServiceAccountNames: [atlantis]
        boundServiceAccountNamespaces: [atlantis]
        tokenPolicies: [atlantis-read]
        tokenPeriod: 1800s
YAML
(cd "$root" && CHECKPOINT_DISABLE=1 VAULT_K8S_AUTH_CONFIG=$config npx cdktf deploy e2e --auto-approve) >&2

begin "creating ServiceAccount tokens"
kubectl --context "$context" -n atlantis create token atlantis >"$work/atlantis.jwt"
kubectl --context "$context" -n atlantis create token intruder >"$work/intruder.jwt"

# --- The checks. Each prints ok / not ok; none can pass on a missing token or a setup error.
begin "running the checks"
check() { # check WHAT COMMAND...
  local what=$1
  shift
  if "$@"; then
    echo "ok - $what"
    passed=$((passed + 1))
  else
    echo "not ok - $what"
    failed=$((failed + 1))
  fi
}
show() { # show FILE: a failed check's evidence, on stderr
  [[ -s $1 ]] && sed 's/^/#   /' "$1" >&2
  return 0
}
login() { # login JWT_FILE ERR_FILE: vault-login.sh as a pod runs it
  sh "$root/scripts/vault-login.sh" --role atlantis --mount atlantis --token-file "$1" 2>"$2"
}
read_secret() { # read_secret TOKEN PATH FIELD ERR_FILE
  VAULT_TOKEN=$1 sh "$root/scripts/vault-read-secret.sh" "$2" "$3" 2>"$4"
}

outputs_login_path() {
  local value
  value=$(terraform -chdir="$root/cdktf.out/stacks/e2e" output -raw login_path 2>"$work/output.err") || {
    show "$work/output.err"
    return 1
  }
  [[ $value == auth/atlantis/login ]] || { echo "#   login_path is '$value'" >&2 && return 1; }
}
check "the stack outputs login_path auth/atlantis/login" outputs_login_path

atlantis_token=
atlantis_logs_in() {
  if atlantis_token=$(login "$work/atlantis.jwt" "$work/atlantis.err") && [[ -n $atlantis_token ]]; then
    return 0
  fi
  show "$work/atlantis.err"
  return 1
}
check "ServiceAccount atlantis/atlantis logs in at auth/atlantis/login with vault-login.sh" atlantis_logs_in

has_token() { [[ -n $atlantis_token ]] || { echo "#   no Vault token: the login failed" >&2 && return 1; }; }

token_is_least_privilege() {
  has_token || return 1
  curl -fsS -H "X-Vault-Token: $atlantis_token" "$VAULT_ADDR/v1/auth/token/lookup-self" >"$work/lookup.json" 2>&1 ||
    { show "$work/lookup.json" && return 1; }
  # shellcheck disable=SC2016 # JavaScript, not shell
  node -e '
    const { data } = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const policies = data.policies.filter((name) => name !== "default").join(",");
    if (policies !== "atlantis-read" || data.period !== 1800) {
      console.error(`#   policies ${data.policies.join(",")}, period ${data.period}`);
      process.exit(1);
    }' "$work/lookup.json"
}
check "its Vault token carries only policy atlantis-read (and default), period 1800 s" token_is_least_privilege

reads_myscrt() {
  has_token || return 1
  local value
  value=$(read_secret "$atlantis_token" myscrt access_key "$work/myscrt.err") || { show "$work/myscrt.err" && return 1; }
  [[ $value == "$access_key" ]] || { echo "#   read '$value', wrote '$access_key'" >&2 && return 1; }
}
check "that token reads myscrt/access_key with vault-read-secret.sh, the random value written" reads_myscrt

other_denied() {
  has_token || return 1
  local status=0
  read_secret "$atlantis_token" other access_key "$work/other.err" >/dev/null || status=$?
  if ((status == 1)) && grep -q "permission denied" "$work/other.err"; then return 0; fi
  echo "#   exit status $status" >&2
  show "$work/other.err"
  return 1
}
check "that token is refused secret/other with permission denied" other_denied

intruder_refused() {
  local status=0
  login "$work/intruder.jwt" "$work/intruder.err" >/dev/null || status=$?
  if ((status == 1)) && grep -q "service account name not authorized" "$work/intruder.err"; then return 0; fi
  echo "#   exit status $status" >&2
  show "$work/intruder.err"
  return 1
}
check "ServiceAccount atlantis/intruder is refused: service account name not authorized" intruder_refused

finished=true
echo "e2e: $passed passed, $failed failed"
((failed == 0))
