import {
  errorResponse,
  type ServiceJwtClaims,
  ServiceJwtError,
  type ServiceJwtErrorCode,
} from '@service-jwt/core';
import { checkRequestBinding } from '../../src/verify/request-binding.js';

const ISS = 'https://caller.example';

function claims(extra: Partial<ServiceJwtClaims>): ServiceJwtClaims {
  return { iss: ISS, ...extra };
}

function codeOf(fn: () => void): ServiceJwtErrorCode | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (!(err instanceof ServiceJwtError)) throw err;
    return err.code;
  }
}

function check(
  c: Partial<ServiceJwtClaims>,
  method: string,
  url: string,
  options: { required?: boolean; mountPrefix?: string } = {},
): ServiceJwtErrorCode | undefined {
  return codeOf(() =>
    checkRequestBinding(claims(c), { method, url }, { required: false, ...options }),
  );
}

describe('checkRequestBinding', () => {
  it('accepts matching htm and htu', () => {
    expect(check({ htm: 'POST', htu: '/orders?id=1' }, 'POST', '/orders?id=1')).toBeUndefined();
    expect(
      check({ htm: 'POST', htu: '/orders?id=1' }, 'POST', '/orders?id=1', { required: true }),
    ).toBeUndefined();
  });

  it('accepts a token without htm/htu unless required (claim_missing)', () => {
    expect(check({}, 'GET', '/x')).toBeUndefined();
    expect(check({}, 'GET', '/x', { required: true })).toBe('claim_missing');
    expect(check({ htm: 'GET' }, 'GET', '/x', { required: true })).toBe('claim_missing');
    expect(check({ htu: '/x' }, 'GET', '/x', { required: true })).toBe('claim_missing');
  });

  it('checks a present claim even when not required', () => {
    expect(check({ htm: 'GET' }, 'DELETE', '/x')).toBe('request_binding_mismatch');
    expect(check({ htu: '/x' }, 'GET', '/y')).toBe('request_binding_mismatch');
  });

  it('answers request_binding_mismatch with 401 invalid_token', () => {
    try {
      checkRequestBinding(
        claims({ htm: 'GET' }),
        { method: 'POST', url: '/' },
        { required: false },
      );
      throw new Error('unreachable');
    } catch (err) {
      const e = err as ServiceJwtError;
      expect(e.code).toBe('request_binding_mismatch');
      expect(e.status).toBe(401);
      expect(errorResponse(e).headers['www-authenticate']).toMatch(/error="invalid_token"/);
    }
  });

  it('compares htm case-sensitively (RFC 9110 §9.1)', () => {
    expect(check({ htm: 'post' }, 'POST', '/')).toBe('request_binding_mismatch');
    expect(check({ htm: 'POST' }, 'post', '/')).toBe('request_binding_mismatch');
    expect(check({ htm: 'PATCH' }, 'PATCH', '/')).toBeUndefined();
  });

  it('compares htu byte for byte: path and query exactly as sent', () => {
    expect(check({ htu: '/orders?id=1' }, 'GET', '/orders')).toBe('request_binding_mismatch');
    expect(check({ htu: '/orders' }, 'GET', '/orders?id=1')).toBe('request_binding_mismatch');
    expect(check({ htu: '/orders?a=1&b=2' }, 'GET', '/orders?b=2&a=1')).toBe(
      'request_binding_mismatch',
    );
    expect(check({ htu: '/a%20b' }, 'GET', '/a b')).toBe('request_binding_mismatch');
    expect(check({ htu: '/admin' }, 'GET', '/public/../admin')).toBe('request_binding_mismatch');
    expect(check({ htu: '/Orders' }, 'GET', '/orders')).toBe('request_binding_mismatch');
    expect(check({ htu: '/orders/' }, 'GET', '/orders')).toBe('request_binding_mismatch');
  });

  it('accepts an absolute-URL htu by its path and query', () => {
    expect(
      check({ htu: 'https://census.internal/orders?id=1' }, 'GET', '/orders?id=1'),
    ).toBeUndefined();
    expect(check({ htu: 'HTTP://census.internal:8080/orders' }, 'GET', '/orders')).toBeUndefined();
    expect(check({ htu: 'https://census.internal' }, 'GET', '/')).toBeUndefined();
    expect(check({ htu: 'https://census.internal?x=1' }, 'GET', '/?x=1')).toBeUndefined();
    expect(check({ htu: 'https://census.internal/orders' }, 'GET', '/orders?id=1')).toBe(
      'request_binding_mismatch',
    );
    // Not re-serialised by a URL parser: dot segments stay.
    expect(check({ htu: 'https://h/a/../admin' }, 'GET', '/admin')).toBe(
      'request_binding_mismatch',
    );
    expect(check({ htu: 'ftp://h/orders' }, 'GET', '/orders')).toBe('request_binding_mismatch');
    expect(check({ htu: 'orders' }, 'GET', '/orders')).toBe('request_binding_mismatch');
  });

  it('reduces an absolute-form request target to its path and query', () => {
    expect(
      check({ htu: '/orders?id=1' }, 'GET', 'http://census.internal/orders?id=1'),
    ).toBeUndefined();
  });

  it('refuses a non-string claim', () => {
    expect(check({ htm: 1 as unknown as string }, 'GET', '/')).toBe('request_binding_mismatch');
    expect(check({ htu: ['/'] as unknown as string }, 'GET', '/')).toBe('request_binding_mismatch');
  });

  describe('mountPrefix', () => {
    const opts = { mountPrefix: '/api' };

    it('strips the prefix when the signer signed without it', () => {
      expect(check({ htu: '/orders?id=1' }, 'GET', '/api/orders?id=1', opts)).toBeUndefined();
      expect(check({ htu: '/' }, 'GET', '/api', opts)).toBeUndefined();
      expect(check({ htu: '/?x=1' }, 'GET', '/api?x=1', opts)).toBeUndefined();
      expect(
        check({ htu: 'https://h/orders' }, 'GET', '/api/orders', { mountPrefix: '/api/' }),
      ).toBeUndefined();
    });

    it('compares the full target when the signer signed with the prefix', () => {
      expect(check({ htu: '/api/orders' }, 'GET', '/api/orders', opts)).toBeUndefined();
      // Signed with the prefix, so the prefix is not stripped: /api/api/orders ≠ /api/orders.
      expect(check({ htu: '/api/orders' }, 'GET', '/api/api/orders', opts)).toBe(
        'request_binding_mismatch',
      );
    });

    it('only strips at a path-segment boundary', () => {
      expect(check({ htu: '/x/orders' }, 'GET', '/apix/orders', opts)).toBe(
        'request_binding_mismatch',
      );
      expect(check({ htu: 'x/orders' }, 'GET', '/apix/orders', opts)).toBe(
        'request_binding_mismatch',
      );
    });

    it('still refuses other targets', () => {
      expect(check({ htu: '/orders' }, 'GET', '/api/payments', opts)).toBe(
        'request_binding_mismatch',
      );
      expect(check({ htu: '/orders' }, 'GET', '/other/orders', opts)).toBe(
        'request_binding_mismatch',
      );
    });

    it('refuses a prefix that is not a path with configuration_error naming the option', () => {
      for (const mountPrefix of ['api', '/api?x', '//api', '/a b', 5, null] as string[]) {
        try {
          checkRequestBinding(
            claims({ htu: '/x' }),
            { method: 'GET', url: '/x' },
            { required: false, mountPrefix },
          );
          throw new Error('unreachable');
        } catch (err) {
          expect((err as ServiceJwtError).code).toBe('configuration_error');
          expect((err as ServiceJwtError).message).toContain('requestBinding.mountPrefix');
        }
      }
    });
  });
});
