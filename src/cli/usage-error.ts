/**
 * A mistake in how the command was called or in what it was given (an unknown flag, a missing
 * file, a JWT that is not one): exit 2, with the message alone on stderr.
 */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
