import { isIPv4, isIPv6 } from "node:net";
import { invisibleIn, type Rule } from "./rule";

/**
 * An address block for `token_bound_cidrs`: an IPv4 or IPv6 address, alone or with a prefix
 * length. Vault parses each with go-sockaddr (vault/sdk v0.20.0 helper/tokenutil/tokenutil.go:169,
 * parseutil.ParseAddrs) and refuses the role on the first it cannot read.
 */
export const cidr: Rule = {
  pattern: /^[0-9A-Fa-f:.]+(\/\d{1,3})?$/,
  fix: "use an address block such as 10.0.0.0/16, 192.168.1.10/32 or fd00::/8 (the pod network Vault sees logins from)",
  reason: (value) => {
    const invisible = invisibleIn(value);
    if (invisible) return invisible;
    const [address, prefix] = value.split("/");
    const bits = isIPv4(address) ? 32 : isIPv6(address) ? 128 : undefined;
    if (bits === undefined) return "is not an IPv4 or IPv6 address (with an optional /prefix length)";
    if (prefix !== undefined && Number(prefix) > bits) {
      return `has prefix length /${prefix}, but an IPv${bits === 32 ? 4 : 6} address has ${bits} bits`;
    }
    return undefined;
  },
};
