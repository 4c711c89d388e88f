import { generateKeyPairSync } from 'node:crypto';
import { thrownBy } from '@service-jwt/conformance';
import {
  createResponseSigner,
  createSigner,
  createVerifier,
  exportPublicJwk,
  type ServiceJwtError,
} from '../../src/index.js';

// Misspelt option names fail at construction with a configuration_error that names the option
// and, when one is close, the option meant. Messages are asserted by code and the names they
// carry, never by their full text.

const ISSUER = 'https://orders.internal/';
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicJwk = exportPublicJwk(ec.privateKey);

function expectNamed(err: ServiceJwtError, given: string, meant?: string): void {
  expect(err.code).toBe('configuration_error');
  expect(err.status).toBe(500);
  expect(err.message).toContain(given);
  if (meant === undefined) expect(err.message).not.toContain('did you mean');
  else expect(err.message).toContain(`did you mean ${meant}?`);
}

const verifier = (issuer: object, rest: object = {}) =>
  createVerifier({ issuers: { [ISSUER]: issuer as never }, audience: 'https://me', ...rest });

describe('issuer forms', () => {
  it.each([
    ['jwksUrl', 'jwksUri'],
    ['jwks_uri', 'jwksUri'],
    ['JwksUri', 'jwksUri'],
    ['publickey', 'publicKey'],
    ['pubicKey', 'publicKey'],
    ['secrets', 'secret'],
    ['key', 'keys'],
    ['jwks', 'jwksUri'],
  ])('names %s and suggests %s when no key source is given', (given, meant) => {
    const err = thrownBy(() => verifier({ [given]: 'https://orders.internal/jwks.json' }));
    expectNamed(err, `issuers["${ISSUER}"].${given} is not an option of this issuer form`, meant);
  });

  it('suggests a remote option misspelt beside jwksUri', () => {
    const err = thrownBy(() =>
      verifier({ jwksUri: 'https://orders.internal/jwks.json', cacheMaxAg: 60 }),
    );
    expectNamed(err, `issuers["${ISSUER}"].cacheMaxAg`, 'cacheMaxAge');
  });

  it('says a remote option does not apply to a local key', () => {
    const err = thrownBy(() => verifier({ publicKey: publicJwk, timeout: 5 }));
    expectNamed(err, `issuers["${ISSUER}"].timeout`);
    expect(err.message).toContain('jwksUri');
  });

  it('names both forms when two are given', () => {
    const err = thrownBy(() =>
      verifier({ publicKey: publicJwk, jwksUri: 'https://orders.internal/jwks.json' }),
    );
    expectNamed(err, 'publicKey and jwksUri');
  });

  it('names the key sources when the issuer has none and nothing close', () => {
    const err = thrownBy(() => verifier({}));
    expectNamed(err, `issuers["${ISSUER}"] needs one of publicKey, keys, jwksUri`);
  });

  it('refuses a name far from any option without guessing', () => {
    const err = thrownBy(() => verifier({ publicKey: publicJwk, zebra: true }));
    expectNamed(err, `issuers["${ISSUER}"].zebra`);
  });
});

describe('verifier and route options', () => {
  it.each([
    [{ audiance: 'x' }, 'audiance', 'audience'],
    [{ clockTolerence: 5 }, 'clockTolerence', 'clockTolerance'],
    [{ bodyHash: { maxBodyByte: 10 } }, 'bodyHash.maxBodyByte', 'maxBodyBytes'],
    [{ requestBinding: { mountprefix: '/a' } }, 'requestBinding.mountprefix', 'mountPrefix'],
    [{ token: { heder: 'x-token' } }, 'token.heder', 'header'],
    [{ cache: { maxEntry: 10 } }, 'cache.maxEntry', 'maxEntries'],
    [{ callers: { issuer: [ISSUER] } }, 'callers.issuer', 'issuers'],
    [{ source: { claims: 'src' } }, 'source.claims', 'claim'],
  ])('createVerifier(%j) names %s and suggests %s', (options, given, meant) => {
    const err = thrownBy(() => verifier({ publicKey: publicJwk }, options));
    expectNamed(err, `${given} is not an option`, meant);
  });

  it('names every unknown option of one object', () => {
    const err = thrownBy(() => verifier({ publicKey: publicJwk }, { audiance: 'x', zebra: 1 }));
    expectNamed(err, 'audiance', 'audience');
    expect(err.message).toContain('zebra is not an option');
  });

  it('suggests route options in forRoute and verifyToken overrides', async () => {
    const v = verifier({ publicKey: publicJwk });
    expectNamed(
      thrownBy(() => v.forRoute({ requiredClaim: ['sub'] } as never)),
      'forRoute: requiredClaim',
      'requiredClaims',
    );
    const err = await v.verifyToken('a.b.c', { maxTokenAg: 5 } as never).catch((e) => e);
    expectNamed(err, 'verifyToken overrides: maxTokenAg', 'maxTokenAge');
  });
});

describe('signer and response-signer options', () => {
  it('createSigner names a misspelt option', () => {
    const err = thrownBy(() =>
      createSigner({ issuer: ISSUER, keys: ec.privateKey, algoritm: 'ES256' } as never),
    );
    expectNamed(err, 'algoritm is not an option of createSigner', 'algorithm');
  });

  it('createSigner refuses an unknown option with nothing close', () => {
    const err = thrownBy(() =>
      createSigner({ issuer: ISSUER, keys: ec.privateKey, audience: 'x' } as never),
    );
    expectNamed(err, 'audience is not an option of createSigner');
  });

  it('sign and tokenFor name a misspelt option', async () => {
    const signer = createSigner({ issuer: ISSUER, keys: ec.privateKey });
    const signed = await signer.sign({}, { audience: 'x', subjet: 'u1' } as never).catch((e) => e);
    expectNamed(signed, 'subjet is not an option of sign', 'subject');
    const cached = await Promise.resolve()
      .then(() => signer.tokenFor('x', { sub: 'u1' } as never))
      .catch((e) => e);
    expectNamed(cached, 'sub is not an option of tokenFor', 'subject');
  });

  it('createResponseSigner names a misspelt option', () => {
    const err = thrownBy(() =>
      createResponseSigner({
        keysToSign: ['access_token'],
        alg: 'HS256',
        kid: 'k1',
        keys: { keys: [] },
        jwkSetURL: 'https://gateway.internal/keys.json',
      } as never),
    );
    expectNamed(err, 'options.jwkSetURL is not an option of createResponseSigner', 'jwkSetUrl');
  });
});
