import { createHash, sign } from 'node:crypto';
import {
  createServiceFetch,
  createTransactionTokenClient,
  generateKeyPair,
} from '@service-jwt/core';
import { type Outcome, outcomeOf, send } from './call.js';
import { CHECKOUT_SCOPE, ID, TRUST_DOMAIN } from './identities.js';
import type { Scenario } from './scenarios.js';
import type { BillingView } from './services/billing.js';
import type { DemoWorld } from './world.js';

const sha256 = (token: string) => createHash('sha256').update(token).digest('base64url');
const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/** The SHA-256 prefix the table shows: enough to tell two tokens apart, no more. */
const short = (hash: string | undefined) => (hash === undefined ? 'none' : `${hash.slice(0, 12)}…`);

/** What the checkout gateway answers: billing's view, orders' and the edge's hashes. */
interface CheckoutAnswer {
  readonly billing?: BillingView;
  readonly orders?: { readonly sha256?: string };
  readonly gateway?: { readonly minted?: string };
}

/** The captured Txn-Token with its payload changed by `change`, signature kept. */
function tampered(token: string, change: (claims: Record<string, unknown>) => void): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = decode(payload);
  change(claims);
  return `${header}.${segment(claims)}.${signature}`;
}

/**
 * The checkout chain: user ada → gateway (Express, exchanges her token at the token service)
 * → orders (Koa) → billing (Fastify), then what a compromised or careless hop tries with the
 * Txn-Token it holds. "orders (compromised)" rows are played with orders' own key and the
 * Txn-Token captured on the gateway → orders wire: exactly what that hop has.
 */
export function createChainScenarios(world: DemoWorld): Scenario[] {
  const { signers, urls, clock } = world;
  // The hop's own credential towards billing: a genuine service token of orders.
  const ordersToBilling = createServiceFetch({ signer: signers.orders, audience: ID.billing });
  const charge = async (txnToken: string): Promise<Outcome> => {
    const answer = await ordersToBilling(`${urls.billing}/charges`, {
      method: 'POST',
      headers: { 'txn-token': txnToken },
    });
    return outcomeOf(answer);
  };
  const captured = (): string => {
    const token = world.txnTokensOnTheWire[0];
    if (token === undefined) throw new Error('the chain row sent no Txn-Token to orders');
    return token;
  };
  const userToken = () =>
    signers.users.sign({ scope: CHECKOUT_SCOPE }, { audience: ID.gateway, subject: 'ada' });

  return [
    {
      caller: 'user ada → gateway → orders (Koa)',
      callee: 'billing (Fastify)',
      token: 'user token → Txn-Token at the edge',
      expected: { status: 200, note: 'context intact' },
      run: async () => {
        const outcome = await send({
          url: `${urls.checkout}/checkout`,
          method: 'POST',
          headers: {
            authorization: `Bearer ${await userToken()}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ order: 'o-1001', amount: '42.00' }),
        });
        if (outcome.status !== 200) return outcome;
        const { billing, orders, gateway } = outcome.json as CheckoutAnswer;
        const minted = gateway?.minted;
        const detail = [
          `billing saw sub=${billing?.sub} scope="${billing?.scope}" tctx=${JSON.stringify(billing?.tctx)}`,
          `Txn-Token SHA-256 minted at the edge ${short(minted)}, at orders ${short(orders?.sha256)}, at billing ${short(billing?.sha256)}`,
        ];
        const intact =
          minted !== undefined &&
          minted === sha256(captured()) &&
          orders?.sha256 === minted &&
          billing?.sha256 === minted &&
          billing.sub === 'ada' &&
          billing.scope === CHECKOUT_SCOPE &&
          JSON.stringify(billing.tctx) === '{"order":"o-1001","amount":"42.00"}';
        return intact
          ? { ...outcome, note: 'context intact', detail }
          : { ...outcome, detail, problem: 'the user context changed on its way to billing' };
      },
    },
    {
      caller: 'orders (compromised)',
      callee: 'billing (Fastify)',
      token: "own Txn-Token, wider scope, TTS's name",
      expected: { status: 401, code: 'txn_token_invalid' },
      run: async () => {
        // Orders signs a Txn-Token of its own, as the token service, with the kid of the
        // token service's key: billing checks the signature against that key.
        const { privateKey } = await generateKeyPair('EdDSA');
        const claims = decode(captured().split('.')[1] as string);
        const input = `${segment({ alg: 'EdDSA', typ: 'txntoken+jwt', kid: world.tokenServiceKid })}.${segment({ ...claims, scope: `${CHECKOUT_SCOPE} billing:refund` })}`;
        return charge(
          `${input}.${sign(null, Buffer.from(input), privateKey).toString('base64url')}`,
        );
      },
    },
    {
      caller: 'orders (compromised)',
      callee: 'token service',
      token: 'replacement with a wider scope',
      expected: { status: 400, code: 'invalid_scope' },
      run: async () => {
        // Orders may ask for replacements (to narrow the scope); it asks for more instead.
        const form = new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          requested_token_type: 'urn:ietf:params:oauth:token-type:txn_token',
          audience: TRUST_DOMAIN,
          scope: `${CHECKOUT_SCOPE} billing:refund`,
          subject_token: captured(),
          subject_token_type: 'urn:ietf:params:oauth:token-type:txn_token',
        });
        const outcome = await send({
          url: `${urls.tokenService}/token`,
          method: 'POST',
          headers: {
            authorization: `Bearer ${await signers.orders.tokenFor(ID.txnTokens)}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: form.toString(),
        });
        const error = (outcome.json as { error?: string } | undefined)?.error;
        return { status: outcome.status, code: error };
      },
    },
    {
      caller: 'orders (compromised)',
      callee: 'billing (Fastify)',
      token: 'captured Txn-Token, tctx amount → 0.01',
      expected: { status: 401, code: 'txn_token_invalid' },
      run: () =>
        charge(
          tampered(captured(), (claims) => {
            claims.tctx = { ...(claims.tctx as object), amount: '0.01' };
          }),
        ),
    },
    {
      caller: 'orders',
      callee: 'billing (Fastify)',
      token: 'captured Txn-Token in Authorization',
      expected: { status: 400, code: 'txn_token_in_authorization' },
      run: () =>
        send({
          url: `${urls.billing}/charges`,
          method: 'POST',
          headers: { authorization: `Bearer ${captured()}` },
        }),
    },
    {
      caller: 'orders',
      callee: 'billing (Fastify)',
      token: 'Txn-Token of the staging token service',
      expected: { status: 401, code: 'txn_token_untrusted' },
      run: async () => {
        // A real exchange at a real token service, one that production does not trust.
        const staging = createTransactionTokenClient({
          url: `${urls.stagingTokenService}/token`,
          trustDomain: TRUST_DOMAIN,
          signer: signers.gateway,
          audience: ID.stagingTxnTokens,
        });
        const { token } = await staging.exchange({
          subjectToken: await userToken(),
          scope: CHECKOUT_SCOPE,
          requestDetails: { order: 'o-1001', amount: '42.00' },
        });
        return charge(token);
      },
    },
    {
      caller: 'orders',
      callee: 'billing (Fastify)',
      token: 'captured Txn-Token, 6 min later',
      expected: { status: 401, code: 'txn_token_expired' },
      run: () => {
        clock.advance(360); // past the token service's 300 s lifetime and the 5 s tolerance
        return charge(captured());
      },
    },
  ];
}
