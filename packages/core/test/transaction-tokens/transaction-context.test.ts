import {
  createServiceFetch,
  createSigner,
  createVerifier,
  currentTransaction,
  generateKeyPair,
  outsideTransaction,
  type ServiceJwtSigner,
  type ServiceJwtVerifier,
  type VerifiedServiceJwt,
} from '@service-jwt/core';
import { runInTransaction } from '@service-jwt/core/adapter';
import { issuerConfig, makeKey, NOW_MS } from '../fixtures.js';
import { type Loopback, type Received, startProtectedService } from '../signer/http-fixtures.js';
import {
  mintTxn,
  sha256,
  TOKEN_SERVICE,
  TRUST_DOMAIN,
  txnClaimsAt,
  txnVerifierFor,
  withTxn,
} from './txn-fixtures.js';

// The verified Txn-Token of a request travels with the code that handles it, and
// createServiceFetch forwards it to the next hop byte for byte, and to no call outside it.

const UPSTREAM = 'https://upstream.test';
const DOWNSTREAM = 'https://downstream.test';
const serviceKey = makeKey('ES256', 'caller');
const txnKey = makeKey('EdDSA', 'txn');
const upstream = txnVerifierFor(serviceKey, txnKey);
let signer: ServiceJwtSigner;
let downstream: ServiceJwtVerifier;
let service: Loopback;
let callNext: ReturnType<typeof createServiceFetch>;
const received: Received[] = [];

beforeAll(async () => {
  signer = createSigner({
    issuer: UPSTREAM,
    keys: (await generateKeyPair('EdDSA')).privateKey,
    now: () => NOW_MS,
  });
  // The next hop requires the forwarded token: a call that lost it is refused.
  downstream = createVerifier({
    issuers: { [UPSTREAM]: { keys: signer.jwks() } },
    audience: DOWNSTREAM,
    now: () => NOW_MS,
    transactionTokens: {
      trustDomain: TRUST_DOMAIN,
      issuers: { [TOKEN_SERVICE]: issuerConfig(txnKey) as never },
    },
    transactionToken: 'require',
  });
  service = await startProtectedService(downstream, received);
  callNext = createServiceFetch({ signer, audience: DOWNSTREAM });
});
afterAll(async () => {
  await service.close();
  await downstream.close();
  await upstream.close();
});
beforeEach(() => {
  received.length = 0;
});

const forwarded = (index = received.length - 1) => received[index]?.headers['txn-token'];

async function handled(txn: string): Promise<VerifiedServiceJwt> {
  return upstream.verify(withTxn(serviceKey, txn));
}

describe('currentTransaction()', () => {
  it('is the verified Txn-Token inside the request, and nothing outside', async () => {
    const verified = await handled(mintTxn(txnKey));
    expect(currentTransaction()).toBeUndefined();
    const inside = await runInTransaction(verified, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return currentTransaction();
    });
    expect(inside).toBe(verified.transaction);
    expect(currentTransaction()).toBeUndefined();
  });

  it('is undefined for a request without a Txn-Token', async () => {
    const verified = await upstream.verify(withTxn(serviceKey));
    expect(runInTransaction(verified, () => currentTransaction())).toBeUndefined();
  });
});

describe('createServiceFetch forwards the Txn-Token', () => {
  it('byte for byte on every call made while handling the request', async () => {
    const token = mintTxn(txnKey);
    const verified = await handled(token);
    const statuses = await runInTransaction(verified, async () => {
      const first = await callNext(`${service.url}/a`);
      const second = await callNext(`${service.url}/b`, { method: 'POST', body: '{}' });
      return [first.status, second.status];
    });
    expect(statuses).toEqual([200, 200]);
    expect(received.map((r) => r.headers['txn-token'])).toEqual([token, token]);
    expect(sha256(forwarded() as string)).toBe(verified.transaction?.hash);
  });

  it('in bind mode too', async () => {
    const token = mintTxn(txnKey);
    const bound = createServiceFetch({ signer, audience: DOWNSTREAM, bind: true });
    const verified = await handled(token);
    const response = await runInTransaction(verified, () =>
      bound(`${service.url}/bound`, { method: 'POST', body: 'x' }),
    );
    expect(response.status).toBe(200);
    expect(forwarded()).toBe(token);
  });

  it('to no call made outside a transaction', async () => {
    const response = await callNext(`${service.url}/outside`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { code: string }).code).toBe('txn_token_missing');
    expect(forwarded()).toBeUndefined();
  });

  it('to each call the token of its own request, when requests interleave', async () => {
    const tokens = ['txn-a', 'txn-b', 'txn-c'].map((txn) => mintTxn(txnKey, txnClaimsAt({ txn })));
    const results = await Promise.all(
      tokens.map(async (token, i) => {
        const verified = await handled(token);
        return runInTransaction(verified, async () => {
          // Yield so that the three handlers run interleaved.
          for (let turn = 0; turn < 3 - i; turn++) await new Promise((r) => setImmediate(r));
          const response = await callNext(`${service.url}/interleaved/${i}`);
          return response.status;
        });
      }),
    );
    expect(results).toEqual([200, 200, 200]);
    for (const [i, token] of tokens.entries()) {
      const seen = received.find((r) => r.url === `/interleaved/${i}`);
      expect(seen?.headers['txn-token']).toBe(token);
    }
  });

  it('to no call from a timer set outside the transaction, even while one is handled', async () => {
    let fire!: () => void;
    const armed = new Promise<void>((resolve) => {
      fire = resolve;
    });
    // A background job set up before any request: its call is no part of a transaction.
    const background = armed.then(() => callNext(`${service.url}/background`));
    const timer = setTimeout(fire, 1);
    const verified = await handled(mintTxn(txnKey));
    const refusal = await runInTransaction(verified, async () => {
      const response = await background;
      return [response.status, ((await response.json()) as { code: string }).code];
    });
    clearTimeout(timer);
    expect(refusal).toEqual([401, 'txn_token_missing']);
    expect(received.find((r) => r.url === '/background')?.headers['txn-token']).toBeUndefined();
  });

  it('to no call run through outsideTransaction, and to work the handler schedules', async () => {
    const token = mintTxn(txnKey);
    const verified = await handled(token);
    await runInTransaction(verified, async () => {
      await outsideTransaction(() => callNext(`${service.url}/detached`));
      await new Promise<void>((resolve) =>
        setTimeout(() => callNext(`${service.url}/scheduled`).then(() => resolve()), 1),
      );
    });
    expect(received.find((r) => r.url === '/detached')?.headers['txn-token']).toBeUndefined();
    expect(received.find((r) => r.url === '/scheduled')?.headers['txn-token']).toBe(token);
  });

  it('unless told not to, and never over a Txn-Token the caller set', async () => {
    const token = mintTxn(txnKey);
    const other = mintTxn(txnKey, txnClaimsAt({ txn: 'explicit' }));
    const quiet = createServiceFetch({
      signer,
      audience: DOWNSTREAM,
      forwardTransactionToken: false,
    });
    const verified = await handled(token);
    await runInTransaction(verified, async () => {
      await quiet(`${service.url}/quiet`);
      await callNext(`${service.url}/explicit`, { headers: { 'txn-token': other } });
    });
    expect(received.find((r) => r.url === '/quiet')?.headers['txn-token']).toBeUndefined();
    expect(received.find((r) => r.url === '/explicit')?.headers['txn-token']).toBe(other);
  });

  it('refuses a forwardTransactionToken that is not a boolean', () => {
    expect(() =>
      createServiceFetch({ signer, audience: DOWNSTREAM, forwardTransactionToken: 'no' as never }),
    ).toThrow(expect.objectContaining({ code: 'configuration_error' }));
  });
});
