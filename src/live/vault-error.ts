/**
 * Vault could not be read, or would not tell (unreachable, TLS, 403, sealed, a bad answer): the
 * live commands exit 2 with this message alone, as "could not tell". Its text never holds the
 * token: the client scrubs it from every message it builds, whatever the message's source.
 */
export class VaultError extends Error {
  override readonly name = "VaultError";
}
