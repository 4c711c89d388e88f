import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { caughtBy } from '@service-jwt/conformance';
import {
  createResponseSigner,
  type ResponseSignerOptions,
  ServiceJwtError,
} from '@service-jwt/core';
import {
  compactVerify,
  decodeProtectedHeader,
  type FlattenedJWS,
  flattenedVerify,
  generalVerify,
  importJWK,
} from 'jose';

// Keys made once for the file.
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const secret = randomBytes(32);
const octJwk = { kty: 'oct', kid: 'sim2', k: secret.toString('base64url'), alg: 'HS256' };
const rsaJwk = { ...rsa.privateKey.export({ format: 'jwk' }), kid: 'rsa1' };
const ecJwk = { ...ec.privateKey.export({ format: 'jwk' }), kid: 'ec1', use: 'sig' };
const edJwk = { ...ed.privateKey.export({ format: 'jwk' }), kid: 'ed1' };
const keySet = { keys: [octJwk, rsaJwk, ecJwk, edJwk] };

const access = { sub: 'user-1', iss: 'https://login.test/', exp: 1_900_000_000, roles: ['a'] };
const refresh = { sub: 'user-1', typ: 'refresh', exp: 1_900_086_400 };
const backend = { access_token: access, refresh_token: refresh, exp: 1_900_000_000 };

function signer(extra: Partial<ResponseSignerOptions> = {}) {
  return createResponseSigner({
    keysToSign: ['access_token', 'refresh_token'],
    alg: 'HS256',
    kid: 'sim2',
    keys: keySet,
    ...extra,
  } as ResponseSignerOptions);
}

const decode = (jws: FlattenedJWS) => JSON.parse(Buffer.from(jws.payload, 'base64url').toString());

describe('createResponseSigner: signing', () => {
  it.each([
    ['HS256', 'sim2', secret],
    ['RS256', 'rsa1', rsa.publicKey],
    ['PS256', 'rsa1', rsa.publicKey],
    ['ES256', 'ec1', ec.publicKey],
    ['EdDSA', 'ed1', ed.publicKey],
  ] as const)(
    'signs both tokens with %s (compact), other keys untouched',
    async (alg, kid, key) => {
      const out = (await signer({ alg, kid }).signBody(backend)) as Record<string, unknown>;
      expect(Object.keys(out)).toEqual(['access_token', 'refresh_token', 'exp']);
      expect(out.exp).toBe(backend.exp);
      for (const [name, claims] of [
        ['access_token', access],
        ['refresh_token', refresh],
      ] as const) {
        const token = out[name] as string;
        expect(typeof token).toBe('string');
        const { payload, protectedHeader } = await compactVerify(token, key, { algorithms: [alg] });
        expect(protectedHeader).toEqual({ alg, kid, typ: 'JWT' });
        expect(JSON.parse(new TextDecoder().decode(payload))).toEqual(claims);
      }
    },
  );

  it('full: true gives flattened JWS JSON objects that verify as flattened and general', async () => {
    const out = (await signer({ full: true, alg: 'ES256', kid: 'ec1' }).signBody(backend)) as {
      access_token: FlattenedJWS;
      refresh_token: FlattenedJWS;
    };
    for (const jws of [out.access_token, out.refresh_token]) {
      expect(Object.keys(jws).sort()).toEqual(['payload', 'protected', 'signature']);
      const result = await flattenedVerify(jws, ec.publicKey, { algorithms: ['ES256'] });
      expect(result.protectedHeader).toEqual({ alg: 'ES256', kid: 'ec1', typ: 'JWT' });
      const general = { payload: jws.payload, signatures: [{ ...jws, payload: undefined }] };
      await generalVerify(general as never, ec.publicKey);
    }
    expect(decode(out.access_token)).toEqual(access);
    expect(decode(out.refresh_token)).toEqual(refresh);
  });

  it('signs only the keys present; a body without any passes unchanged', async () => {
    const only = { access_token: access, other: 1 };
    const out = (await signer().signBody(only)) as Record<string, unknown>;
    expect(typeof out.access_token).toBe('string');
    expect(out).not.toHaveProperty('refresh_token');
    const none = { hello: 'world' };
    expect(await signer().signBody(none)).toBe(none);
    for (const value of [[access], 'text', 42, null, true]) {
      expect(await signer().signBody(value)).toBe(value);
    }
  });

  it.each([
    ['a string', 'already.a.token'],
    ['null', null],
    ['an array', [access]],
    ['a number', 3],
  ])('refuses the whole body when a key to sign holds %s', async (_label, value) => {
    const body = { access_token: access, refresh_token: value };
    const err = await caughtBy(() => signer().signBody(body));
    expect(err.code).toBe('configuration_error');
    expect(err.status).toBe(500);
    expect(body.access_token).toBe(access);
  });

  it('keeps a "__proto__" member an ordinary key and does not sign inherited keys', async () => {
    const body = JSON.parse('{"__proto__": {"x": 1}, "access_token": {"sub": "u"}}');
    const out = (await signer({ keysToSign: ['access_token', '__proto__'] }).signBody(
      body,
    )) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(typeof Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe('string');
    const inherited = Object.create({ access_token: access });
    expect(await signer().signBody(inherited)).toBe(inherited);
  });

  it('accepts an oct key given as an array of JWKs and an alg-less private JWK', async () => {
    const { alg: _alg, ...bare } = octJwk;
    const out = (await signer({ keys: [bare] }).signBody(backend)) as Record<string, string>;
    const header = decodeProtectedHeader(out.access_token as string);
    expect(header).toEqual({ alg: 'HS256', kid: 'sim2', typ: 'JWT' });
    const key = await importJWK(octJwk, 'HS256');
    await compactVerify(out.refresh_token as string, key);
  });
});

describe('createResponseSigner: responses', () => {
  const json = 'application/json; charset=utf-8';
  const text = JSON.stringify(backend);

  it.each([
    ['a JSON string', text],
    ['JSON bytes', Buffer.from(text)],
    ['a parsed object', backend],
  ])('signs a 2xx JSON response given as %s', async (_label, body) => {
    const result = await signer().signResponse({ status: 200, contentType: json, body });
    expect(result.signed).toBe(true);
    const out = JSON.parse((result as { body: string }).body);
    await compactVerify(out.access_token, secret);
    expect(out.exp).toBe(backend.exp);
  });

  it('accepts application/*+json types', async () => {
    const result = await signer().signResponse({
      status: 201,
      contentType: 'application/vnd.login+json',
      body: text,
    });
    expect(result.signed).toBe(true);
  });

  it.each([
    ['a 401', { status: 401, contentType: json, body: text }],
    ['a 500', { status: 500, contentType: json, body: text }],
    ['a 302', { status: 302, contentType: json, body: text }],
    ['a text/plain body', { status: 200, contentType: 'text/plain', body: text }],
    ['a body without content type', { status: 200, contentType: undefined, body: text }],
    ['an empty body', { status: 200, contentType: json, body: '' }],
    ['no body', { status: 204, contentType: undefined, body: undefined }],
    ['a JSON array', { status: 200, contentType: json, body: '[1,2]' }],
    ['JSON without the keys', { status: 200, contentType: json, body: '{"a":1}' }],
    ['a non-JSON stream', { status: 200, contentType: 'text/csv', body: Readable.from(['a']) }],
  ])('passes %s through untouched', async (_label, response) => {
    expect(await signer().signResponse(response)).toEqual({ signed: false });
  });

  it('refuses a JSON content type whose body is not JSON', async () => {
    const err = await caughtBy(() =>
      signer().signResponse({ status: 200, contentType: json, body: '{"access_token": ' }),
    );
    expect(err.code).toBe('configuration_error');
  });

  it('reads a JSON stream and signs it; a JSON stream without the keys comes back as its bytes', async () => {
    const half = Math.floor(text.length / 2);
    const stream = Readable.from([Buffer.from(text.slice(0, half)), text.slice(half)]);
    const result = await signer().signResponse({ status: 200, contentType: json, body: stream });
    expect(result.signed).toBe(true);
    const out = JSON.parse(String(result.body));
    await compactVerify(out.refresh_token, secret);
    const plain = Readable.from([Buffer.from('{"a":1}')]);
    const passed = await signer().signResponse({ status: 200, contentType: json, body: plain });
    expect(passed.signed).toBe(false);
    expect(Buffer.from(passed.body as Uint8Array).toString()).toBe('{"a":1}');
  });

  it('refuses bodies over maxBodyBytes, serialized or streamed, and non-byte stream chunks', async () => {
    const small = signer({ maxBodyBytes: 64 });
    for (const body of [text, Buffer.from(text), Readable.from([text])]) {
      const err = await caughtBy(() =>
        small.signResponse({ status: 200, contentType: json, body }),
      );
      expect(err.code).toBe('configuration_error');
      expect(err.message).toContain('maxBodyBytes');
    }
    const objects = Readable.from([{ a: 1 }], { objectMode: true });
    const err = await caughtBy(() =>
      signer().signResponse({ status: 200, contentType: json, body: objects }),
    );
    expect(err.code).toBe('configuration_error');
  });

  it('never reads a stream whose content type is not JSON', async () => {
    const stream = Readable.from([text]);
    expect(
      await signer().signResponse({ status: 200, contentType: 'text/plain', body: stream }),
    ).toEqual({ signed: false });
    expect(stream.readableDidRead).toBe(false);
  });
});

describe('createResponseSigner: options', () => {
  const base = { keysToSign: ['access_token'], alg: 'HS256', kid: 'sim2', keys: keySet };

  it.each([
    ['keysToSign', { keysToSign: [] }],
    ['keysToSign', { keysToSign: ['a', 'a'] }],
    ['keysToSign', { keysToSign: [''] }],
    ['full', { full: 'yes' }],
    ['alg', { alg: 'none' }],
    ['kid', { kid: '' }],
    ['keys', { keys: { keys: [] } }],
    ['jwkSetUrl', { jwkSetUrl: 'https://keys.test/jwks.json' }],
    ['keysTosign', { keysTosign: ['a'] }],
    ['fingerprints', { fingerprints: ['AA'] }],
    ['now', { now: 5 }],
  ])('refuses a bad %s at construction', async (name, extra) => {
    const err = await caughtBy(() => createResponseSigner({ ...base, ...extra } as never));
    expect(err.code).toBe('configuration_error');
    expect(err.message).toContain(name);
  });

  it.each([
    ['a kid absent from the set', { kid: 'nope' }],
    ['an alg that does not fit the key', { alg: 'RS256' }],
    ['an alg other than the JWK alg', { alg: 'HS384' }],
    ['a public key', { alg: 'ES256', kid: 'pub', keys: [{ ...ecJwk, d: undefined, kid: 'pub' }] }],
    ['a short secret', { keys: [{ kty: 'oct', kid: 'sim2', k: 'c2hvcnQ' }] }],
    ['use: enc', { keys: [{ ...octJwk, use: 'enc' }] }],
    ['key_ops without sign', { keys: [{ ...octJwk, key_ops: ['verify'] }] }],
    ['a duplicated kid', { keys: [octJwk, octJwk] }],
  ])('refuses %s in the local set at construction', async (_label, extra) => {
    const err = await caughtBy(() => createResponseSigner({ ...base, ...extra } as never));
    expect(err.code).toBe('configuration_error');
    expect(err.message).not.toContain(secret.toString('base64url'));
  });

  it('refuses remote-only options next to a local set', async () => {
    const err = await caughtBy(() => createResponseSigner({ ...base, timeout: 10 } as never));
    expect(err.message).toContain('timeout');
  });

  it('types: keysToSign, alg and kid are required, alg is an algorithm name', async () => {
    const partial = { keysToSign: ['a'], keys: keySet };
    // @ts-expect-error kid is required
    expect(() => createResponseSigner({ ...partial, alg: 'HS256' })).toThrow(ServiceJwtError);
    // @ts-expect-error alg is required
    expect(() => createResponseSigner({ ...partial, kid: 'sim2' })).toThrow(ServiceJwtError);
    // @ts-expect-error "none" is no algorithm
    expect(() => createResponseSigner({ ...partial, kid: 'sim2', alg: 'none' })).toThrow(
      ServiceJwtError,
    );
  });

  it('ready() resolves for a local set', async () => {
    await expect(signer().ready()).resolves.toBeUndefined();
  });
});
