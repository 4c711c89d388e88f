import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway self-signed TLS certificate for `127.0.0.1`, made by {@link createTestCertificate}. */
export interface TestCertificate {
  /** Private key, PEM (for `https.createServer`). */
  readonly key: string;
  /** The certificate, PEM: pass it as `ca` to trust it. */
  readonly cert: string;
  /** SHA-256 fingerprint of the DER certificate, base64 (the form `fingerprints` takes). */
  readonly fingerprint: string;
  /** The same fingerprint as colon-separated upper-case hex (`AA:BB:…`). */
  readonly fingerprintHex: string;
}

/**
 * Generates a self-signed P-256 certificate for `127.0.0.1` (subjectAltName IP) with the
 * `openssl` CLI in a temporary directory, which is removed before returning. Call it once per
 * test file: it spawns a process.
 *
 * @example
 * ```ts
 * const tls = createTestCertificate();
 * const server = https.createServer({ key: tls.key, cert: tls.cert }, handler);
 * fetchJson(url, { ca: tls.cert, fingerprints: [tls.fingerprint] });
 * ```
 */
export function createTestCertificate(): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'service-jwt-cert-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const key = readFileSync(keyFile, 'utf8');
    const cert = readFileSync(certFile, 'utf8');
    const fingerprintHex = new X509Certificate(cert).fingerprint256;
    const fingerprint = Buffer.from(fingerprintHex.replace(/:/g, ''), 'hex').toString('base64');
    return { key, cert, fingerprint, fingerprintHex };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
