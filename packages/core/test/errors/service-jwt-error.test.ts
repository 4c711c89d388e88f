import { errorResponse, SERVICE_JWT_ERROR_CODES, ServiceJwtError } from '@service-jwt/core';

describe('errorResponse', () => {
  it('answers token_missing with a bare Bearer challenge', () => {
    const res = errorResponse(new ServiceJwtError('token_missing', 'no token'));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="service-jwt"');
  });

  it('maps every code to a status', () => {
    for (const code of SERVICE_JWT_ERROR_CODES) {
      expect(new ServiceJwtError(code, 'x').status).toBeGreaterThanOrEqual(400);
    }
  });
});
