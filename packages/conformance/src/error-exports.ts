/// <reference types="jest" />
import * as core from '@service-jwt/core';

/** The error helpers every adapter re-exports, so `onError` code imports from one package. */
export interface AdapterErrorExports {
  readonly ServiceJwtError: unknown;
  readonly isServiceJwtError: unknown;
}

/**
 * Checks that an adapter's entry re-exports core's error class and guard, the very same
 * values: an `instanceof` check against a copy would fail on the errors the adapter throws.
 */
export function describeErrorExports(adapterName: string, adapter: AdapterErrorExports): void {
  describe(`${adapterName}: error helpers`, () => {
    it('re-exports ServiceJwtError and isServiceJwtError from core', () => {
      expect(adapter.ServiceJwtError).toBe(core.ServiceJwtError);
      expect(adapter.isServiceJwtError).toBe(core.isServiceJwtError);
      const guard = adapter.isServiceJwtError as (value: unknown) => boolean;
      expect(guard(new core.ServiceJwtError('token_missing', 'no token'))).toBe(true);
      expect(guard(new Error('plain'))).toBe(false);
    });
  });
}
