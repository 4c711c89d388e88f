export {
  type AttachedResult,
  answerWith,
  CONFORMANCE_ROUTES,
  type ConformanceApp,
  type ConformanceAppSpec,
  type ConformanceRoute,
  describeConformance,
} from './adapter-conformance.js';
export { caughtBy, thrownBy } from './caught.js';
export {
  AUDIENCE as CONFORMANCE_AUDIENCE,
  type ConformanceFixture,
  createConformanceFixture,
  type MintOptions,
} from './conformance-fixture.js';
export {
  CONFORMANCE_ROWS,
  type ConformanceExpectation,
  type ConformanceRow,
} from './conformance-rows.js';
export { type AdapterErrorExports, describeErrorExports } from './error-exports.js';
export {
  type CapturedLogLine,
  describeKeysDownAtStartup,
  type StartupApp,
  type StartupAppSpec,
} from './keys-down-at-startup.js';
export { type Loopback, listenOnLoopback } from './loopback.js';
export {
  type ConsumerImport,
  describePackaging,
  type PackagingSpec,
  type PackedConsumer,
  type PackOptions,
  packPackages,
} from './packaging.js';
export { type RawRequest, type RawResponse, sendRawRequest } from './raw-request.js';
export {
  LOGIN_RESPONSE,
  type SigningKeyServer,
  startSigningKeyServer,
} from './signing-key-server.js';
export { describeStalledBodies } from './stalled-bodies.js';
export {
  type ContractClock,
  describeReplayStoreContract,
  describeRevocationListContract,
  type ReplayStoreFactory,
  type RevocationListFactory,
  type StoreContractSubject,
} from './store-contract.js';
export { describeTokenServiceEndpoint, type ServeTokenService } from './token-service-rows.js';
export {
  createTransactionFixture,
  TOKEN_SERVICE,
  TRUST_DOMAIN as TXN_ROWS_TRUST_DOMAIN,
  type TransactionFixture,
  type TxnMintOptions,
  txnHash,
} from './transaction-fixture.js';
export {
  ACCESS_TOKEN_URN,
  BATCH as TTS_BATCH_WORKLOAD,
  createTrustDomain,
  EXCHANGE_GRANT,
  exchangeForm,
  GATEWAY as TTS_GATEWAY_WORKLOAD,
  sendTokenRequest,
  TOKEN_PATH,
  TRUST_DOMAIN,
  type TrustDomainFixture,
  TTS_ISSUER,
  TXN_TOKEN_URN,
  USER_ISSUER,
} from './txn-token-service-fixture.js';
