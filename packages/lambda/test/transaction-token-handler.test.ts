import { describeTokenServiceEndpoint, TOKEN_PATH } from '@service-jwt/conformance';
import { transactionTokenHandler } from '../src/index.js';
import { startGateway } from './gateway.js';

describe.each(['1.0', '2.0'] as const)('payload format %s', (format) => {
  describeTokenServiceEndpoint('lambda', (service) => {
    const handler = transactionTokenHandler(service);
    return startGateway(format, {
      [`POST ${TOKEN_PATH}`]: handler,
      [`GET ${TOKEN_PATH}`]: handler,
    });
  });
});

describe('lambda transactionTokenHandler', () => {
  it('refuses a value that is not a token service', () => {
    expect(() => transactionTokenHandler(null as never)).toThrow(
      expect.objectContaining({ code: 'configuration_error' }),
    );
  });
});
