import { createHmac, createPublicKey, sign } from 'node:crypto';
import { createVerifier } from '@service-jwt/core';
import { serveJwks } from '@service-jwt/testing';
import {
  AUDIENCE,
  b64,
  claimsAt,
  expectCode,
  ISSUER,
  makeKey,
  mint,
  NOW_MS,
  signSegments,
  verifierFor,
} from '../fixtures.js';

const rsa = makeKey('RS256', 'trusted-rsa');
const ec = makeKey('ES256', 'trusted-ec');
const attacker = makeKey('ES256', 'trusted-ec');
const verifier = createVerifier({
  issuers: { [ISSUER]: { keys: [rsa.jwk as never, ec.jwk as never] } },
  audience: AUDIENCE,
  now: () => NOW_MS,
});
const payload = b64(claimsAt());

describe('algorithm attacks', () => {
  it('refuses alg none without a signature part', async () => {
    await expectCode(
      verifier.verifyToken(`${b64({ alg: 'none' })}.${payload}.`),
      'token_malformed',
    );
  });

  it('refuses alg none with a signature part', async () => {
    const token = `${b64({ alg: 'none' })}.${payload}.${b64('sig')}`;
    await expectCode(verifier.verifyToken(token), 'algorithm_not_allowed');
  });

  it.each(['None', 'NONE', 'nOnE'])('refuses alg %s', async (alg) => {
    await expectCode(
      verifier.verifyToken(`${b64({ alg })}.${payload}.${b64('x')}`),
      'algorithm_not_allowed',
    );
  });

  it('refuses HS256 signed with the RSA public key PEM as the secret', async () => {
    const pem = createPublicKey({ key: rsa.jwk as never, format: 'jwk' }).export({
      type: 'spki',
      format: 'pem',
    });
    const header = b64({ alg: 'HS256', kid: rsa.kid });
    const mac = createHmac('sha256', pem).update(`${header}.${payload}`).digest('base64url');
    await expectCode(verifier.verifyToken(`${header}.${payload}.${mac}`), 'algorithm_not_allowed');
  });

  it('refuses an algorithm other than the one the key is bound to', async () => {
    const token = signSegments(
      { ...rsa, alg: 'PS256' },
      b64({ alg: 'PS256', kid: rsa.kid }),
      payload,
    );
    await expectCode(verifier.verifyToken(token), 'algorithm_not_allowed');
  });

  it('refuses an ECDSA signature with r = s = 0', async () => {
    const header = b64({ alg: 'ES256', kid: ec.kid });
    const zero = Buffer.alloc(64).toString('base64url');
    await expectCode(verifier.verifyToken(`${header}.${payload}.${zero}`), 'signature_invalid');
  });

  it('refuses a DER-encoded ECDSA signature', async () => {
    const header = b64({ alg: 'ES256', kid: ec.kid });
    const der = sign('sha256', Buffer.from(`${header}.${payload}`), ec.privateKey).toString(
      'base64url',
    );
    await expectCode(verifier.verifyToken(`${header}.${payload}.${der}`), 'signature_invalid');
  });
});

describe('key injection through the header', () => {
  it('ignores an embedded jwk carrying the attacker key', async () => {
    const token = mint(attacker, claimsAt(), { jwk: attacker.jwk });
    await expectCode(verifier.verifyToken(token), 'signature_invalid');
  });

  it.each(['jku', 'x5u'])(
    'never fetches a %s URL (attacker server gets zero requests)',
    async (member) => {
      const evil = makeKey('ES256', 'evil-kid');
      const server = await serveJwks({ keys: [evil.jwk as never] });
      try {
        const token = mint(evil, claimsAt(), { [member]: server.url });
        await expectCode(verifier.verifyToken(token), 'key_not_found');
        const sameKid = mint(attacker, claimsAt(), { [member]: server.url });
        await expectCode(verifier.verifyToken(sameKid), 'signature_invalid');
        expect(server.requests).toBe(0);
      } finally {
        await server.close();
      }
    },
  );

  it('ignores x5c', async () => {
    const token = mint(attacker, claimsAt(), { x5c: ['MIIB'] });
    await expectCode(verifier.verifyToken(token), 'signature_invalid');
  });
});

describe('header parameters', () => {
  it.each([
    ['unknown crit', { crit: ['exp'], exp: 1 }],
    ['empty crit', { crit: [] }],
    ['b64: false', { b64: false, crit: ['b64'] }],
    ['b64: false without crit', { b64: false }],
    ['zip', { zip: 'DEF' }],
    ['non-string kid', { kid: 7 }],
  ])('refuses %s', async (_, header) => {
    await expectCode(verifier.verifyToken(mint(ec, claimsAt(), header)), 'token_malformed');
  });
});

describe('syntax', () => {
  const valid = mint(ec, claimsAt());
  const [h, p, s] = valid.split('.') as [string, string, string];

  it('accepts the untouched token', async () => {
    await expect(verifier.verifyToken(valid)).resolves.toBeDefined();
  });

  it.each([
    ['two segments', `${h}.${p}`],
    ['four segments', `${valid}.${s}`],
    ['empty header', `.${p}.${s}`],
    ['padding', `${h}.${p}=.${s}`],
    ['standard base64 characters', `${h}.${p.replace(/-/g, '+').replace(/_/g, '/')}x.${s}`],
    ['whitespace', `${h}.${p.slice(0, 4)} ${p.slice(4)}.${s}`],
    ['a newline', `${h}\n.${p}.${s}`],
    ['length 1 mod 4', `${h}.${p}.${s}${'A'.repeat((5 - (s.length % 4)) % 4)}`],
    ['non-ASCII', `${h}.${p}é.${s}`],
  ])('refuses %s', async (_, token) => {
    await expectCode(verifier.verifyToken(token), 'token_malformed');
  });

  it('refuses stray bits in the last character of a segment', async () => {
    // Find a spelling of the same bytes with non-zero unused bits.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = s[s.length - 1] as string;
    const twin = alphabet[alphabet.indexOf(last) + 1] as string;
    const mutated = `${h}.${p}.${s.slice(0, -1)}${twin}`;
    expect(
      Buffer.from(mutated.split('.')[2] as string, 'base64url').equals(Buffer.from(s, 'base64url')),
    ).toBe(s.length % 4 !== 0);
    await expectCode(
      verifier.verifyToken(mutated),
      s.length % 4 === 0 ? 'signature_invalid' : 'token_malformed',
    );
  });

  it.each([
    ['not JSON', b64('{"iss":')],
    ['not UTF-8', Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')],
    ['an array', b64([claimsAt()])],
    ['a number', b64('42')],
    ['a string', b64('"claims"')],
    ['null', b64('null')],
    [
      'duplicate members',
      b64('{"iss":"https://issuer.test","iss":"https://issuer.test","exp":9999999999}'),
    ],
    [
      'duplicate nested members',
      b64(JSON.stringify(claimsAt({ o: { a: 1 } })).replace('"a":1', '"a":1,"a":2')),
    ],
    [
      'escaped duplicate members',
      b64(JSON.stringify(claimsAt()).replace('"sub"', '"s\\u0075b":"x","sub"')),
    ],
    ['with a trailing comma', b64('{"iss":"https://issuer.test",}')],
    ['single-quoted', b64("{'iss':'https://issuer.test'}")],
    ['with a leading zero', b64('{"iss":"https://issuer.test","exp":01}')],
    ['with NaN', b64('{"iss":"https://issuer.test","exp":NaN}')],
    [
      'with a raw control character in a string',
      b64('{"iss":"https://issuer.test","x":"a\u0001b"}'),
    ],
    ['with trailing data', b64(`${JSON.stringify(claimsAt())} x`)],
    ['nested 40 deep', b64(`{"iss":"https://issuer.test","x":${'['.repeat(40)}${']'.repeat(40)}}`)],
    ['with a bad escape', b64('{"iss":"https://issuer.test","x":"\\q"}')],
  ])('refuses a payload that is %s', async (_, payloadSegment) => {
    const token = signSegments(ec, b64({ alg: 'ES256', kid: ec.kid }), payloadSegment);
    await expectCode(verifier.verifyToken(token), 'token_malformed');
  });

  it('refuses a header with duplicate alg', async () => {
    const header = b64('{"alg":"none","alg":"ES256","kid":"trusted-ec"}');
    await expectCode(verifier.verifyToken(signSegments(ec, header, payload)), 'token_malformed');
  });

  it('refuses a token over the size limit before decoding', async () => {
    const big = mint(ec, claimsAt({ pad: 'x'.repeat(9000) }));
    await expectCode(verifier.verifyToken(big), 'token_too_large');
    await expectCode(verifier.verifyToken('a'.repeat(9000)), 'token_too_large');
  });
});

it('decodes escapes, whitespace and nesting like JSON.parse', async () => {
  const text = `{ "iss" : "https://issuer.test", "aud":"${AUDIENCE}", "exp": ${claimsAt().exp},
    "source":"micro\\u0073ervice", "sub":"a\\"b\\\\c\\n\\u00e9\\ud83d\\ude00", "n": [1, -2.5e3, true, null, {"k": []}] }`;
  const result = await verifier.verifyToken(mint(ec, text));
  expect(result.claims.source).toBe('microservice');
  expect(result.subject).toBe(JSON.parse(text).sub);
  expect(JSON.parse(JSON.stringify(result.claims.n))).toEqual([1, -2500, true, null, { k: [] }]);
});

describe('prototype pollution', () => {
  it('keeps __proto__ and constructor members as plain data', async () => {
    const text = JSON.stringify(claimsAt()).replace(
      '{',
      '{"__proto__":{"polluted":"yes","iss":"https://evil.test"},"constructor":{"prototype":{"polluted":"yes"}},',
    );
    const result = await verifier.verifyToken(mint(ec, text));
    expect(({} as { polluted?: string }).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(result.claims)).toBeNull();
    expect(Object.hasOwn(result.claims, '__proto__')).toBe(true);
    expect(
      (result.claims.constructor as { prototype: { polluted: string } }).prototype.polluted,
    ).toBe('yes');
    expect(result.issuer).toBe(ISSUER);
    expect((result.claims as { polluted?: string }).polluted).toBeUndefined();
  });

  it('does the same in the header', async () => {
    const header = b64(`{"alg":"ES256","kid":"trusted-ec","__proto__":{"polluted":"yes"}}`);
    const result = await verifier.verifyToken(signSegments(ec, header, payload));
    expect(Object.getPrototypeOf(result.header)).toBeNull();
    expect(({} as { polluted?: string }).polluted).toBeUndefined();
  });
});

describe('issuer trust', () => {
  it.each([`${ISSUER}/`, ISSUER.toUpperCase(), 'https://Issuer.test', ` ${ISSUER}`])(
    'refuses the near miss %j',
    async (iss) => {
      await expectCode(verifier.verifyToken(mint(ec, claimsAt({ iss }))), 'issuer_not_trusted');
    },
  );

  it('refuses a token without iss', async () => {
    await expectCode(verifier.verifyToken(mint(ec, claimsAt({ iss: undefined }))), 'claim_missing');
  });

  it('never fetches keys for an untrusted issuer', async () => {
    const server = await serveJwks({ keys: [ec.jwk as never] });
    try {
      const remote = createVerifier({
        issuers: { [ISSUER]: { jwksUri: server.url, allowInsecureHttp: true } },
        audience: AUDIENCE,
        now: () => NOW_MS,
      });
      await expectCode(
        remote.verifyToken(mint(ec, claimsAt({ iss: `${ISSUER}/` }))),
        'issuer_not_trusted',
      );
      expect(server.requests).toBe(0);
      await remote.close();
    } finally {
      await server.close();
    }
  });

  it('does not let a token from one trusted issuer pass with the other issuer name', async () => {
    const other = makeKey('ES256', 'other');
    const two = createVerifier({
      issuers: {
        [ISSUER]: { keys: [ec.jwk as never] },
        'https://other.test': { keys: [other.jwk as never] },
      },
      audience: AUDIENCE,
      now: () => NOW_MS,
    });
    const token = mint(other, claimsAt({ iss: ISSUER }));
    await expectCode(two.verifyToken(token), 'key_not_found');
    const sameKid = mint({ ...other, kid: ec.kid }, claimsAt({ iss: ISSUER }));
    await expectCode(two.verifyToken(sameKid), 'signature_invalid');
    await expect(
      verifierFor(other, {
        issuers: { 'https://other.test': { keys: [other.jwk as never] } },
      }).verifyToken(mint(other, claimsAt({ iss: 'https://other.test' }))),
    ).resolves.toBeDefined();
  });
});
