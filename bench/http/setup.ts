// What every orchestrating script starts with: a scratch folder, the loopback JWKS server and
// the shared keys, tokens and bodies written where the server and load processes read them.
// (Not in context.ts: the server processes read the context and must not load the JWKS server.)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveJwks } from '@service-jwt/testing';
import { type BenchContext, createContext, writeContext } from './context.js';

export interface BenchSetup {
  /** The scratch folder (the context file, the token pool, profiles, dumps). */
  readonly dir: string;
  readonly context: BenchContext;
  readonly contextFile: string;
  /** The JWKS server that serves `context.publicJwk`; close it at the end. */
  readonly jwks: Awaited<ReturnType<typeof serveJwks>>;
}

/** Creates the scratch folder `<tmp>/<prefix>…`, starts the JWKS server, writes the context. */
export async function setUpBench(prefix: string): Promise<BenchSetup> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let jwk: Record<string, unknown> = {};
  const jwks = await serveJwks(() => ({ keys: [jwk as never] }));
  const context = createContext(jwks.url, join(dir, 'pool.txt'));
  jwk = context.publicJwk;
  const contextFile = join(dir, 'context.json');
  writeContext(contextFile, context);
  return { dir, context, contextFile, jwks };
}
