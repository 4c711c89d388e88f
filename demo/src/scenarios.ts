import { createServiceFetch, type FetchLike } from '@service-jwt/core';
import { bearer, type Outcome, outcomeOf, type SentRequest, send } from './call.js';
import { createChainScenarios } from './chain-scenarios.js';
import { ID } from './identities.js';
import type { DemoWorld } from './world.js';

/** What a scenario expects: a status and, for a refusal, the error code. */
export interface Expected {
  readonly status: number;
  readonly code?: string;
  /** Extra words for the table (what else the scenario checks). */
  readonly note?: string;
}

/** One row of the demo. */
export interface Scenario {
  readonly caller: string;
  readonly callee: string;
  readonly token: string;
  readonly expected: Expected;
  run(): Promise<Outcome>;
}

function kidOf(jws: unknown): string | undefined {
  if (typeof jws !== 'string' || jws.split('.').length !== 3) return undefined;
  const header = JSON.parse(Buffer.from(jws.split('.')[0] as string, 'base64url').toString());
  return typeof header.kid === 'string' ? header.kid : undefined;
}

function kidServed(outcome: { json: unknown }): unknown {
  return (outcome.json as { kid?: unknown } | undefined)?.kid;
}

/**
 * The design's scenarios, in order, over the running `world`. Later rows use what earlier
 * ones did (the replay resends row 6's request; the revocation follows an accepted call; the
 * checkout chain's refusals use the Txn-Token its first row put on the wire).
 */
export function createScenarios(world: DemoWorld): Scenario[] {
  const { signers, urls, clock } = world;
  const sent: SentRequest[] = [];
  // Herald's calls to Census: createServiceFetch signs exactly the bytes it sends; the
  // recording fetch keeps them, as an eavesdropper would, for the replay row.
  const recordingFetch: FetchLike = (input, init) => {
    sent.push({
      url: String(input),
      method: init?.method ?? 'GET',
      headers: Object.fromEntries(new Headers(init?.headers)),
      body:
        init?.body === null || init?.body === undefined
          ? undefined
          : Buffer.from(init.body as Uint8Array).toString('utf8'),
    });
    return globalThis.fetch(input, init);
  };
  const herald = createServiceFetch({
    signer: signers.herald,
    audience: ID.census,
    subject: 'ada',
    bind: true,
    fetch: recordingFetch,
  });
  const heraldCall = async (url: string, body: unknown): Promise<Outcome> => {
    const answer = await herald(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return outcomeOf(answer);
  };
  let tokenBeforeSwitch = '';
  let accessToken: unknown;

  return [
    {
      caller: 'M1',
      callee: 'M2 (Express)',
      token: 'static identity token, made at start-up',
      expected: { status: 200 },
      run: async () => bearer(`${urls.m2}/inventory`, await signers.m1.tokenFor(ID.m2)),
    },
    {
      caller: 'user ada',
      callee: 'M2 (Express)',
      token: "a user's token (no source claim)",
      expected: { status: 403, code: 'source_mismatch' },
      run: async () =>
        bearer(
          `${urls.m2}/inventory`,
          await signers.users.sign({}, { audience: ID.m2, subject: 'ada' }),
        ),
    },
    {
      caller: 'M1',
      callee: 'M2 (Express)',
      token: "M1's token for the order service",
      expected: { status: 401, code: 'audience_mismatch' },
      run: async () => bearer(`${urls.m2}/inventory`, await signers.m1.tokenFor(ID.orders)),
    },
    {
      caller: 'M1',
      callee: 'M2 (Express)',
      token: 'minted 10 min ago, 5 min lifetime',
      expected: { status: 401, code: 'token_expired' },
      run: async () =>
        bearer(`${urls.m2}/inventory`, await signers.m1TenMinutesAgo.sign({}, { audience: ID.m2 })),
    },
    {
      caller: 'user ada',
      callee: 'orders (Koa)',
      token: 'user token, iss + own aud checked',
      expected: { status: 200 },
      run: async () =>
        bearer(
          `${urls.orders}/orders`,
          await signers.users.sign({}, { audience: [ID.orders, ID.m2], subject: 'ada' }),
        ),
    },
    {
      caller: 'Herald',
      callee: 'Census (Fastify)',
      token: 'request-bound: bdy, htm, htu, jti',
      expected: { status: 201 },
      run: () => heraldCall(`${urls.census}/people`, { name: 'Ada', role: 'member' }),
    },
    {
      caller: 'Herald → proxy',
      callee: 'Census (Fastify)',
      token: 'request-bound; proxy rewrites the body',
      expected: { status: 401, code: 'body_hash_mismatch' },
      run: () => heraldCall(`${urls.tamperProxy}/people`, { name: 'Eve', role: 'member' }),
    },
    {
      caller: 'eavesdropper',
      callee: 'Census (Fastify)',
      token: "row 6's request, resent as captured",
      expected: { status: 401, code: 'token_replayed' },
      run: async () => {
        const captured = sent[0];
        if (captured === undefined) return { status: 0, problem: 'row 6 sent nothing' };
        return send(captured);
      },
    },
    {
      caller: 'Herald',
      callee: 'Census (Fastify)',
      token: 'request-bound, to the ops-only purge',
      expected: { status: 403, code: 'caller_not_allowed' },
      run: () => heraldCall(`${urls.census}/admin/purge`, {}),
    },
    {
      caller: 'M1',
      callee: 'orders (Koa)',
      token: 'static identity token',
      expected: { status: 200 },
      run: async () =>
        bearer(`${urls.orders}/internal/restock`, await signers.m1.tokenFor(ID.orders), {
          method: 'POST',
        }),
    },
    {
      caller: 'M1 (revoked)',
      callee: 'orders (Koa)',
      token: 'same token, after ops revoked M1',
      expected: { status: 401, code: 'token_revoked' },
      run: async () => {
        await world.ordersRevocation.revokeIssuer(ID.m1, Math.floor(clock.now() / 1000));
        return bearer(`${urls.orders}/internal/restock`, await signers.m1.tokenFor(ID.orders), {
          method: 'POST',
        });
      },
    },
    {
      caller: 'M1',
      callee: 'M2 (Express)',
      token: 'rotation: key 2 published, key 1 signs',
      expected: { status: 200 },
      run: async () => {
        const oldKid = signers.m1.kid;
        signers.m1.rotate(world.m1NextKey.privateKey, { activateAfter: 600 });
        tokenBeforeSwitch = await signers.m1.sign({}, { audience: ID.m2, lifetime: 3600 });
        const outcome = await bearer(`${urls.m2}/inventory`, await signers.m1.tokenFor(ID.m2));
        return kidServed(outcome) === oldKid || outcome.status !== 200
          ? outcome
          : { ...outcome, problem: 'expected a key-1 token' };
      },
    },
    {
      caller: 'M1',
      callee: 'M2 (Express)',
      token: '10 min later: key 2 signs',
      expected: { status: 200 },
      run: async () => {
        clock.advance(601);
        const outcome = await bearer(`${urls.m2}/inventory`, await signers.m1.tokenFor(ID.m2));
        return kidServed(outcome) === world.m1NextKey.kid || outcome.status !== 200
          ? outcome
          : { ...outcome, problem: 'expected a key-2 token' };
      },
    },
    {
      caller: 'M1',
      callee: 'M2 (Express)',
      token: 'key-1 token from before the switch',
      expected: { status: 200 },
      run: () => bearer(`${urls.m2}/inventory`, tokenBeforeSwitch),
    },
    {
      caller: 'client → gateway',
      callee: 'legacy login',
      token: 'none; gateway signs the login reply',
      expected: { status: 200, note: 'tokens signed' },
      run: async () => {
        const outcome = await send({ url: `${urls.gateway}/login`, method: 'POST', headers: {} });
        const body = outcome.json as { access_token?: unknown; refresh_token?: unknown };
        accessToken = body?.access_token;
        const signed =
          kidOf(body?.access_token) === world.gatewayKid &&
          kidOf(body?.refresh_token) === world.gatewayKid;
        return signed
          ? { ...outcome, note: 'tokens signed' }
          : { ...outcome, problem: 'access_token/refresh_token are not signed by the gateway' };
      },
    },
    {
      caller: 'user ada',
      callee: 'orders (Koa)',
      token: 'the gateway-signed access_token',
      expected: { status: 200 },
      run: () => bearer(`${urls.orders}/orders`, String(accessToken)),
    },
    ...createChainScenarios(world),
  ];
}
