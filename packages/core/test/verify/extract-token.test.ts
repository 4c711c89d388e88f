import { thrownBy } from '@service-jwt/conformance';
import {
  errorResponse,
  type HeadersLike,
  type ServiceJwtError,
  type ServiceJwtErrorCode,
} from '@service-jwt/core';
import { extractToken, type ResolvedTokenLocation } from '../../src/verify/extract-token.js';

const BEARER: ResolvedTokenLocation = { header: 'authorization', scheme: 'Bearer' };
const CUSTOM: ResolvedTokenLocation = { header: 'jwt', scheme: null };
const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJhIn0.c2ln';

function expectCode(
  headers: HeadersLike,
  location: ResolvedTokenLocation,
  code: ServiceJwtErrorCode,
  maxLength = 8192,
): ServiceJwtError {
  const err = thrownBy(() => extractToken(headers, location, maxLength));
  expect(err.code).toBe(code);
  return err;
}

describe('extractToken', () => {
  it('reads a Bearer token, scheme compared case-insensitively (RFC 7235)', () => {
    expect(extractToken({ authorization: `Bearer ${TOKEN}` }, BEARER, 8192)).toBe(TOKEN);
    expect(extractToken({ authorization: `bearer ${TOKEN}` }, BEARER, 8192)).toBe(TOKEN);
    expect(extractToken({ authorization: `BEARER ${TOKEN}` }, BEARER, 8192)).toBe(TOKEN);
    expect(extractToken({ authorization: [`Bearer ${TOKEN}`] }, BEARER, 8192)).toBe(TOKEN);
  });

  it('reads a bare token from a custom header', () => {
    expect(extractToken({ jwt: TOKEN }, CUSTOM, 8192)).toBe(TOKEN);
  });

  it('reads a token from a custom header with a scheme', () => {
    const location = { header: 'x-service-auth', scheme: 'Token' };
    expect(extractToken({ 'x-service-auth': `token ${TOKEN}` }, location, 8192)).toBe(TOKEN);
  });

  it('answers token_missing with a bare challenge when there is no credential', () => {
    for (const headers of [
      {},
      { authorization: '' },
      { authorization: 'Bearer' },
      { authorization: [] as string[] },
    ]) {
      const err = expectCode(headers, BEARER, 'token_missing');
      expect(err.status).toBe(401);
      expect(errorResponse(err).headers['www-authenticate']).toBe('Bearer realm="service-jwt"');
    }
    expectCode({ jwt: '' }, CUSTOM, 'token_missing');
    // The token is expected in the custom header, not in Authorization.
    expectCode({ authorization: `Bearer ${TOKEN}` }, CUSTOM, 'token_missing');
  });

  it('answers token_duplicated (400 invalid_request) for more than one credential', () => {
    const cases: Array<[HeadersLike, ResolvedTokenLocation]> = [
      [{ authorization: [`Bearer ${TOKEN}`, `Bearer ${TOKEN}`] }, BEARER],
      [{ authorization: `Bearer ${TOKEN}, Bearer ${TOKEN}` }, BEARER],
      [{ authorization: `Bearer ${TOKEN},Bearer other.token.x` }, BEARER],
      [{ jwt: [TOKEN, TOKEN] }, CUSTOM],
      [{ jwt: `${TOKEN}, ${TOKEN}` }, CUSTOM],
      [{ jwt: TOKEN, authorization: `Bearer ${TOKEN}` }, CUSTOM],
      [{ jwt: TOKEN, authorization: 'Basic dXNlcjpwYXNz' }, CUSTOM],
    ];
    for (const [headers, location] of cases) {
      const err = expectCode(headers, location, 'token_duplicated');
      expect(err.status).toBe(400);
      expect(errorResponse(err).headers['www-authenticate']).toMatch(/error="invalid_request"/);
    }
  });

  it('answers token_too_large beyond maxLength, before scanning the value', () => {
    const big = 'a'.repeat(101);
    const err = expectCode({ authorization: `Bearer ${big}` }, BEARER, 'token_too_large', 100);
    expect(err.status).toBe(401);
    expect(errorResponse(err).headers['www-authenticate']).toMatch(/error="invalid_token"/);
    expectCode({ jwt: big }, CUSTOM, 'token_too_large', 100);
    // A huge header full of junk is refused for its size, not its content.
    expectCode({ authorization: `Bearer ${' '.repeat(1_000_000)}` }, BEARER, 'token_too_large');
    // Exactly maxLength passes.
    expect(extractToken({ authorization: `Bearer ${'a'.repeat(100)}` }, BEARER, 100)).toHaveLength(
      100,
    );
    expect(extractToken({ jwt: 'a'.repeat(100) }, CUSTOM, 100)).toHaveLength(100);
  });

  it('accepts one or more spaces after the scheme, and nothing else (RFC 9110 §11.4)', () => {
    expect(extractToken({ authorization: `Bearer  ${TOKEN}` }, BEARER, 8192)).toBe(TOKEN);
    expect(extractToken({ authorization: `Bearer     ${TOKEN}` }, BEARER, 8192)).toBe(TOKEN);
    expect(extractToken({ authorization: `bEaReR  ${TOKEN}` }, BEARER, 8192)).toBe(TOKEN);
    // The exact token length counts, not the spaces around it.
    const hundred = 'a'.repeat(100);
    expect(extractToken({ authorization: `Bearer   ${hundred}` }, BEARER, 100)).toBe(hundred);
    for (const separator of ['\t', ' \t', '\u00a0', '\v', '\f']) {
      expectCode({ authorization: `Bearer${separator}${TOKEN}` }, BEARER, 'token_malformed');
    }
  });

  it('answers token_missing with a plain challenge for another scheme (RFC 6750 §3.1)', () => {
    for (const value of [
      'Basic dXNlcjpwYXNz',
      `Basic ${TOKEN}`,
      `DPoP ${TOKEN}`,
      `Token ${TOKEN}`,
      `Bearerx ${TOKEN}`,
      'Negotiate',
    ]) {
      const err = expectCode({ authorization: value }, BEARER, 'token_missing');
      expect(errorResponse(err).headers['www-authenticate']).toBe('Bearer realm="service-jwt"');
    }
    // Two credentials, whatever their schemes, are still two.
    expectCode(
      { authorization: `Basic dXNlcjpwYXNz, Bearer ${TOKEN}` },
      BEARER,
      'token_duplicated',
    );
  });

  it('answers token_malformed, not token_duplicated, for a comma inside one credential', () => {
    const json =
      '{"payload":"eyJpc3MiOiJhIn0","protected":"eyJhbGciOiJFUzI1NiJ9","signature":"c2ln"}';
    const rawPayload =
      'eyJhbGciOiJFUzI1NiIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19.{"iss":"a","aud":"b"}.c2ln';
    for (const value of [`Bearer ${json}`, `Bearer ${rawPayload}`, `Bearer ${TOKEN}, b`]) {
      const err = expectCode({ authorization: value }, BEARER, 'token_malformed');
      expect(err.status).toBe(401);
      expect(errorResponse(err).headers['www-authenticate']).toMatch(/error="invalid_token"/);
    }
    expectCode({ jwt: json }, CUSTOM, 'token_malformed');
  });

  it('answers token_malformed for a malformed Bearer credential', () => {
    for (const value of [
      `Bearer\t${TOKEN}`,
      `Bearer ${TOKEN} extra`,
      `Bearer ${TOKEN} `,
      ` Bearer ${TOKEN}`,
      `Bearer "${TOKEN}"`,
      `Bearer ${TOKEN},`,
      `Bearer,${TOKEN}`,
    ]) {
      const err = expectCode({ authorization: value }, BEARER, 'token_malformed');
      expect(err.status).toBe(401);
    }
    expectCode({ jwt: `Bearer ${TOKEN}` }, CUSTOM, 'token_malformed');
    expectCode({ jwt: ` ${TOKEN}` }, CUSTOM, 'token_malformed');
  });

  it('compares the whole scheme: another scheme of the same length is not a Bearer credential', () => {
    // Six letters and a space, like `Bearer `: only the scheme's text tells them apart. Another
    // scheme is answered as no credential at all (RFC 6750 §3.1: no error code for a method
    // we do not support), never as a malformed Bearer token.
    for (const scheme of ['Digest', 'Bearex', 'Aearer', 'Bxarer', 'BEARE_', 'Token1', 'Bearerx']) {
      expectCode({ authorization: `${scheme} ${TOKEN}` }, BEARER, 'token_missing');
    }
    for (const value of ['Digest', 'Bearex', 'BEARE_']) {
      expectCode({ authorization: value }, BEARER, 'token_missing');
    }
    // The scheme's text followed by a space decides it, wherever else that text appears: a
    // credential of another scheme that ends with `Bearer`, and a longer scheme that starts
    // with it, are no Bearer credential.
    expectCode({ authorization: 'Digest Bearer' }, BEARER, 'token_missing');
    expectCode({ authorization: `Digest ${TOKEN}.Bearer` }, BEARER, 'token_missing');
    expectCode({ authorization: `BearerX ${TOKEN}` }, BEARER, 'token_missing');
    // Other spellings of the configured scheme still pass, by the general scan.
    expect(extractToken({ authorization: `bEARER ${TOKEN}` }, BEARER, 8192)).toBe(TOKEN);
    const token = { header: 'x-service-auth', scheme: 'Token' };
    expectCode({ 'x-service-auth': `Basic ${TOKEN}` }, token, 'token_missing');
    expectCode({ 'x-service-auth': `Tokens ${TOKEN}` }, token, 'token_missing');
    expect(extractToken({ 'x-service-auth': `TOKEN ${TOKEN}` }, token, 8192)).toBe(TOKEN);
  });

  it('counts only parts of the credential form as credentials', () => {
    // Two parts of the form `scheme SP token68`: two credentials.
    expectCode(
      { authorization: `Basic dXNlcjpwYXNz, Bearer ${TOKEN}` },
      BEARER,
      'token_duplicated',
    );
    // One credential of another scheme, whatever follows its comma: no Bearer credential.
    expectCode({ authorization: 'Basic dXNlcjpwYXNz,' }, BEARER, 'token_missing');
    expectCode({ authorization: 'Basic a,b' }, BEARER, 'token_missing');
    // Too large as a whole: two credentials are duplicated, one is too large.
    const part = 'a'.repeat(90);
    expectCode(
      { authorization: `Bearer ${part}, Bearer ${part}` },
      BEARER,
      'token_duplicated',
      100,
    );
    expectCode({ authorization: `Bearer ${part}${part},` }, BEARER, 'token_too_large', 100);
    expectCode({ authorization: `Bearer ${part}${part}, ` }, BEARER, 'token_too_large', 100);
    expectCode({ jwt: `${part}, ${part}` }, CUSTOM, 'token_duplicated', 100);
  });

  it('refuses a value over twice the largest credential unread: two credentials, or too large', () => {
    // maxLength 100 and `Bearer `: up to 2 × 107 characters are read; longer is not scanned
    // for a scheme, only split on commas to tell two credentials from one huge one.
    const long = 'a'.repeat(150);
    expectCode(
      { authorization: `Bearer ${long}, Bearer ${long}` },
      BEARER,
      'token_duplicated',
      100,
    );
    expectCode({ jwt: `${long}, ${long}` }, CUSTOM, 'token_duplicated', 100);
    expectCode({ authorization: `Bearer ${long}${long},` }, BEARER, 'token_too_large', 100);
    expectCode({ jwt: `${long}${long},` }, CUSTOM, 'token_too_large', 100);
    // Exactly twice is still read: another scheme is no credential of ours.
    const basic = (length: number) => ({ authorization: `Basic ${'a'.repeat(length - 6)}` });
    expectCode(basic(214), BEARER, 'token_missing', 100);
    expectCode(basic(215), BEARER, 'token_too_large', 100);
  });

  it('counts a part as a credential only when all of it is `scheme 1*SP token68`', () => {
    // Several spaces after a scheme still make a credential (RFC 9110 §11.4).
    expectCode(
      { authorization: `Bearer  ${TOKEN}, Bearer   ${TOKEN}` },
      BEARER,
      'token_duplicated',
    );
    // A part with more after its token68, or something before its scheme, is no credential:
    // what is left is one malformed Bearer credential with a comma in it.
    for (const second of ['Basic a b', '"q" Basic abc', 'Basic abc "q"']) {
      expectCode({ authorization: `Bearer ${TOKEN}, ${second}` }, BEARER, 'token_malformed');
    }
  });

  it('answers token_malformed for a value that does not start with an auth-scheme token', () => {
    // RFC 9110 §11.1: an auth-scheme is a token; a quote or `=` cannot start one, so this is
    // no other scheme either (that would be token_missing).
    for (const value of [`"Bearer" ${TOKEN}`, '"Basic" dXNlcjpwYXNz', '=Basic abc', '(x) abc']) {
      expectCode({ authorization: value }, BEARER, 'token_malformed');
    }
  });

  it('counts only a non-empty Authorization beside a custom header as a second credential', () => {
    for (const authorization of ['', [], [''], ['', '']]) {
      expect(extractToken({ jwt: TOKEN, authorization }, CUSTOM, 8192)).toBe(TOKEN);
    }
    for (const authorization of [['', 'Basic dXNlcjpwYXNz'], [`Bearer ${TOKEN}`], 'x']) {
      expectCode({ jwt: TOKEN, authorization }, CUSTOM, 'token_duplicated');
    }
  });

  it('answers a long credential of another scheme as missing, and a scheme with only its space as missing', () => {
    // Not ours to measure: a Basic credential of any length is no Bearer token (Node bounds
    // the header's size before we see it).
    expectCode({ authorization: `Basic ${'a'.repeat(200)}` }, BEARER, 'token_missing', 100);
    expectCode({ authorization: `Bearer ${'a'.repeat(200)}` }, BEARER, 'token_too_large', 100);
    expectCode({ authorization: 'Bearer ' }, BEARER, 'token_missing');
    expectCode(
      { 'x-service-auth': 'token ' },
      { header: 'x-service-auth', scheme: 'Token' },
      'token_missing',
    );
  });

  it('never echoes the token in a message', () => {
    const secret = 'c2VjcmV0LXRva2VuLXZhbHVl';
    for (const headers of [
      { authorization: `Basic ${secret}` },
      { authorization: `Bearer ${secret} ${secret}` },
      { authorization: `Bearer ${secret}, Bearer ${secret}` },
      { authorization: `Bearer ${secret}${'x'.repeat(9000)}` },
    ]) {
      const err = thrownBy(() => extractToken(headers, BEARER, 8192));
      expect(err.message).not.toContain(secret);
      expect(errorResponse(err).headers['www-authenticate']).not.toContain(secret);
    }
  });
});
