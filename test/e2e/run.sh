#!/usr/bin/env bash
# End-to-end: a kind cluster, Vault (dev mode) in it, this project deployed with the real
# `cdktf deploy`, then the seed's promise checked from the outside: a ServiceAccount token of
# atlantis/atlantis logs in at auth/atlantis/login and reads secret myscrt; other
# ServiceAccounts are refused, and the token reads nothing else.
#
# Where a prerequisite is missing it prints one line `e2e: skipped: missing ...` and exits 0
# (E2E_REQUIRED=1 turns that into a failure, for CI runners that must run it).
# E2E_KEEP=1 keeps the cluster and state for debugging.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cluster=vault-k8s-auth-e2e
context=kind-$cluster
passed=0
failed=0

missing=()
for tool in docker kind kubectl helm terraform node npx curl; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if command -v docker >/dev/null 2>&1 && ! docker info >/dev/null 2>&1; then
  missing+=("a running docker daemon")
fi
# Only ask the network when every tool is there: a machine without them skips at once.
if [ ${#missing[@]} -eq 0 ] && ! curl -fsS --max-time 10 -o /dev/null https://helm.releases.hashicorp.com/index.yaml; then
  missing+=("network access to helm.releases.hashicorp.com")
fi
if [ ${#missing[@]} -gt 0 ]; then
  reason=$(printf '%s, ' "${missing[@]}")
  reason=${reason%, }
  if [ "${E2E_REQUIRED:-}" = 1 ]; then
    echo "e2e: FAILED: missing $reason"
    exit 1
  fi
  echo "e2e: skipped: missing $reason"
  exit 0
fi

work=$(mktemp -d)
port_forward=
cleanup() {
  if [ -n "$port_forward" ]; then kill "$port_forward" 2>/dev/null || true; fi
  if [ "${E2E_KEEP:-}" != 1 ]; then
    kind delete cluster --name "$cluster" >/dev/null 2>&1 || true
    rm -f "$root/terraform.e2e.tfstate" "$root/terraform.e2e.tfstate.backup"
    rm -rf "$work"
  else
    echo "e2e: kept cluster $cluster, state $root/terraform.e2e.tfstate and $work"
  fi
}
trap cleanup EXIT

check() { # check DESCRIPTION COMMAND...
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

step() { echo "e2e: $*" >&2; }

step "kind cluster $cluster"
kind get clusters 2>/dev/null | grep -qx "$cluster" || kind create cluster --name "$cluster" --wait 120s >&2
kubectl config use-context "$context" >/dev/null

step "Vault in dev mode"
helm repo add hashicorp https://helm.releases.hashicorp.com >/dev/null 2>&1 || true
helm repo update hashicorp >/dev/null
# The chart's own auth-delegator binding is off: granting it is this project's job.
helm upgrade --install vault hashicorp/vault --namespace vault --create-namespace --kube-context "$context" \
  --set server.dev.enabled=true --set server.dev.devRootToken=root \
  --set injector.enabled=false --set server.authDelegator.enabled=false --wait --timeout 5m >&2
kubectl --context "$context" -n vault wait --for=condition=Ready pod/vault-0 --timeout=180s >&2

port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
kubectl --context "$context" -n vault port-forward svc/vault "$port:8200" >"$work/port-forward.log" 2>&1 &
port_forward=$!
# Throwaway dev-mode values, valid only inside this test's cluster.
export VAULT_ADDR=http://127.0.0.1:$port VAULT_TOKEN=root
for _ in $(seq 60); do curl -fsS -o /dev/null "$VAULT_ADDR/v1/sys/health" && break; sleep 1; done

step "ServiceAccounts and the secret"
kubectl --context "$context" create namespace atlantis --dry-run=client -o yaml | kubectl --context "$context" apply -f - >&2
for account in atlantis intruder; do
  kubectl --context "$context" -n atlantis create serviceaccount "$account" --dry-run=client -o yaml |
    kubectl --context "$context" apply -f - >&2
done
access_key="e2e-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
curl -fsS -H "X-Vault-Token: $VAULT_TOKEN" -X POST -d "{\"data\":{\"access_key\":\"$access_key\"}}" \
  "$VAULT_ADDR/v1/secret/data/myscrt" >/dev/null
curl -fsS -H "X-Vault-Token: $VAULT_TOKEN" -X POST -d '{"data":{"access_key":"not-for-atlantis"}}' \
  "$VAULT_ADDR/v1/secret/data/other" >/dev/null

step "deploy with cdktf"
kubeconfig=$work/kubeconfig
kind get kubeconfig --name "$cluster" >"$kubeconfig"
ca=$(kubectl --kubeconfig "$kubeconfig" config view --raw --minify -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d)
config=$work/e2e.yaml
{
  echo "clusters:"
  echo "  - name: e2e"
  echo "    kubernetes:"
  echo "      host: https://kubernetes.default.svc # as Vault, inside the cluster, reaches it"
  echo "      caCertificate: |"
  printf '%s\n' "$ca" | sed 's/^/        /'
  echo "      kubeconfig: { path: $kubeconfig, context: $context }"
  echo "    auth:"
  echo "      path: atlantis"
  echo "      preventDestroy: false"
  echo "      reviewer: { mode: long-lived-token }"
  echo "    policies:"
  echo "      - name: atlantis-read"
  echo "        rules:"
  echo "          - kvRead: { mount: secret, path: myscrt }"
  echo "    roles:"
  echo "      - name: atlantis"
  echo "        boundServiceAccountNames: [atlantis]"
  echo "        boundServiceAccountNamespaces: [atlantis]"
  echo "        tokenPolicies: [atlantis-read]"
  echo "        tokenPeriod: 1800s"
} >"$config"
cd "$root"
export CHECKPOINT_DISABLE=1 VAULT_K8S_AUTH_CONFIG=$config
npx cdktf deploy e2e --auto-approve >&2

step "the seed's promise"
kubectl --context "$context" -n atlantis create token atlantis >"$work/atlantis.jwt"
kubectl --context "$context" -n atlantis create token intruder >"$work/intruder.jwt"

vault_token=$(sh scripts/vault-login.sh --role atlantis --mount atlantis --token-file "$work/atlantis.jwt" 2>"$work/login.err") || true
check "atlantis/atlantis logs in at auth/atlantis/login" test -n "$vault_token"

read_secret() { VAULT_TOKEN=$vault_token sh scripts/vault-read-secret.sh "$@"; }
check "its Vault token reads myscrt/access_key" test "$(read_secret myscrt access_key 2>/dev/null)" = "$access_key"
check "its Vault token cannot read another secret" sh -c "! VAULT_TOKEN='$vault_token' sh scripts/vault-read-secret.sh other access_key 2>'$work/other.err'"
check "the refusal says permission denied" grep -q "permission denied" "$work/other.err"

if sh scripts/vault-login.sh --role atlantis --mount atlantis --token-file "$work/intruder.jwt" >/dev/null 2>"$work/intruder.err"; then
  intruder_refused=false
else
  intruder_refused=true
fi
check "a ServiceAccount the role does not bind is refused" $intruder_refused
check "the refusal names the ServiceAccount binding" grep -q "service account name not authorized" "$work/intruder.err"

login_path=$(cd cdktf.out/stacks/e2e && terraform output -raw login_path)
check "the stack outputs login_path auth/atlantis/login" test "$login_path" = auth/atlantis/login

echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
