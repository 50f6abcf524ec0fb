import { readFileSync } from "node:fs";

/** File-system reasons in a person's words, each after the path it concerns. */
const FS_REASONS: Record<string, string> = {
  EACCES: "cannot be read: permission denied; check its mode and owner",
  EPERM: "cannot be read: operation not permitted",
  ELOOP: "is a symbolic link loop; point it at a real file",
  ENOTDIR: "has a path through something that is not a directory; fix the path",
  ENAMETOOLONG: "has a name too long for the file system",
  EMFILE: "cannot be opened: too many open files",
};

/** Why reading a file failed, to follow its path in a message; `wanted` is what to name instead of a directory. */
function fsReason(error: unknown, wanted: string): string {
  const code = (error as NodeJS.ErrnoException).code ?? "";
  if (code === "EISDIR") return `is a directory; name ${wanted}`;
  return FS_REASONS[code] ?? `cannot be read (${code || "unknown error"})`;
}

/**
 * The bytes of `file` (`wanted`: what it should be, e.g. "a YAML or JSON file"), or undefined when
 * there is no such file. Every other failure is the user's to fix: `refuse` turns its reason into
 * the caller's error (a config problem, a usage error), never an internal error.
 */
export function readUserFile(file: string, wanted: string, refuse: (reason: string) => Error): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw refuse(fsReason(error, wanted));
  }
}
