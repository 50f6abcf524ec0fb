#!/bin/sh
# Log in to Vault's Kubernetes or JWT auth method (the same call: auth/<mount>/login with role
# and jwt) with this pod's ServiceAccount JWT and print
# ONLY the Vault client token, so callers can do VAULT_TOKEN=$(vault-login.sh --role x).
# POSIX sh (dash, busybox ash); needs curl, awk, sed, tr, cat; uses jq when present.
# Self-contained on purpose: it is mounted into pods on its own (e.g. from a ConfigMap).
set -u

prog=${0##*/}
default_token_file=/var/run/secrets/kubernetes.io/serviceaccount/token

usage() {
	cat <<EOF
Usage: $prog --role ROLE [--mount PATH] [--token-file FILE]

Logs in to Vault with a Kubernetes ServiceAccount token and prints only the Vault
client token on stdout.

Options (environment variable in brackets):
  --role ROLE         Vault role to log in as, one of clusters[].roles[].name
                      in vault-k8s-auth.yaml (required) [VAULT_ROLE]
  --mount PATH        auth mount path, clusters[].auth.path (default: kubernetes, the
                      config's default; the seed's file uses atlantis)
                      [VAULT_AUTH_MOUNT]
  --token-file FILE   ServiceAccount JWT; point it at a projected token to use an
                      audience (default: $default_token_file)
                      [VAULT_SA_TOKEN_FILE]
  -h, --help          show this help

Environment:
  VAULT_ADDR          Vault address, e.g. https://vault.vault.svc:8200 (required)
  VAULT_NAMESPACE     sent as X-Vault-Namespace (Vault Enterprise / HCP)
  VAULT_CACERT        CA bundle (PEM) to verify Vault's TLS certificate

Exit status: 0 ok, 1 Vault refused the login, 2 usage or local input error,
3 Vault could not be reached.
EOF
}

die() { # die STATUS MESSAGE...
	status=$1
	shift
	printf '%s: %s\n' "$prog" "$*" >&2
	exit "$status"
}

# json_get KEY... < JSON: print the value at that key path (strings raw, arrays joined
# with "; ", anything else as JSON); status 1 when absent or not JSON.
json_get() {
	if command -v jq >/dev/null 2>&1; then
		jq -r '$ARGS.positional as $p
			| (try getpath($p[:-1]) catch null) as $o
			| if ($o | type) == "object" and ($o | has($p[-1])) then $o[$p[-1]]
				| if type == "string" then .
				  elif type == "array" then map(if type == "string" then . else tojson end) | join("; ")
				  else tojson end
			  else "" | halt_error(1) end' --args "$@" 2>/dev/null
		return
	fi
	# No jq: a small recursive-descent JSON reader, because secret values and Vault's
	# messages carry escapes (\" \\ \u0026 ...) that sed patterns get wrong.
	JSON_GET_PATH=$(printf '%s\n' "$@") LC_ALL=C awk '
		function ws() { while (pos <= len && index(" \t\r\n", substr(s, pos, 1))) pos++ }
		function fail() { exit 2 }
		function hex(h, i, v) {
			for (i = 1; i <= 4; i++) v = v * 16 + index("0123456789abcdef", tolower(substr(h, i, 1))) - 1
			return v
		}
		function utf8(c) {
			if (c < 128) return sprintf("%c", c)
			if (c < 2048) return sprintf("%c%c", 192 + int(c / 64), 128 + c % 64)
			if (c < 65536) return sprintf("%c%c%c", 224 + int(c / 4096), 128 + int(c / 64) % 64, 128 + c % 64)
			return sprintf("%c%c%c%c", 240 + int(c / 262144), 128 + int(c / 4096) % 64, 128 + int(c / 64) % 64, 128 + c % 64)
		}
		function str(out, c, lo) {
			pos++
			while (pos <= len) {
				c = substr(s, pos++, 1)
				if (c == "\"") return out
				if (c == "\\") {
					c = substr(s, pos++, 1)
					if (c == "u") {
						c = hex(substr(s, pos, 4)); pos += 4
						if (c >= 55296 && c < 56320 && substr(s, pos, 2) == "\\u") {
							lo = hex(substr(s, pos + 2, 4))
							if (lo >= 56320 && lo < 57344) { c = 65536 + (c - 55296) * 1024 + lo - 56320; pos += 6 }
						}
						c = utf8(c)
					} else if (c == "n") c = "\n"; else if (c == "t") c = "\t"; else if (c == "r") c = "\r"
					else if (c == "b") c = "\b"; else if (c == "f") c = "\f"
				}
				out = out c
			}
			fail()
		}
		# val(ON_PATH, DEPTH): parse one value and return its text; print it if it is the target.
		function val(on, d, c, start, k, out, sep) {
			ws(); c = substr(s, pos, 1); start = pos
			if (c == "{") {
				pos++; ws()
				if (substr(s, pos, 1) == "}") pos++
				else for (;;) {
					ws(); if (substr(s, pos, 1) != "\"") fail()
					k = str(); ws(); if (substr(s, pos++, 1) != ":") fail()
					val(on && d < n && k == want[d + 1], d + 1)
					ws(); c = substr(s, pos++, 1)
					if (c == "}") break
					if (c != ",") fail()
				}
				out = substr(s, start, pos - start)
			} else if (c == "[") {
				pos++; ws()
				if (substr(s, pos, 1) == "]") pos++
				else for (;;) {
					out = out sep val(0, d + 1); sep = "; "
					ws(); c = substr(s, pos++, 1)
					if (c == "]") break
					if (c != ",") fail()
				}
			} else if (c == "\"") out = str()
			else {
				while (pos <= len && index("-+.0123456789eEtruefalsn", substr(s, pos, 1))) pos++
				if (pos == start) fail()
				out = substr(s, start, pos - start)
			}
			if (on && d == n) { print out; found = 1 }
			return out
		}
		{ s = s $0 "\n" }
		END {
			n = split(ENVIRON["JSON_GET_PATH"], want, "\n"); len = length(s); pos = 1
			val(1, 0)
			exit found ? 0 : 1
		}'
}

oneline() { printf '%s' "$1" | tr '\n\t' '  ' | sed 's/  */ /g; s/^ //; s/ $//'; }

# scrub TEXT SECRET: TEXT for an error message, with SECRET and anything shaped like a Vault token
# (hvs. hvb. hvr.) or a JWT replaced by [redacted]: Vault's errors are shown, a credential never.
scrub() {
	rest=$1 out=
	while [ -n "$2" ]; do
		case $rest in
		*"$2"*)
			out=$out${rest%%"$2"*}'[redacted]'
			rest=${rest#*"$2"}
			;;
		*) break ;;
		esac
	done
	printf '%s' "$out$rest" | sed 's/hv[sbr]\.[A-Za-z0-9_.-]*/[redacted]/g; s/eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_.-]*/[redacted]/g'
}

nl='
'
role=${VAULT_ROLE:-} role_from=VAULT_ROLE
mount=${VAULT_AUTH_MOUNT:-kubernetes} mount_from=VAULT_AUTH_MOUNT
token_file=${VAULT_SA_TOKEN_FILE:-$default_token_file}

while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--*=*) opt=${1%%=*} arg=${1#*=}; shift; set -- "$opt" "$arg" "$@"; continue ;;
	--role | --mount | --token-file) [ $# -ge 2 ] || die 2 "$1 needs a value (see --help)" ;;
	*) die 2 "unknown argument: $1 (see --help)" ;;
	esac
	case $1 in
	--role) role=$2 role_from=--role ;;
	--mount) mount=$2 mount_from=--mount ;;
	--token-file) token_file=$2 ;;
	esac
	shift 2
done

command -v curl >/dev/null 2>&1 || die 2 "curl is required but not found in PATH"
addr=${VAULT_ADDR:-}
addr=${addr%/}
[ -n "$addr" ] || die 2 "VAULT_ADDR is not set (e.g. export VAULT_ADDR=https://vault.vault.svc:8200)"
# What follows goes into the request line, a header or the JSON body as it is: refuse any value
# that would change their meaning, before a request is made.
case $addr in *[[:cntrl:][:space:]?#]*)
	die 2 "VAULT_ADDR must be scheme://host[:port] with no space, '?', '#' or control character (e.g. https://vault.vault.svc:8200)" ;;
esac
case ${VAULT_NAMESPACE:-} in *[[:cntrl:][:space:]]*)
	die 2 "VAULT_NAMESPACE contains a space, a newline or another control character, which would break or add to its X-Vault-Namespace header; set it to the namespace path, e.g. admin/team-a" ;;
esac
[ -n "$role" ] || die 2 "no role given: pass --role ROLE or set VAULT_ROLE (one of clusters[].roles[].name in vault-k8s-auth.yaml)"
# Vault creates a role only at role/<name> with a name that matches GenericNameRegex,
# \w(([\w-.]+)?\w)? (vault sdk/framework/path.go; vault-plugin-auth-kubernetes v0.23.1
# path_role.go:37, vault-plugin-auth-jwt v0.25.0 path_role.go:52): no other name can log in, and
# these characters need no escaping in the JSON body.
case $role in
*[[:cntrl:]]*) die 2 "$role_from contains a newline or another control character; give the role name alone (one of clusters[].roles[].name in vault-k8s-auth.yaml)" ;;
*[!A-Za-z0-9_.-]* | [.-]* | *[.-])
	die 2 "invalid $role_from '$role': a Vault role name is letters, digits and '_', with '-' and '.' only between them (Vault's GenericNameRegex); use one of clusters[].roles[].name in vault-k8s-auth.yaml" ;;
esac
mount=${mount#/}
mount=${mount%/}
# The characters of clusters[].auth.path; a '.' or '..' segment curl would resolve (RFC 3986
# 5.2.4), and the login would go to another path than auth/<mount>/login.
case /$mount/ in
*[[:cntrl:]]*) die 2 "$mount_from contains a newline or another control character; give the auth mount path alone (clusters[].auth.path in vault-k8s-auth.yaml)" ;;
*[!A-Za-z0-9_./-]* | *//* | */./* | */../*)
	die 2 "invalid $mount_from '$mount': an auth mount path is segments of letters, digits, '_', '-' and '.' joined by '/', with no empty, '.' or '..' segment (e.g. atlantis or k8s/prod); it is clusters[].auth.path in vault-k8s-auth.yaml" ;;
esac
if [ -n "${VAULT_CACERT:-}" ] && [ ! -r "$VAULT_CACERT" ]; then
	die 2 "VAULT_CACERT=$VAULT_CACERT is not a readable file"
fi
[ -r "$token_file" ] || die 2 "cannot read the ServiceAccount token file $token_file (is the token mounted, i.e. automountServiceAccountToken / Helm serviceAccount.mount? for a projected token pass --token-file or VAULT_SA_TOKEN_FILE)"
# Kubelet writes the JWT bare; the one newline an editor or echo adds is allowed, nothing else.
# The shell would drop NUL bytes, so tr turns them into a character the check refuses; the x
# keeps trailing newlines from being stripped.
jwt=$(tr '\000' '!' <"$token_file"; printf x)
jwt=${jwt%x}
jwt=${jwt%"$nl"}
# A JWT (RFC 7519 3, RFC 7515 7.1) is three base64url segments joined by '.': this keeps the
# JSON body valid, and the file's content never reaches an error message.
case $jwt in
"") die 2 "the token file $token_file is empty" ;;
*[!A-Za-z0-9_.-]* | .* | *. | *..* | *.*.*.*) jwt= ;;
*.*.*) ;;
*) jwt= ;;
esac
[ -n "$jwt" ] || die 2 "the token file $token_file does not hold a JWT (three base64url segments joined by '.', as kubelet writes it); its content is not shown"

set -- -sS --connect-timeout 10 --max-time 60 -w '%{http_code}' \
	-X POST -H 'Content-Type: application/json' --data-binary @-
[ -n "${VAULT_CACERT:-}" ] && set -- "$@" --cacert "$VAULT_CACERT"
[ -n "${VAULT_NAMESPACE:-}" ] && set -- "$@" -H "X-Vault-Namespace: $VAULT_NAMESPACE"
# The body goes through stdin (printf is a builtin) so the JWT never shows up in ps.
resp=$(printf '{"role":"%s","jwt":"%s"}' "$role" "$jwt" | curl "$@" "$addr/v1/auth/$mount/login")
rc=$?
[ "$rc" -eq 0 ] || die 3 "could not reach Vault at $addr (curl exit code $rc); check VAULT_ADDR, the network path from this pod to Vault (DNS, NetworkPolicy), and VAULT_CACERT for TLS errors"
code=${resp#"${resp%???}"}
body=${resp%???}

# Vault answers a login with 200 and the auth in the body (http/handler.go, respondOk: 200 with a
# body, 204 without); a reply with any other status is no login, whatever its body carries.
if [ "$code" = 200 ] && token=$(printf '%s' "$body" | json_get auth client_token) && [ -n "$token" ]; then
	case $token in *[[:cntrl:][:space:]]*)
		die 1 "Vault's reply has a .auth.client_token with a space or control character, which is no Vault token; not printing it (is VAULT_ADDR really a Vault server?)" ;;
	esac
	printf '%s\n' "$token"
	exit 0
fi

msg=$(printf '%s' "$body" | json_get errors) || msg=
msg=$(scrub "$(oneline "$msg")" "$jwt")
case $msg in
*"service account name not authorized"*)
	hint="the pod's ServiceAccount is not bound to role '$role': clusters[].roles[].boundServiceAccountNames in vault-k8s-auth.yaml must include it (for Atlantis: serviceAccount.name of the Helm release)" ;;
*"namespace not authorized"*)
	hint="the pod's namespace is not bound to role '$role': clusters[].roles[].boundServiceAccountNamespaces in vault-k8s-auth.yaml must include it" ;;
*"invalid audience"*)
	hint="clusters[].roles[].audience of role '$role' must equal the audience of the token in $token_file: mount a projected token whose serviceAccountToken.audience (pod spec) is that value and point --token-file (VAULT_SA_TOKEN_FILE) at it" ;;
*"audience claim found in JWT but no audiences bound"*)
	hint="role '$role' is on a JWT auth mount and binds no audience, so Vault refuses every Kubernetes token: set clusters[].roles[].audience in vault-k8s-auth.yaml and log in with a projected token of that audience (--token-file)" ;;
*"invalid issuer"*)
	hint="the token's iss is not the mount's issuer (auth.method: jwt): clusters[].auth.jwt.issuer in vault-k8s-auth.yaml must be the issuer of this cluster's tokens (kubectl get --raw /.well-known/openid-configuration), and $token_file must be a projected token of this cluster, not a Secret-based one" ;;
*"does not match any associated bound claim values"*)
	hint="the token's sub (system:serviceaccount:<namespace>:<name>) is not bound to role '$role': clusters[].roles[].boundServiceAccountNames and boundServiceAccountNamespaces in vault-k8s-auth.yaml must include this pod's ServiceAccount and namespace" ;;
*"no known key successfully validated"* | *"error verifying token signature"*)
	hint="the token's signature matches none of the mount's keys (auth.method: jwt): with clusters[].auth.jwt.publicKeys, the cluster may have rotated its signing key (compare kubectl get --raw /openid/v1/jwks); otherwise $token_file comes from another cluster" ;;
*"token is expired"*)
	hint="the token in $token_file has expired: read the file again right before each login (kubelet rotates projected tokens; a copy goes stale)" ;;
*"no issued at (iat), not before (nbf), or expiration time (exp)"*)
	hint="a JWT auth mount refuses tokens without exp/iat/nbf, i.e. Secret-based tokens: log in with a projected token (--token-file)" ;;
*"invalid role name"* | *"role \""*"\" could not be found"*)
	# The Kubernetes method's words, then the JWT method's (vault-plugin-auth-kubernetes v0.23.1
	# path_login.go:136-138, vault-plugin-auth-jwt v0.25.0 path_login.go:89-91); both look the
	# role up in lowercase (backend.go:376; path_login.go:30), so letter case is never the cause.
	hint="--role '$role' is not a role of auth mount '$mount' (Vault compares role names in lowercase): use one of clusters[].roles[].name of the cluster whose clusters[].auth.path is '$mount' in vault-k8s-auth.yaml" ;;
*"no handler for route"*)
	hint="nothing is mounted at auth/$mount: --mount (VAULT_AUTH_MOUNT) must equal clusters[].auth.path in vault-k8s-auth.yaml" ;;
*"permission denied"*)
	hint="the JWT was rejected by the Kubernetes TokenReview: check clusters[].auth.reviewer in vault-k8s-auth.yaml and that its ServiceAccount has a ClusterRoleBinding to system:auth-delegator (with mode client-jwt: this pod's own ServiceAccount; a client-jwt mount also fails every login of a role with an audience, because the pod's token is then the TokenReview credential and the API server refuses a token for another audience: drop clusters[].roles[].audience or use another reviewer mode), that $token_file holds a current ServiceAccount token of this cluster, and that the auth mount's kubernetes host and CA certificate point at this cluster; Vault also says this when nothing is mounted at auth/$mount (--mount must equal clusters[].auth.path)" ;;
*)
	if [ "$code" = 404 ]; then
		hint="nothing answers at auth/$mount/login: --mount (VAULT_AUTH_MOUNT) must equal clusters[].auth.path in vault-k8s-auth.yaml"
	elif [ "$code" -ge 200 ] && [ "$code" -lt 300 ]; then
		hint="Vault answers a login with HTTP 200 and .auth.client_token, and this reply is not that; is VAULT_ADDR really a Vault server?"
	else
		hint="see Vault's server log for details"
	fi ;;
esac
printf '%s: Vault refused the login (HTTP %s): %s\n' "$prog" "$code" "${msg:-no error message}" >&2
printf '%s: hint: %s\n' "$prog" "$hint" >&2
case $code in 400 | 403)
	# The refusal's real reason is often only in Vault's debug log; doctor replays Vault's checks offline.
	printf '%s: diagnose: kubectl exec POD -- cat %s | npx vault-k8s-auth doctor --role %s --jwt -  (in the vault-k8s-auth project: each check Vault makes, and the config field to fix)\n' "$prog" "$token_file" "$role" >&2
	;;
esac
exit 1
