import { ServiceJwtError } from '@service-jwt/core';
import { withRealmHeaders } from '@service-jwt/core/adapter';

describe('withRealmHeaders', () => {
  it('puts the configured realm into err.headers and returns the same error', () => {
    const err = new ServiceJwtError('token_expired', 'expired');
    expect(withRealmHeaders(err, 'census')).toBe(err);
    expect(err.status).toBe(401);
    expect(err.headers['www-authenticate']).toMatch(
      /^Bearer realm="census", error="invalid_token"/,
    );
    expect(Object.keys(err)).not.toContain('headers');
  });

  it('leaves the default realm when none is configured', () => {
    const err = new ServiceJwtError('token_missing', 'no token');
    expect(withRealmHeaders(err, undefined)).toBe(err);
    expect(err.headers['www-authenticate']).toBe('Bearer realm="service-jwt"');
  });

  it('keeps Retry-After on a 503', () => {
    const err = withRealmHeaders(new ServiceJwtError('keys_unavailable', 'down'), 'census');
    expect(err.status).toBe(503);
    expect(err.headers['retry-after']).toMatch(/^\d+$/);
    expect(err.headers['www-authenticate']).toBeUndefined();
  });
});
