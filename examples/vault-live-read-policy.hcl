# Read-only Vault policy for `vault-k8s-auth drift`, `doctor --live` and `can --live`
# (docs/live-vault.md): read and list on exactly what they read, nothing else. No sudo, no
# secret, no write. Write it with `vault policy write vault-k8s-auth-read vault-live-read-policy.hcl`.
#
# "+" stands for an auth mount of one path segment (kubernetes, atlantis, jwt, ...). For a
# nested mount such as k8s/prod, add the three auth/ stanzas with its path instead of "+".

# Which auth mounts exist, and of which type. Reading sys/auth needs no sudo (sys/auth/<path> would).
path "sys/auth" {
  capabilities = ["read"]
}

# A mount's config: host, CA, issuer settings. Vault never returns token_reviewer_jwt, only
# whether one is stored.
path "auth/+/config" {
  capabilities = ["read"]
}

# The roles of a mount (drift: roles no config names)...
path "auth/+/role" {
  capabilities = ["list"]
}

# ...and each role. One segment only: nothing below a role (such as an AppRole's role-id).
path "auth/+/role/+" {
  capabilities = ["read"]
}

# Policies by name: drift compares the config's own, can --live evaluates the ones asked for
# (and default).
path "sys/policies/acl/*" {
  capabilities = ["read"]
}
