import { generateKeyPairSync } from 'node:crypto';
import { type BoundKey, signWith, verifyWith } from '../../src/http-signatures/algorithms.js';
import { signedWithLeadingZero } from '../fixtures.js';

// RFC 9421's RSA algorithms verify as RFC 8017 says: a signature must be exactly the modulus's
// width. OpenSSL's PSS check alone also takes one whose leading zero byte was dropped (about
// one signature in 256).
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

describe.each(['rsa-v1_5-sha256', 'rsa-pss-sha512'] as const)('verifyWith %s', (algorithm) => {
  const signer: BoundKey = { key: privateKey, algorithm };
  const verifier: BoundKey = { key: publicKey, algorithm };

  it('refuses a signature one leading zero byte short, and takes it at full width', () => {
    const { data, signature } = signedWithLeadingZero(
      '"@method": POST\n"@signature-params": ();n=',
      (base) => signWith(signer, base),
    );
    expect(signature).toHaveLength(256);
    expect(verifyWith(verifier, data, signature)).toBe(true);
    expect(verifyWith(verifier, data, signature.subarray(1))).toBe(false);
  });
});
