import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { CHANNELS, createMemoryReplayStore, createVerifier } from '@service-jwt/core';
import fc from 'fast-check';
import {
  AUDIENCE,
  b64,
  claimsAt,
  ISSUER,
  issuerConfig,
  makeKey,
  mint,
  NOW_MS,
} from '../fixtures.js';
import { captureLogger } from './capture-logger.js';
import { windows } from './credential-windows.js';

const key = makeKey('ES256');
const stranger = makeKey('ES256', 'stranger');

const text = fc.string({ unit: 'grapheme', maxLength: 40 });
const claims = fc.record({
  iss: fc.oneof(fc.constant(ISSUER), fc.webUrl(), text),
  sub: fc.option(text, { nil: undefined }),
  aud: fc.oneof(fc.constant(AUDIENCE), text),
  jti: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }),
  source: fc.constantFrom('microservice', 'user'),
  secret: fc.string({ minLength: 16, maxLength: 40 }),
});

// Credentials of every kind: signed tokens (by a trusted key and by a stranger, with random
// claims), tokens with a garbled signature, random base64url and random header text.
const credential = fc.oneof(
  claims.map((c) => mint(key, claimsAt(c))),
  claims.map((c) => mint(stranger, claimsAt(c))),
  claims.map((c) => `${mint(key, claimsAt(c)).slice(0, -8)}AAAAAAAA`),
  fc
    .tuple(claims, fc.uint8Array({ minLength: 16, maxLength: 64 }))
    .map(([c, sig]) => `${b64({ alg: 'ES256', kid: key.kid })}.${b64(c)}.${b64(sig)}`),
  fc.string({ minLength: 20, maxLength: 200 }),
);

describe('nothing of a credential reaches a log line or an event', () => {
  it('holds for thousands of credentials, accepted and refused', async () => {
    const logger = captureLogger();
    const events: unknown[] = [];
    const listener = (event: unknown) => events.push(event);
    for (const name of Object.values(CHANNELS)) subscribe(name, listener);
    const verifier = createVerifier({
      issuers: { [ISSUER]: issuerConfig(key) },
      audience: AUDIENCE,
      now: () => NOW_MS,
      replay: { store: createMemoryReplayStore(), required: false },
      logger,
    });
    try {
      await fc.assert(
        fc.asyncProperty(
          credential,
          fc.constantFrom('Bearer ', 'bearer ', ''),
          async (token, scheme) => {
            logger.lines.length = 0;
            events.length = 0;
            const authorization = `${scheme}${token}`;
            await verifier
              .verify({ method: 'POST', url: '/orders', headers: { authorization }, body: '{}' })
              .catch(() => undefined);
            const seen = JSON.stringify([logger.lines, events]);
            for (const part of windows(token)) {
              if (seen.includes(part)) {
                throw new Error(`a log line or event holds part of the credential: ${part}`);
              }
            }
          },
        ),
        { numRuns: 2000 },
      );
    } finally {
      for (const name of Object.values(CHANNELS)) unsubscribe(name, listener);
    }
  });
});
