import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { CHANNELS, errorResponse, isServiceJwtError } from '@service-jwt/core';
import fc from 'fast-check';
import { b64, claimsAt, makeKey, mint } from '../fixtures.js';
import { captureLogger } from '../observability/capture-logger.js';
import { windows } from '../observability/credential-windows.js';
import { mintTxn, sha256, txnClaimsAt, txnVerifierFor, withTxn } from './txn-fixtures.js';

const serviceKey = makeKey('ES256', 'service');
const txnKey = makeKey('EdDSA', 'txn');
const stranger = makeKey('EdDSA', 'txn');

// No window of a Txn-Token (see credential-windows.ts) may appear in any log line, event,
// error message or error response: the token is a bearer credential of the user's
// transaction and is named by its SHA-256 only.

const text = fc.string({ unit: 'grapheme', maxLength: 40 });
const claims = fc.record({
  txn: fc.oneof(fc.uuid(), text),
  sub: text,
  scope: fc.oneof(fc.constant('orders:read'), text),
  req_wl: fc.oneof(fc.webUrl(), text),
  tctx: fc.option(fc.dictionary(fc.string({ maxLength: 8 }), text, { maxKeys: 3 }), {
    nil: undefined,
  }),
  exp: fc.integer({ min: -600, max: 600 }),
  secret: fc.string({ minLength: 16, maxLength: 40 }),
});

// Txn-Tokens of every kind: valid and invalid claims, by the token service and a stranger,
// a garbled signature, random base64url segments and random header text.
const txnToken = fc.oneof(
  claims.map((c) =>
    mintTxn(txnKey, txnClaimsAt({ ...c, exp: (txnClaimsAt().exp as number) + c.exp })),
  ),
  claims.map((c) => mintTxn(stranger, txnClaimsAt(c))),
  claims.map((c) => `${mintTxn(txnKey, txnClaimsAt(c)).slice(0, -8)}AAAAAAAA`),
  fc
    .tuple(claims, fc.uint8Array({ minLength: 16, maxLength: 64 }))
    .map(
      ([c, sig]) =>
        `${b64({ alg: 'EdDSA', typ: 'txntoken+jwt' })}.${b64(txnClaimsAt(c))}.${b64(sig)}`,
    ),
  fc.string({ minLength: 20, maxLength: 200 }),
);

describe('nothing of a Txn-Token reaches a log line, an event or an error', () => {
  it('holds for random Txn-Tokens, accepted and refused, in either header', async () => {
    const logger = captureLogger();
    const events: unknown[] = [];
    const listener = (event: unknown) => events.push(event);
    for (const name of Object.values(CHANNELS)) subscribe(name, listener);
    const verifier = txnVerifierFor(serviceKey, txnKey, {
      logger,
      transactionToken: { mode: 'require', claims: { scope: { includes: 'orders:read' } } },
    });
    let accepted = 0;
    try {
      await fc.assert(
        fc.asyncProperty(txnToken, fc.boolean(), async (token, inAuthorization) => {
          logger.lines.length = 0;
          events.length = 0;
          const request = inAuthorization
            ? { method: 'GET', url: '/', headers: { authorization: `Bearer ${token}` } }
            : withTxn(serviceKey, token);
          const outcome = await verifier.verify(request).then(
            (result) => ({ result }),
            (error: unknown) => ({ error }),
          );
          const seen: unknown[] = [logger.lines, events];
          if ('error' in outcome) {
            if (!isServiceJwtError(outcome.error)) throw outcome.error;
            seen.push(outcome.error.message, errorResponse(outcome.error));
          } else {
            accepted += 1;
            // An accepted request is named by the hash in its event, never by the token.
            expect(events).toContainEqual(
              expect.objectContaining({ transactionHash: sha256(token) }),
            );
            // The service token (whose header segment may start like this one's) left out.
            seen.push(JSON.stringify({ ...outcome.result, token: undefined }));
          }
          const text = JSON.stringify(seen);
          for (const part of windows(token)) {
            if (text.includes(part)) {
              throw new Error(`a log line, event or error holds part of the Txn-Token: ${part}`);
            }
          }
        }),
        { numRuns: 400 },
      );
    } finally {
      for (const name of Object.values(CHANNELS)) unsubscribe(name, listener);
      await verifier.close();
    }
    // The property ran over accepted requests too, not only refusals.
    expect(accepted).toBeGreaterThan(0);
  });

  it('keeps a service token that is not a Txn-Token out of the same places', async () => {
    const logger = captureLogger();
    const verifier = txnVerifierFor(serviceKey, txnKey, { logger });
    const token = mint(serviceKey, claimsAt());
    const refused = await verifier.verify(withTxn(serviceKey, token)).catch((err: Error) => err);
    expect(refused).toMatchObject({ code: 'txn_token_malformed' });
    const text = JSON.stringify([logger.lines, (refused as Error).message]);
    for (const part of windows(token)) expect(text).not.toContain(part);
    await verifier.close();
  });
});
