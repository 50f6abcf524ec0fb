# Read-only Vault policy for `terraform plan` of the default vault-k8s-auth.yaml (see
# vault-deploy-policy.hcl for apply): everything a refresh reads, nothing it could change.
# Give it to a role that only the plan step logs in as (docs/security.md, "Atlantis").

# The mount is read through sys/mounts/auth/<path>, which needs no sudo.
path "sys/mounts/auth/atlantis" {
  capabilities = ["read"]
}

path "sys/mounts/auth/atlantis/tune" {
  capabilities = ["read"]
}

path "auth/atlantis/config" {
  capabilities = ["read"]
}

path "auth/atlantis/role/*" {
  capabilities = ["read", "list"]
}

path "sys/policies/acl/admin" {
  capabilities = ["read"]
}

# The vault provider's child token; it carries this policy, so it can read no more.
path "auth/token/create" {
  capabilities = ["update"]
}
