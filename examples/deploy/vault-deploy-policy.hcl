# Vault policy for the token that deploys the default vault-k8s-auth.yaml (cluster eks-test:
# mount atlantis, policy admin, role atlantis): `cdktf deploy` / `terraform apply`, and the plans
# before it. Adapt the mount path and policy names to your clusters[] entries; nothing else.
#
#   vault policy write vault-k8s-auth-deploy examples/deploy/vault-deploy-policy.hcl
#   vault token create -policy=vault-k8s-auth-deploy -ttl=1h     # → VAULT_TOKEN for the deploy
#
# The paths are the ones terraform-provider-vault 5.6.0 calls (vault/resource_auth_backend.go,
# vault/auth_mount.go, vault/resource_kubernetes_auth_backend_config.go and _role.go,
# vault/resource_policy.go through the vault/api client).

# The auth mount: enable (POST) and disable (DELETE). Vault's sys/auth/* is root-protected,
# hence sudo, which applies to this one path only.
path "sys/auth/atlantis" {
  capabilities = ["create", "update", "delete", "sudo"]
}

# Reading it back at every refresh goes through sys/mounts/auth/<path>, which needs no sudo
# (vault/api sys_auth.go, GetAuthWithContext); its tune is read there too, and written when the
# description changes.
path "sys/mounts/auth/atlantis" {
  capabilities = ["read"]
}

path "sys/mounts/auth/atlantis/tune" {
  capabilities = ["read", "update"]
}

# The mount's config (Kubernetes host, CA, reviewer JWT). The provider never deletes it: it goes
# with the mount.
path "auth/atlantis/config" {
  capabilities = ["create", "read", "update"]
}

# The roles of the mount (clusters[].roles[]).
path "auth/atlantis/role/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}

# The ACL policies the stack owns (clusters[].policies[].name), one stanza each.
path "sys/policies/acl/admin" {
  capabilities = ["create", "read", "update", "delete"]
}

# The vault provider's own short-lived child token (its default, skip_child_token = false).
path "auth/token/create" {
  capabilities = ["update"]
}
