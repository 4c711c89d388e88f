import { SERVICE_JWT_ERROR_CODES } from '@service-jwt/core';
import { fetchErrorType, issuerLabel, oneOf, refusalCode } from '../src/attributes.js';
import { OTHER_ERROR, OTHER_ISSUER, UNTRUSTED_ISSUER } from '../src/index.js';

describe('issuerLabel', () => {
  it('records a trusted issuer by value, unless a list leaves it out', () => {
    expect(issuerLabel('https://a.test/', true, undefined)).toBe('https://a.test/');
    expect(issuerLabel('https://a.test/', true, new Set(['https://a.test/']))).toBe(
      'https://a.test/',
    );
    expect(issuerLabel('https://a.test/', true, new Set(['https://b.test/']))).toBe(OTHER_ISSUER);
  });

  it('never records an untrusted issuer by value, listed or not', () => {
    expect(issuerLabel('https://a.test/', false, undefined)).toBe(UNTRUSTED_ISSUER);
    expect(issuerLabel('https://a.test/', false, new Set(['https://a.test/']))).toBe(
      UNTRUSTED_ISSUER,
    );
  });
});

describe('refusalCode', () => {
  it("keeps core's codes and folds anything else into _OTHER", () => {
    for (const code of SERVICE_JWT_ERROR_CODES) expect(refusalCode(code)).toBe(code);
    expect(refusalCode('eyJhbGciOiJFUzI1NiJ9')).toBe(OTHER_ERROR);
    expect(refusalCode(undefined)).toBe(OTHER_ERROR);
    expect(refusalCode(401)).toBe(OTHER_ERROR);
  });
});

describe('fetchErrorType', () => {
  it('prefers the errno, then the HTTP status, else _OTHER', () => {
    expect(fetchErrorType('ECONNREFUSED', undefined)).toBe('ECONNREFUSED');
    expect(fetchErrorType('ERR_CERT_FINGERPRINT_MISMATCH', undefined)).toBe(
      'ERR_CERT_FINGERPRINT_MISMATCH',
    );
    expect(fetchErrorType(undefined, 404)).toBe('404');
    expect(fetchErrorType(undefined, undefined)).toBe(OTHER_ERROR);
  });

  it('folds values outside the closed shapes into _OTHER', () => {
    expect(fetchErrorType('connect ECONNREFUSED 10.0.0.7:443', undefined)).toBe(OTHER_ERROR);
    expect(fetchErrorType(`E${'X'.repeat(100)}`, undefined)).toBe(OTHER_ERROR);
    expect(fetchErrorType(undefined, 99)).toBe(OTHER_ERROR);
    expect(fetchErrorType(undefined, 600)).toBe(OTHER_ERROR);
    expect(fetchErrorType(undefined, 200.5)).toBe(OTHER_ERROR);
  });
});

describe('oneOf', () => {
  it('keeps a value of the enum and folds anything else into _OTHER', () => {
    expect(oneOf('replay', ['replay', 'revocation'])).toBe('replay');
    expect(oneOf('redis://10.0.0.7', ['replay', 'revocation'])).toBe(OTHER_ERROR);
  });
});
