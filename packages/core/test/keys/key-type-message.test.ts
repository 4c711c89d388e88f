import { generateKeyPairSync } from 'node:crypto';
import { createVerifier } from '@service-jwt/core';

// A configured public key whose `alg` does not match its type names the type in one clean
// parenthesis: `(OKP Ed25519)`, `(EC P-256)`, `(RSA)`, never `(OKP )`.
const ISS = 'https://m1.test/';

function refusal(publicKey: Record<string, unknown>): { code?: string; message: string } {
  try {
    createVerifier({ issuers: { [ISS]: { publicKey: publicKey as never } }, audience: 'a' });
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected a refusal');
}

const jwkOf = (pair: { publicKey: import('node:crypto').KeyObject }) =>
  pair.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;

describe('a public key whose alg does not match its type', () => {
  it.each([
    ['OKP Ed25519', jwkOf(generateKeyPairSync('ed25519')), 'ES256'],
    ['EC P-256', jwkOf(generateKeyPairSync('ec', { namedCurve: 'P-256' })), 'ES384'],
    ['RSA', jwkOf(generateKeyPairSync('rsa', { modulusLength: 2048 })), 'EdDSA'],
  ])('names the key type (%s) without stray spaces', (type, jwk, alg) => {
    const err = refusal({ ...jwk, alg });
    expect(err.code).toBe('configuration_error');
    expect(err.message).toMatch(/\.alg\b/);
    expect(err.message).toContain(`(${type})`);
    expect(err.message).not.toMatch(/\s\)|\(\s/);
  });
});
