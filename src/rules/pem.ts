import { X509Certificate } from "node:crypto";

/** One encapsulation boundary pair of RFC 7468 §2: -----BEGIN label----- ... -----END label-----. */
const BLOCK = /-----BEGIN ([^-\r\n]*)-----([\s\S]*?)-----END \1-----/g;

export interface CertificateBundle {
  /** Why the text cannot be a CA bundle; never quotes the text (it may hold a key). */
  readonly problem?: string;
  /** Certificates that expired, with their notAfter, while others are still valid. */
  readonly expired: string[];
}

/**
 * Reads a PEM CA bundle the way a TLS client will: every block must be a CERTIFICATE (RFC 7468
 * §5) that Node's X.509 parser accepts. A private key anywhere in it is refused without quoting
 * it: the text goes into the Terraform JSON, the state and Vault. When every certificate has
 * expired TLS to the API fails; when only some have (a CA being rotated), they are listed.
 */
export function readCertificateBundle(text: string, now = new Date()): CertificateBundle {
  const blocks = [...text.matchAll(BLOCK)];
  const key = blocks.findIndex((block) => /PRIVATE KEY/.test(block[1]));
  if (key >= 0 || /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    return {
      problem:
        "holds a private key (-----BEGIN ... PRIVATE KEY-----), which must never be written into Terraform JSON, state or Vault; " +
        "keep only the CA certificate blocks, and treat that key as leaked if this file was shared",
      expired: [],
    };
  }
  if (blocks.length === 0) {
    return { problem: "has no -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE----- block", expired: [] };
  }
  const expired: string[] = [];
  for (const [index, block] of blocks.entries()) {
    const which = blocks.length === 1 ? "the block" : `block ${index + 1} of ${blocks.length}`;
    if (block[1] !== "CERTIFICATE") {
      return {
        problem: `has ${which} labelled ${JSON.stringify(block[1])}; a CA bundle holds only CERTIFICATE blocks`,
        expired,
      };
    }
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(block[0]);
    } catch {
      return { problem: `has ${which} that is not a readable X.509 certificate (cut short or altered?)`, expired };
    }
    if (new Date(certificate.validTo) < now)
      expired.push(`${certificate.subject.replace(/\n/g, ", ")} (notAfter ${certificate.validTo})`);
  }
  if (expired.length === blocks.length) {
    return {
      problem: `holds only expired certificates: ${expired.join("; ")}; TLS to the API would fail; paste the cluster's current CA`,
      expired,
    };
  }
  return { expired };
}
