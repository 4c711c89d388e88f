import { thrownBy } from '@service-jwt/conformance';
import type { ServiceJwtError, ServiceJwtVerifier } from '@service-jwt/core';
import { resolveAdapterOptions, resolveErrorHandling } from '../../src/adapter/adapter-options.js';
import {
  AUDIENCE,
  bearer,
  ISSUER,
  issuerConfig,
  makeKey,
  mint,
  NOW_MS,
  verifierFor,
} from '../fixtures.js';

const key = makeKey('ES256');
const issuers = { [ISSUER]: issuerConfig(key) };
const shared: ServiceJwtVerifier = verifierFor(key);

function configurationError(make: () => unknown): ServiceJwtError {
  const err = thrownBy(make);
  expect(err.code).toBe('configuration_error');
  expect(err.status).toBe(500);
  return err;
}

describe('resolveErrorHandling', () => {
  it('defaults to respond with the default realm', () => {
    expect(resolveErrorHandling({})).toEqual({ onError: 'respond', realm: undefined });
    expect(resolveErrorHandling({ onError: 'throw', realm: 'census' })).toEqual({
      onError: 'throw',
      realm: 'census',
    });
  });

  it.each([
    ['onError', { onError: 'ignore' }],
    ['realm', { realm: '' }],
    ['realm', { realm: 'a"b' }],
    ['realm', { realm: 'a\\b' }],
    ['realm', { realm: 42 }],
    ['realm', { realm: 'caf\u00e9' }],
    ['realm', { realm: 'a\nb' }],
  ])('refuses a bad %s, naming it', (name, options) => {
    const err = configurationError(() => resolveErrorHandling(options as never));
    expect(err.message).toContain(`options.${name}`);
  });
});

describe('resolveAdapterOptions', () => {
  it('creates and owns a verifier from core options, without the adapter keys', async () => {
    const resolved = resolveAdapterOptions(
      { issuers, audience: AUDIENCE, now: () => NOW_MS, realm: 'census', global: true },
      { adapterKeys: ['global'] },
    );
    expect(resolved.owned).toBe(true);
    expect(resolved.onError).toBe('respond');
    expect(resolved.realm).toBe('census');
    const verified = await resolved.verifier.verify(bearer(mint(key)));
    expect(verified.issuer).toBe(ISSUER);
  });

  it('passes an adapter key it was not told about on to core, which refuses it', () => {
    configurationError(() => resolveAdapterOptions({ issuers, audience: AUDIENCE, global: true }));
  });

  it('reuses a given verifier as it is when there is nothing to override', () => {
    const resolved = resolveAdapterOptions({ verifier: shared, onError: 'throw' });
    expect(resolved).toEqual({
      verifier: shared,
      owned: false,
      onError: 'throw',
      realm: undefined,
      logger: null,
    });
  });

  it('applies route overrides through forRoute on a given verifier', async () => {
    const resolved = resolveAdapterOptions({ verifier: shared, audience: 'https://other.test' });
    expect(resolved.verifier).not.toBe(shared);
    expect(resolved.owned).toBe(false);
    const request = bearer(mint(key));
    await expect(shared.verify(request)).resolves.toMatchObject({ issuer: ISSUER });
    await expect(resolved.verifier.verify(request)).rejects.toMatchObject({
      code: 'audience_mismatch',
      status: 401,
    });
  });

  it.each([
    ['options', null],
    ['options', 'issuers'],
    ['options.onError', { issuers, audience: AUDIENCE, onError: 'log' }],
    ['options.realm', { issuers, audience: AUDIENCE, realm: '' }],
    ['options.verifier', { verifier: {} }],
    ['options.issuers', { verifier: shared, issuers }],
  ])('refuses bad options, naming %s', (name, options) => {
    const err = configurationError(() => resolveAdapterOptions(options));
    expect(err.message).toContain(name);
  });
});
