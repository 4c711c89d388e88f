// What a case's load sends: the request of each kind, and the pool of per-request values (fresh
// tokens, or signature lines) its copies take one by one. Shared by the load generator
// (autocannon) and the instruction count (node:http).
import { readFileSync } from 'node:fs';
import { type BenchContext, BIG_PATH, FRESH_PATH, STATIC_PATH } from './context.js';

/** What the load generator sends. */
export type LoadKind = 'static' | 'fresh' | 'fresh-sig' | 'big';

/** One request template, and the pool its copies draw from (empty: every copy is the same). */
export interface Requests {
  readonly pool: string[];
  readonly request: {
    readonly method: string;
    readonly path: string;
    readonly headers: Record<string, string>;
    readonly body?: string;
  };
}

export function requestsOf(context: BenchContext, kind: LoadKind): Requests {
  const json = { 'content-type': 'application/json' };
  if (kind === 'static') {
    return {
      pool: [],
      request: {
        method: 'GET',
        path: STATIC_PATH,
        headers: { authorization: `Bearer ${context.staticToken}` },
      },
    };
  }
  if (kind === 'big') {
    return {
      pool: [],
      request: {
        method: 'POST',
        path: BIG_PATH,
        headers: { ...json, authorization: `Bearer ${context.bigToken}` },
        body: context.body64k,
      },
    };
  }
  if (kind === 'fresh-sig') {
    // Each pool line: `signature-input<TAB>signature` over the static token and the body.
    return {
      pool: readFileSync(`${context.poolFile}.sig`, 'utf8').split('\n'),
      request: {
        method: 'POST',
        path: FRESH_PATH,
        headers: {
          ...json,
          authorization: `Bearer ${context.staticToken}`,
          'content-digest': context.body1kContentDigest,
        },
        body: context.body1k,
      },
    };
  }
  const pool = readFileSync(context.poolFile, 'utf8').split('\n');
  return {
    pool,
    request: { method: 'POST', path: FRESH_PATH, headers: json, body: context.body1k },
  };
}

/**
 * The headers of one request drawn from the pool: a fresh token as the credential, or (the
 * `fresh-sig` kind) a `signature-input<TAB>signature` line as the two signature headers.
 */
export function headersFor(
  kind: LoadKind,
  headers: Record<string, string>,
  entry: string,
): Record<string, string> {
  if (kind === 'fresh-sig') {
    const [input = '', signature = ''] = entry.split('\t');
    return { ...headers, 'signature-input': input, signature };
  }
  return { ...headers, authorization: `Bearer ${entry}` };
}
