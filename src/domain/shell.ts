/**
 * One word for a POSIX shell: as is when it holds only characters no shell treats specially,
 * else in single quotes, inside which nothing is special (POSIX Shell Command Language §2.2.2),
 * with each `'` written as `'\''`.
 */
export function shellWord(value: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
