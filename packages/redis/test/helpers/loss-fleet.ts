import { createVerifier, type ServiceJwtVerifier } from '@service-jwt/core';
import {
  createRedisReplayStore,
  createRedisRevocationList,
  type IoRedisClientLike,
  type NodeRedisClientLike,
  type RedisClientLike,
  type RedisRevocationList,
} from '@service-jwt/redis';
import { createTestIssuer, createTestVerifierOptions, type TestIssuer } from '@service-jwt/testing';
import { waitFor } from './redis.js';
import { type Answer, call, type Service, startService } from './service.js';

// Two instances of one service on one store, for the store-loss scenarios: A follows the
// revocations through pub/sub, B only by its periodic check (`subscriber: false`). Each serves
// its replay store and its revocation list on separate verifiers, so that each refusal is
// known to come from the structure under test. Only options that existed before the store
// epoch are set, so that the same scenarios show what the code without it did.

const AUDIENCE = 'https://orders.test/';
// Tokens minted "after the loss" carry an iat this far ahead: past the stores' default clock
// tolerance (5 s) after a loss detected up to 3 s after they were minted, and within the
// verifiers' tolerance of the future.
const VERIFIER_TOLERANCE = 10;
const AFTER_LOSS_MS = 8_000;
const SYNC = { pubsub: 200, periodic: 100 };
const COMMAND_TIMEOUT = 300;
// The default maxStaleness (syncInterval + 6 × commandTimeout + 1000) and room for busy cores.
const BOUND = SYNC.pubsub + 6 * COMMAND_TIMEOUT + 1000 + 5000;

/** How the fleet reaches the store: a new client per call, owned and closed by the fleet. */
export interface LossFleetOptions {
  readonly client: () => Promise<RedisClientLike>;
  /** For a node-redis cluster client, which can't duplicate itself into a subscriber. */
  readonly subscriber?: () => Promise<IoRedisClientLike | NodeRedisClientLike>;
  readonly close: (
    client: RedisClientLike | IoRedisClientLike | NodeRedisClientLike,
  ) => Promise<void>;
  readonly prefix: string;
}

interface Instance {
  readonly name: string;
  readonly list: RedisRevocationList;
  readonly replay: Service;
  readonly revocation: Service;
}

/** What the fleet did before the loss. */
export interface BeforeLoss {
  /** A one-time token the fleet accepted. */
  readonly accepted: string;
  /** A token of a subject revoked before the loss, issued before the revocation. */
  readonly revoked: string;
  /** A token issued before the loss, never presented. */
  readonly unused: string;
}

export interface LossFleet {
  /**
   * Serves traffic: accepts a token on each instance, revokes a subject through A. `placed`
   * picks the one-time token (by its jti) whose record the loss must hit, on a cluster.
   */
  serve(options?: { placed?: (jti: string) => Promise<boolean> }): Promise<BeforeLoss>;
  /**
   * Asserts that the loss reopened neither replay nor revocation, on both instances. `partial`:
   * only some replay buckets lost their records (a cluster failover), so a token never presented
   * may pass if its bucket kept them.
   */
  expectDefended(before: BeforeLoss, options?: { partial?: boolean }): Promise<void>;
  close(): Promise<void>;
}

function jtiOf(token: string): string {
  const payload = token.split('.')[1] as string;
  return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { jti: string }).jti;
}

function expectRefused(answer: Answer, status: number, code: string): void {
  expect({ status: answer.status, code: answer.code }).toEqual({ status, code });
  if (status === 503) expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
}

// After a failover, the promoted replica may still hold the record (it was in sync): refused as
// what it is (replayed, revoked), or by the loss window. Never accepted.
function expectRefusedEither(answer: Answer, code: string): void {
  const refusal = { status: answer.status, code: answer.code };
  if (refusal.status === 503) expectRefused(answer, 503, 'store_unavailable');
  else expect(refusal).toEqual({ status: 401, code });
}

export async function startLossFleet(options: LossFleetOptions): Promise<LossFleet> {
  const issuer: TestIssuer = await createTestIssuer();
  const owned: Array<RedisClientLike | IoRedisClientLike | NodeRedisClientLike> = [];
  const verifiers: ServiceJwtVerifier[] = [];
  const instances: Instance[] = [];
  const mint = (subject: string, afterLoss = false) =>
    issuer.sign(
      {},
      { audience: AUDIENCE, subject, ...(afterLoss ? { now: Date.now() + AFTER_LOSS_MS } : {}) },
    );
  const verifier = (extra: object) => {
    const v = createVerifier(
      createTestVerifierOptions(issuer, undefined, {
        audience: AUDIENCE,
        clockTolerance: VERIFIER_TOLERANCE,
        ...extra,
      }),
    );
    verifiers.push(v);
    return v;
  };

  const instance = async (name: string, periodic: boolean): Promise<Instance> => {
    const client = await options.client();
    owned.push(client);
    let subscriber: IoRedisClientLike | NodeRedisClientLike | false | undefined;
    if (periodic) subscriber = false;
    else if (options.subscriber !== undefined) {
      subscriber = await options.subscriber();
      owned.push(subscriber);
    }
    const list = createRedisRevocationList({
      client,
      prefix: options.prefix,
      commandTimeout: COMMAND_TIMEOUT,
      syncInterval: periodic ? SYNC.periodic : SYNC.pubsub,
      ...(subscriber === undefined ? {} : { subscriber }),
    });
    const store = createRedisReplayStore({
      client,
      prefix: options.prefix,
      commandTimeout: COMMAND_TIMEOUT,
    });
    await list.ready();
    return {
      name,
      list,
      replay: await startService(verifier({ replay: store })),
      revocation: await startService(verifier({ revocation: list })),
    };
  };
  instances.push(await instance('A (pub/sub)', false), await instance('B (periodic)', true));
  const [a, b] = instances as [Instance, Instance];

  return {
    async serve(serving = {}) {
      for (const i of instances)
        expect((await call(i.replay.url, await mint('warm-up'))).status).toBe(200);
      let accepted = await mint('user-1');
      expect((await call(a.replay.url, accepted)).status).toBe(200);
      // A bucket is in one of three masters' slots: 60 tries miss the chosen one once in 10^10.
      for (
        let i = 0;
        serving.placed !== undefined && !(await serving.placed(jtiOf(accepted)));
        i++
      ) {
        if (i === 60) throw new Error('no one-time token landed on the chosen master');
        accepted = await mint('user-1');
        expect((await call(a.replay.url, accepted)).status).toBe(200);
      }
      expectRefused(await call(b.replay.url, accepted), 401, 'token_replayed');
      const revoked = await mint('revoked');
      await a.list.revokeSubject(issuer.issuer, 'revoked', Math.floor(Date.now() / 1000) + 1);
      for (const i of instances) {
        await waitFor(
          async () => (await call(i.revocation.url, revoked)).status === 401,
          BOUND,
          20,
        );
      }
      return { accepted, revoked, unused: await mint('user-2') };
    },

    async expectDefended(before, defending = {}) {
      // Back in service: tokens issued after the loss pass on every instance and structure.
      for (const i of instances) {
        for (const service of [i.replay, i.revocation]) {
          await waitFor(
            async () => (await call(service.url, await mint('fresh', true))).status === 200,
            BOUND,
            50,
          );
        }
      }
      for (const i of instances) {
        // Replay: the one-time token accepted before the loss is not accepted again, nor is any
        // other token issued before it; refused without being spent.
        // After a partial loss the accepted token's bucket (placed on the lost master) is in the
        // window; a token never presented may be in a bucket that lost nothing.
        expectRefused(await call(i.replay.url, before.accepted), 503, 'store_unavailable');
        if (defending.partial !== true) {
          expectRefused(await call(i.replay.url, before.unused), 503, 'store_unavailable');
        }
        // Revocation: the mirror reloads in both modes, and the window covers what it lost. The
        // revoked token is never accepted meanwhile.
        await waitFor(
          async () => {
            expect((await call(i.revocation.url, before.revoked)).status).not.toBe(200);
            return (await call(i.revocation.url, before.unused)).status === 503;
          },
          BOUND,
          50,
        );
        if (defending.partial === true) {
          expectRefusedEither(await call(i.revocation.url, before.revoked), 'token_revoked');
        } else {
          expectRefused(await call(i.revocation.url, before.revoked), 503, 'store_unavailable');
        }
        expectRefused(await call(i.revocation.url, before.unused), 503, 'store_unavailable');
      }
      // The version counter starts again after the loss and climbs back to the number B last
      // saw: B must still take in a revocation made now.
      await a.list.revokeSubject(issuer.issuer, 'late', Math.floor(Date.now() / 1000) + 60);
      for (const i of instances) {
        await waitFor(
          async () =>
            (await call(i.revocation.url, await mint('late', true))).code === 'token_revoked',
          BOUND,
          50,
        );
      }
      // One-time tokens issued after the loss are one-time again.
      const fresh = await mint('user-3', true);
      expect((await call(b.replay.url, fresh)).status).toBe(200);
      expectRefused(await call(a.replay.url, fresh), 401, 'token_replayed');
    },

    async close() {
      for (const i of instances) {
        await i.replay.close();
        await i.revocation.close();
        await i.list.close();
      }
      for (const v of verifiers) await v.close();
      for (const c of owned) await options.close(c);
    },
  };
}
