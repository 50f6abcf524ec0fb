import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Pki {
  /** CA that signs the API server's serving certificate: what Vault and Terraform trust. */
  readonly caCert: string;
  readonly caKey: string;
  readonly servingCert: string;
  readonly servingKey: string;
  /** Keys the API server signs ServiceAccount tokens with and the token controller uses. */
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
}

/**
 * Makes a throwaway PKI with the openssl CLI (Node's crypto can make keys but not certificates).
 * The serving certificate names 127.0.0.1 and localhost, the addresses this harness connects to,
 * and the in-cluster service names.
 */
export function makePki(dir: string): Pki {
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=vault-k8s-auth-e2e-ca",
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.crt"),
  );
  // The service names too, as kubeadm's serving certificate has them: Vault reaches the issuer
  // https://kubernetes.default.svc.cluster.local through service-proxy.ts and verifies this name.
  writeFileSync(
    file("serving.ext"),
    "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc," +
      "DNS:kubernetes.default.svc.cluster.local\nextendedKeyUsage=serverAuth\n",
  );
  openssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=kube-apiserver",
    "-keyout",
    file("serving.key"),
    "-out",
    file("serving.csr"),
  );
  openssl(
    "x509",
    "-req",
    "-in",
    file("serving.csr"),
    "-CA",
    file("ca.crt"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    file("serving.ext"),
    "-out",
    file("serving.crt"),
  );
  openssl("genrsa", "-out", file("sa.key"), "2048");
  openssl("rsa", "-in", file("sa.key"), "-pubout", "-out", file("sa.pub"));
  return {
    caCert: file("ca.crt"),
    caKey: file("ca.key"),
    servingCert: file("serving.crt"),
    servingKey: file("serving.key"),
    serviceAccountKey: file("sa.key"),
    serviceAccountPub: file("sa.pub"),
  };
}
