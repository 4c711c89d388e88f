// Type tests, compiled by `pnpm typecheck` (not run by jest): what must and must not compile.
import {
  createTransactionTokenClient,
  createTransactionTokenService,
  type IssuedTransactionToken,
  type RemoteSigningKey,
  type ServiceJwtSigner,
  type ServiceJwtVerifier,
  type TokenEndpointResponse,
  type TransactionTokenService,
} from '@service-jwt/core';

declare const key: import('node:crypto').KeyObject;
declare const kmsKey: RemoteSigningKey;
declare const workloadVerifier: ServiceJwtVerifier;
declare const signer: ServiceJwtSigner;

const required = {
  trustDomain: 'trust-domain.example',
  issuer: 'https://tts.internal',
  keys: key,
  workloadVerifier,
  workloads: ['https://gateway.internal'],
  verifySubjectToken: async (token: string) => ({ sub: token, scope: 'orders.read' }),
};
const service: TransactionTokenService = createTransactionTokenService(required);
createTransactionTokenService({ ...required, keys: [kmsKey, key] });
createTransactionTokenService({
  ...required,
  verifySubjectToken: () => null,
  scopePolicy: ({ subject, workload }) => (subject.sub === workload ? [] : ['orders.read']),
  buildContext: ({ requestDetails }) => ({ tctx: { ...requestDetails } }),
});
// @ts-expect-error the workloads allowed to ask are required
createTransactionTokenService({ ...required, workloads: undefined });
// @ts-expect-error verifySubjectToken must say who the subject is
createTransactionTokenService({ ...required, verifySubjectToken: async () => ({ scope: 'x' }) });

const answer: Promise<TokenEndpointResponse> = service.handle({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: 'grant_type=…',
});
void answer;
// @ts-expect-error a request needs its headers (the workload's token is there)
void service.handle({ method: 'POST', body: '' });

const client = createTransactionTokenClient({
  url: 'https://tts.internal/token',
  trustDomain: 'trust-domain.example',
  signer,
});
const issued: Promise<IssuedTransactionToken> = client.exchange({
  subjectToken: 'user-token',
  scope: 'orders.read',
  requestDetails: { orderId: '42' },
});
void issued;
// @ts-expect-error the scope of the transaction is required
void client.exchange({ subjectToken: 'user-token' });
