import { readFileSync } from "node:fs";
import { join } from "node:path";

/*
 * Values the tests share, in a module that loads nothing else (no cdktf): the answers tests use
 * them too. test/helpers.ts re-exports them beside the builders that need cdktf.
 */

/** A self-signed test CA certificate (its private key was never kept). */
export const TEST_CA = readFileSync(join(__dirname, "fixtures", "test-ca.pem"), "utf8");

/** The public half of a test cluster's service-account signing key (fixtures/sa-signing-key.pub.pem). */
export const PUBLIC_KEY = readFileSync(join(__dirname, "fixtures", "sa-signing-key.pub.pem"), "utf8");

/** A cluster's service-account issuer, as kubeadm sets it. */
export const ISSUER = "https://kubernetes.default.svc.cluster.local";
