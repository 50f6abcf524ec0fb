/**
 * src/config/private-keys.ts: every string of the file, keys included, is checked for a PEM
 * private key, and a line about one never prints it.
 */
import { generateKeyPairSync } from "node:crypto";
import { fileWith, problemsIn } from "../helpers";

const key = generateKeyPairSync("ec", { namedCurve: "P-256" })
  .privateKey.export({ type: "pkcs8", format: "pem" })
  .toString();

test("points at a private key used as a mapping key itself, not at the value under it", () => {
  const text = fileWith((c) => Object.assign(c, { [key]: { note: "x" } }));
  const at = `${text.split("\n").findIndex((line) => line.includes("BEGIN PRIVATE KEY")) + 1}:5`;
  expect(problemsIn(text)).toBe(
    [
      "bad.yaml has 2 problems:",
      `  bad.yaml:${at}: clusters[0].(a key holding a private key): unknown key (a private key, not shown) (allowed: name, kubernetes, vault, auth, policies, externalPolicies, roles, state, importExisting)`,
      `  bad.yaml:${at}: clusters[0].(a key holding a private key) holds a private key (-----BEGIN ... PRIVATE KEY-----; the value is not shown), which must never be written into Terraform JSON, state or Vault; remove it, and treat that key as leaked if this file was shared`,
    ].join("\n"),
  );
});
