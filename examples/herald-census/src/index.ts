import { startCensus } from './census.js';
import { HERALD_ISSUER, startHerald } from './herald.js';

export { CENSUS_AUDIENCE, OPS_ISSUER } from './census.js';
export { HERALD_ISSUER } from './herald.js';

/** The running example: both services' base URLs and a close for both. */
export interface HeraldCensusExample {
  readonly urls: { readonly herald: string; readonly census: string };
  close(): Promise<void>;
}

/** Options of {@link start}. */
export interface StartOptions {
  /** Ports on 127.0.0.1. @default 0 for both: any free port */
  readonly ports?: { readonly herald?: number; readonly census?: number };
}

/**
 * Starts design scenario 3 on 127.0.0.1: Herald (Express) and Census (Fastify), each with its
 * own key pair. Census trusts Herald by its `iss` and JWKS URL, lets it register people and
 * refuses it on the purge route, which only the ops service may call.
 *
 * @example
 * ```ts
 * const { urls, close } = await start();
 * await fetch(`${urls.herald}/register`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user': 'ada' }, body: '{"name":"Ada"}' }); // 201
 * await fetch(`${urls.herald}/purge`, { method: 'POST' }); // 403 caller_not_allowed
 * await close();
 * ```
 */
export async function start(options: StartOptions = {}): Promise<HeraldCensusExample> {
  const herald = await startHerald(options.ports?.herald);
  try {
    const census = await startCensus(
      { [HERALD_ISSUER]: `${herald.url}/.well-known/jwks.json` },
      HERALD_ISSUER,
      options.ports?.census,
    );
    herald.connect(census.url);
    return {
      urls: { herald: herald.url, census: census.url },
      async close() {
        await Promise.all([herald.close(), census.close()]);
      },
    };
  } catch (err) {
    await herald.close();
    throw err;
  }
}
