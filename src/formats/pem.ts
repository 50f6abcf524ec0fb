import { X509Certificate } from "node:crypto";

/** One encapsulation boundary pair of RFC 7468 §2: -----BEGIN label----- ... -----END label-----. */
const BLOCK = /-----BEGIN ([^-\r\n]*)-----([\s\S]*?)-----END \1-----/g;

/** The opening line of any PEM private key: PKCS#8 (plain or ENCRYPTED), RSA, EC, DSA, OPENSSH. */
const PRIVATE_KEY = /-----BEGIN [^-\r\n]*PRIVATE KEY-----/;

/** Whether `text` holds a PEM private key; such text is never quoted in a message or written out. */
export function holdsPrivateKey(text: string): boolean {
  return PRIVATE_KEY.test(text);
}

export interface CertificateBundle {
  /** Why the text cannot be a CA bundle; never quotes the text (it may hold a key). */
  readonly problem?: string;
  /** Certificates that expired, with their notAfter, while others are still valid. */
  readonly expired: string[];
}

interface ParsedBundle {
  readonly problem?: string;
  readonly certificates: { readonly name: string; readonly notAfter: Date }[];
}

/** Parsing an X.509 certificate costs milliseconds, and one CA is often pasted into many clusters. */
const parsed = new Map<string, ParsedBundle>();

/**
 * Reads a PEM CA bundle the way a TLS client will: every block must be a CERTIFICATE (RFC 7468
 * §5) that Node's X.509 parser accepts. A private key anywhere in it is refused without quoting
 * it: the text goes into the Terraform JSON, the state and Vault. When every certificate has
 * expired TLS to the API fails; when only some have (a CA being rotated), they are listed.
 */
export function readCertificateBundle(text: string, now = new Date()): CertificateBundle {
  let bundle = parsed.get(text);
  if (bundle === undefined) {
    bundle = parseBundle(text);
    parsed.set(text, bundle);
  }
  if (bundle.problem !== undefined) return { problem: bundle.problem, expired: [] };
  const expired = bundle.certificates
    .filter((certificate) => certificate.notAfter < now)
    .map((certificate) => certificate.name);
  if (expired.length === bundle.certificates.length) {
    return {
      problem: `holds only expired certificates: ${expired.join("; ")}; TLS to the API would fail; paste the cluster's current CA`,
      expired,
    };
  }
  return { expired };
}

function parseBundle(text: string): ParsedBundle {
  const blocks = [...text.matchAll(BLOCK)];
  if (holdsPrivateKey(text)) {
    return {
      problem:
        "holds a private key (-----BEGIN ... PRIVATE KEY-----), which must never be written into Terraform JSON, state or Vault; " +
        "keep only the CA certificate blocks, and treat that key as leaked if this file was shared",
      certificates: [],
    };
  }
  if (blocks.length === 0) {
    return { problem: "has no -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE----- block", certificates: [] };
  }
  const certificates: ParsedBundle["certificates"][number][] = [];
  for (const [index, block] of blocks.entries()) {
    const which = blocks.length === 1 ? "the block" : `block ${index + 1} of ${blocks.length}`;
    if (block[1] !== "CERTIFICATE") {
      return {
        problem: `has ${which} labelled ${JSON.stringify(block[1])}; a CA bundle holds only CERTIFICATE blocks`,
        certificates,
      };
    }
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(block[0]);
    } catch {
      return { problem: `has ${which} that is not a readable X.509 certificate (cut short or altered?)`, certificates };
    }
    certificates.push({
      name: `${certificate.subject.replace(/\n/g, ", ")} (notAfter ${certificate.validTo})`,
      notAfter: new Date(certificate.validTo),
    });
  }
  return { certificates };
}
