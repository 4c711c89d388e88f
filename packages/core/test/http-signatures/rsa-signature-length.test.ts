import { generateKeyPairSync } from 'node:crypto';
import { type BoundKey, signWith, verifyWith } from '../../src/http-signatures/algorithms.js';

// RFC 9421's RSA algorithms verify as RFC 8017 says: a signature must be exactly the modulus's
// width. OpenSSL's PSS check alone also takes one whose leading zero byte was dropped (about
// one signature in 256), so the test signs varied bases until one begins with zero.
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

describe.each(['rsa-v1_5-sha256', 'rsa-pss-sha512'] as const)('verifyWith %s', (algorithm) => {
  const signer: BoundKey = { key: privateKey, algorithm };
  const verifier: BoundKey = { key: publicKey, algorithm };

  it('refuses a signature one leading zero byte short, and takes it at full width', () => {
    for (let i = 0; i < 6000; i++) {
      const base = Buffer.from(`"@method": POST\n"@signature-params": ();n=${i}`);
      const signature = signWith(signer, base);
      if (signature[0] !== 0) continue;
      expect(signature).toHaveLength(256);
      expect(verifyWith(verifier, base, signature)).toBe(true);
      expect(verifyWith(verifier, base, signature.subarray(1))).toBe(false);
      return;
    }
    throw new Error('no signature with a leading zero byte in 6000 tries');
  });
});
