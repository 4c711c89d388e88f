/// <reference types="jest" />
import { generateKeyPairSync } from 'node:crypto';
import type { RouteOptions, VerifierOptions } from '@service-jwt/core';
import type { ConformanceApp, ConformanceAppSpec } from './adapter-conformance.js';
import { caughtBy } from './caught.js';

const ISSUER = 'https://herald.internal/';

interface Mistake {
  readonly name: string;
  readonly options?: Record<string, unknown>;
  readonly route?: Record<string, unknown>;
  /** What the message must name: the option as the user wrote it. */
  readonly names: readonly string[];
}

const MISTAKES: readonly Mistake[] = [
  { name: 'a misspelt route option', route: { audiance: 'x' }, names: ['audiance', 'audience?'] },
  { name: 'an invalid route option', route: { audience: '' }, names: ['audience'] },
  {
    name: 'a misspelt onError on a route',
    route: { onEror: 'throw' },
    names: ['onEror', 'onError?'],
  },
  {
    name: 'a misspelt nested route option',
    route: { bodyHash: { requird: true } },
    names: ['bodyHash.requird', 'required?'],
  },
  { name: 'a misspelt app option', options: { onEror: 'throw' }, names: ['onEror', 'onError?'] },
  {
    name: 'a misspelt issuer form',
    options: { issuers: { [ISSUER]: { jwksUrl: 'https://herald.internal/jwks.json' } } },
    names: ['jwksUrl', 'jwksUri?'],
  },
];

/**
 * Option mistakes fail when the app is built, with a `configuration_error` that names the
 * option as the user wrote it (route options by the adapter's own name for them, never by
 * core's `forRoute`) and, for a misspelling, the option meant. `start` is the adapter's
 * conformance starter; it must reject (or throw) with the error.
 *
 * @example
 * ```ts
 * describeOptionMistakes('express 5', starter(express));
 * ```
 */
export function describeOptionMistakes(
  adapterName: string,
  start: (spec: ConformanceAppSpec) => Promise<ConformanceApp>,
): void {
  describe(`option mistakes: ${adapterName}`, () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const base: VerifierOptions = {
      issuers: { [ISSUER]: { publicKey } },
      audience: 'https://census.internal/',
    };

    for (const mistake of MISTAKES) {
      it(`${mistake.name} is refused at start naming it`, async () => {
        const options = { ...base, ...mistake.options } as VerifierOptions;
        const routes = [
          { method: 'GET' as const, path: '/a', route: mistake.route as RouteOptions },
        ];
        const err = await caughtBy(async () => {
          // Construction fails first: the handler's answer is never asked for.
          const app = await start({ options, routes, answer: async () => ({}) });
          await app.close();
        });
        expect(err.code).toBe('configuration_error');
        for (const name of mistake.names) expect(err.message).toContain(name);
        expect(err.message).not.toContain('forRoute');
      });
    }
  });
}
