import { createHash, generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  Extension,
  Extensions,
  GeneralName,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  KeyIdentifier,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from '@peculiar/asn1-x509';

// The certificate is assembled with @peculiar/asn1-x509 (the ASN.1 schema layer of
// @peculiar/x509) and signed with node:crypto, so no `openssl` binary is needed (Windows, slim
// images) and the function stays synchronous, as test files call it at module level. It carries
// what `openssl req -x509 -addext subjectAltName=IP:127.0.0.1` used to produce.

/** A throwaway self-signed TLS certificate for `127.0.0.1`, made by {@link createTestCertificate}. */
export interface TestCertificate {
  /** Private key, PEM (PKCS#8, for `https.createServer`). */
  readonly key: string;
  /** The certificate, PEM: pass it as `ca` to trust it. */
  readonly cert: string;
  /** SHA-256 fingerprint of the DER certificate, base64 (the form `fingerprints` takes). */
  readonly fingerprint: string;
  /** The same fingerprint as colon-separated upper-case hex (`AA:BB:…`). */
  readonly fingerprintHex: string;
}

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const COMMON_NAME = '2.5.4.3';
const HOST = '127.0.0.1';
const ONE_DAY_MS = 86_400_000;

const extension = (extnID: string, critical: boolean, value: unknown) =>
  new Extension({ extnID, critical, extnValue: new KeyIdentifier(AsnConvert.serialize(value)) });

function toPem(label: string, der: ArrayBuffer): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** A positive serial number of 16 random bytes (RFC 5280 §4.1.2.2: at most 20 octets). */
function serialNumber(): ArrayBuffer {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return new Uint8Array(bytes).buffer;
}

/**
 * Generates a self-signed P-256 certificate for `127.0.0.1` (subjectAltName IP, CN 127.0.0.1,
 * valid for one day, CA:TRUE so it can be its own trust anchor), in process: no `openssl`
 * binary, no child process, no temporary file.
 *
 * @example
 * ```ts
 * const tls = createTestCertificate();
 * const server = https.createServer({ key: tls.key, cert: tls.cert }, handler);
 * fetchJson(url, { ca: tls.cert, fingerprints: [tls.fingerprint] });
 * ```
 */
export function createTestCertificate(): TestCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = AsnConvert.parse(
    publicKey.export({ format: 'der', type: 'spki' }),
    SubjectPublicKeyInfo,
  );
  // RFC 5280 §4.2.1.2 method (1): the SHA-1 of the subjectPublicKey bits.
  const keyId = createHash('sha1').update(Buffer.from(spki.subjectPublicKey)).digest();
  const name = new Name([
    new RelativeDistinguishedName([
      new AttributeTypeAndValue({
        type: COMMON_NAME,
        value: new AttributeValue({ utf8String: HOST }),
      }),
    ]),
  ]);
  const now = Date.now();
  const signatureAlgorithm = new AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 });
  const tbsCertificate = new TBSCertificate({
    version: Version.v3,
    serialNumber: serialNumber(),
    signature: signatureAlgorithm,
    issuer: name,
    // Seconds precision: the DER time has no milliseconds.
    validity: new Validity({
      notBefore: new Date(Math.floor(now / 1000) * 1000),
      notAfter: new Date(Math.floor((now + ONE_DAY_MS) / 1000) * 1000),
    }),
    subject: name,
    subjectPublicKeyInfo: spki,
    extensions: new Extensions([
      extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId)),
      extension(
        id_ce_authorityKeyIdentifier,
        false,
        new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(keyId) }),
      ),
      extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: true })),
      extension(
        id_ce_subjectAltName,
        false,
        new SubjectAlternativeName([new GeneralName({ iPAddress: HOST })]),
      ),
    ]),
  });
  // ECDSA signatures in X.509 are DER (node's default dsaEncoding).
  const signatureValue = sign(
    'sha256',
    Buffer.from(AsnConvert.serialize(tbsCertificate)),
    privateKey,
  );
  const der = AsnConvert.serialize(
    new Certificate({
      tbsCertificate,
      signatureAlgorithm,
      signatureValue: new Uint8Array(signatureValue).buffer,
    }),
  );
  const cert = toPem('CERTIFICATE', der);
  const fingerprintHex = new X509Certificate(cert).fingerprint256;
  const fingerprint = Buffer.from(fingerprintHex.replace(/:/g, ''), 'hex').toString('base64');
  const key = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return { key, cert, fingerprint, fingerprintHex };
}
