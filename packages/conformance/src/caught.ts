import { isServiceJwtError, type ServiceJwtError } from '@service-jwt/core';

/**
 * The `ServiceJwtError` that `fn` throws, synchronously. Anything else thrown is rethrown, and
 * a call that throws nothing fails the test.
 */
export function thrownBy(fn: () => unknown): ServiceJwtError {
  try {
    fn();
  } catch (err) {
    if (isServiceJwtError(err)) return err;
    throw err;
  }
  throw new Error('expected a ServiceJwtError, nothing was thrown');
}

/**
 * The `ServiceJwtError` that `work` (a promise, or a function that throws or returns one)
 * ends with. Any other error is rethrown, and success fails the test.
 */
export async function caughtBy(work: Promise<unknown> | (() => unknown)): Promise<ServiceJwtError> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (err) {
    if (isServiceJwtError(err)) return err;
    throw err;
  }
  throw new Error('expected a ServiceJwtError, nothing was thrown');
}
