export {
  type JwksServer,
  type JwksServerOptions,
  type JwksSource,
  serveJwks,
} from './jwks-server.js';
export { type VerifiedJwsValue, verifyJwsValue } from './jws-value.js';
export {
  createTestIssuer,
  type TestIssuer,
  type TestIssuerOptions,
  type TestRequest,
  type TestSignOptions,
} from './test-issuer.js';
export {
  generateTestKey,
  type PublicJwk,
  TEST_ALGORITHMS,
  type TestAlgorithm,
  type TestKey,
} from './test-keys.js';
export { createTestCertificate, type TestCertificate } from './tls-certificate.js';
export { createTestVerifierOptions } from './verifier-options.js';
