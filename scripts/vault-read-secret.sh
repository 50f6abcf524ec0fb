#!/bin/sh
# Read ONE field of a Vault KV secret with $VAULT_TOKEN (e.g. from vault-login.sh) and
# print its value, e.g. vault-read-secret.sh myscrt access_key.
# POSIX sh (dash, busybox ash); needs curl, awk, sed, tr, cat; uses jq when present.
# Self-contained on purpose (its helpers are copied from vault-login.sh): it is mounted
# into pods on its own (e.g. from a ConfigMap).
set -u

prog=${0##*/}

usage() {
	cat <<EOF
Usage: $prog [--mount MOUNT] [--kv-version 1|2] PATH FIELD

Prints the value of FIELD of the KV secret at PATH (strings as they are, other JSON
values as JSON).

Options:
  --mount MOUNT       KV secrets engine mount (default: secret)
  --kv-version 1|2    KV engine version (default: 2); v2 reads /v1/MOUNT/data/PATH,
                      v1 reads /v1/MOUNT/PATH
  -h, --help          show this help

Environment:
  VAULT_ADDR          Vault address (required)
  VAULT_TOKEN         Vault token (required), e.g.
                      export VAULT_TOKEN="\$(vault-login.sh --role atlantis)"
  VAULT_NAMESPACE     sent as X-Vault-Namespace (Vault Enterprise / HCP)
  VAULT_CACERT        CA bundle (PEM) to verify Vault's TLS certificate

Exit status: 0 ok, 1 Vault refused or the secret/field does not exist, 2 usage or
local input error, 3 Vault could not be reached.
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

# vault_path NAME VALUE EXAMPLE: refuse VALUE unless it is '/'-joined segments of characters that
# need no URL encoding, none of them empty, '.' or '..' (curl resolves those, RFC 3986 5.2.4, and
# the request would go to another path).
vault_path() {
	case /$2/ in
	*[[:cntrl:]]*) die 2 "$1 contains a newline or another control character; give the path alone" ;;
	*[!A-Za-z0-9._~/@+=,:-]* | *//* | */./* | */../*)
		die 2 "invalid $1 '$2': segments of letters, digits and ._~@+=,:- joined by '/', with no empty, '.' or '..' segment (curl would resolve it to another path), e.g. $3" ;;
	esac
}

mount=secret
kv=2
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	--*=*) opt=${1%%=*} arg=${1#*=}; shift; set -- "$opt" "$arg" "$@"; continue ;;
	--mount | --kv-version) [ $# -ge 2 ] || die 2 "$1 needs a value (see --help)" ;;
	-?*) die 2 "unknown option: $1 (see --help)" ;;
	*) break ;;
	esac
	case $1 in
	--mount) mount=$2 ;;
	--kv-version) kv=$2 ;;
	esac
	shift 2
done
[ $# -eq 2 ] || die 2 "expected PATH and FIELD, e.g. $prog myscrt access_key (see --help)"
path=${1#/}
path=${path%/}
field=$2

command -v curl >/dev/null 2>&1 || die 2 "curl is required but not found in PATH"
addr=${VAULT_ADDR:-}
addr=${addr%/}
[ -n "$addr" ] || die 2 "VAULT_ADDR is not set (e.g. export VAULT_ADDR=https://vault.vault.svc:8200)"
[ -n "${VAULT_TOKEN:-}" ] || die 2 "VAULT_TOKEN is not set; get one with: export VAULT_TOKEN=\"\$(vault-login.sh --role ROLE)\""
# What follows goes into the request line or a header as it is: refuse any value that would
# change their meaning, before a request is made.
case $addr in *[[:cntrl:][:space:]?#]*)
	die 2 "VAULT_ADDR must be scheme://host[:port] with no space, '?', '#' or control character (e.g. https://vault.vault.svc:8200)" ;;
esac
case $VAULT_TOKEN in *[[:cntrl:]]*)
	die 2 "VAULT_TOKEN contains a newline or another control character, which would add a line to its X-Vault-Token header; set it to the token alone (VAULT_TOKEN=\$(vault-login.sh ...) drops the newline)" ;;
esac
case ${VAULT_NAMESPACE:-} in *[[:cntrl:][:space:]]*)
	die 2 "VAULT_NAMESPACE contains a space, a newline or another control character, which would break or add to its X-Vault-Namespace header; set it to the namespace path, e.g. admin/team-a" ;;
esac
mount=${mount#/}
mount=${mount%/}
vault_path --mount "$mount" "secret or kv/apps"
vault_path "secret PATH" "$path" "myscrt or team/app"
[ -n "$field" ] || die 2 "FIELD must not be empty"
case $kv in
1) api_path=$mount/$path ;;
2) api_path=$mount/data/$path ;;
*) die 2 "--kv-version must be 1 or 2, not '$kv'" ;;
esac
if [ -n "${VAULT_CACERT:-}" ] && [ ! -r "$VAULT_CACERT" ]; then
	die 2 "VAULT_CACERT=$VAULT_CACERT is not a readable file"
fi

set -- -sS --connect-timeout 10 --max-time 60 -w '%{http_code}' -H @-
[ -n "${VAULT_CACERT:-}" ] && set -- "$@" --cacert "$VAULT_CACERT"
[ -n "${VAULT_NAMESPACE:-}" ] && set -- "$@" -H "X-Vault-Namespace: $VAULT_NAMESPACE"
# The token header goes in through stdin (printf is a builtin) so it never shows up in ps.
resp=$(printf 'X-Vault-Token: %s\n' "$VAULT_TOKEN" | curl "$@" "$addr/v1/$api_path")
rc=$?
[ "$rc" -eq 0 ] || die 3 "could not reach Vault at $addr (curl exit code $rc); check VAULT_ADDR, the network path from this pod to Vault (DNS, NetworkPolicy), and VAULT_CACERT for TLS errors"
code=${resp#"${resp%???}"}
body=${resp%???}

if [ "$code" = 200 ]; then
	if [ "$kv" = 2 ]; then
		printf '%s' "$body" | json_get data data "$field" && exit 0
	else
		printf '%s' "$body" | json_get data "$field" && exit 0
	fi
	die 1 "secret $mount/$path has no field '$field' (GET /v1/$api_path, KV v$kv); check FIELD and --kv-version"
fi

msg=$(printf '%s' "$body" | json_get errors) || msg=
msg=$(scrub "$(oneline "$msg")" "$VAULT_TOKEN")
case $msg in
*"permission denied"*)
	hint="the token's policies do not allow reading $api_path: a policy in the role's tokenPolicies must grant read on path \"$api_path\" (KV v2 reads go to <mount>/data/<path>), i.e. clusters[].policies[].rules in vault-k8s-auth.yaml needs e.g. - kvRead: { mount: $mount, path: $path, version: $kv }; an expired token is refused the same way, so log in again with vault-login.sh" ;;
*)
	if [ "$code" = 404 ]; then
		hint="no secret at $mount/$path (GET /v1/$api_path), so field '$field' cannot be read: check PATH, --mount and --kv-version"
	else
		hint="see Vault's server log for details"
	fi ;;
esac
printf '%s: Vault refused to read field %s of %s (HTTP %s): %s\n' "$prog" "$field" "$mount/$path" "$code" "${msg:-no error message}" >&2
printf '%s: hint: %s\n' "$prog" "$hint" >&2
case $msg in *"permission denied"*)
	# can evaluates the role's policies offline, as Vault's ACL does, and names the deciding rule.
	printf '%s: diagnose: npx vault-k8s-auth can %s --role ROLE --operation read  (in the vault-k8s-auth project: what the role'"'"'s policies allow there, and which rule decides)\n' "$prog" "$api_path" >&2
	;;
esac
exit 1
