import { computeBodyHash, type RequestLike } from '@service-jwt/core';
import { usageError } from './exit-codes.js';
import { readInput } from './inputs.js';
import type { CliIo } from './io.js';

/** `verify`'s request flags. */
export interface RequestFlags {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly body: string | undefined;
}

// A token carrying htm/htu/bdy is only as good as the request it rides on. Verified without
// one it would pass with its binding unchecked, which reads as "this request is fine": refuse
// instead and name the flags that give the request.

const EMPTY_BODY_HASH = computeBodyHash('sha256', new Uint8Array(0));

/**
 * Checks the request flags against the token's binding claims before anything is verified,
 * and throws a usage error naming the missing flags.
 *
 * - `htm`/`htu` in the token need `--method` and `--url`;
 * - `bdy` needs `--body`, unless it is the hash of the empty body (a request without one);
 * - `--method` and `--url` go together, except that a token bound to its body alone can be
 *   checked with `--body` alone.
 *
 * @param claims the token's payload decoded without trust (`undefined`: not decodable).
 */
export function checkRequestFlags(
  claims: Record<string, unknown> | undefined,
  flags: RequestFlags,
): void {
  const boundTarget = claims?.htm !== undefined || claims?.htu !== undefined;
  const boundBody = claims?.bdy !== undefined && claims.bdy !== EMPTY_BODY_HASH;
  const given = (flag: string | undefined) => flag !== undefined;
  if (boundTarget && !(given(flags.method) && given(flags.url))) {
    const bound = ['htm', 'htu', 'bdy'].filter((c) => claims?.[c] !== undefined).join(', ');
    const needed = ['--method', '--url', ...(boundBody && !given(flags.body) ? ['--body'] : [])];
    throw usageError(
      `the token is bound to a request (${bound}): pass ${needed.slice(0, -1).join(', ')} and ${needed.at(-1)} to check it`,
    );
  }
  if (boundBody && !given(flags.body)) {
    throw usageError('the token is bound to a body (bdy): pass --body FILE (- for standard input)');
  }
  if (given(flags.method) !== given(flags.url) && !given(flags.body)) {
    throw usageError('checking a request binding needs both --method and --url');
  }
}

/**
 * The request to verify the token against, or `undefined` when neither the flags nor the
 * token name one (the token is then verified alone).
 */
export async function requestFor(
  io: CliIo,
  token: string,
  claims: Record<string, unknown> | undefined,
  flags: RequestFlags,
): Promise<RequestLike | undefined> {
  const bound = ['htm', 'htu', 'bdy'].some((c) => claims?.[c] !== undefined);
  if (!bound && flags.method === undefined && flags.url === undefined && flags.body === undefined)
    return undefined;
  return {
    // A token bound to its body alone is checked with --body alone: it names no method or
    // target, so the verifier compares none, and these stand-ins are never read.
    method: flags.method ?? 'POST',
    url: flags.url ?? '/',
    headers: { authorization: `Bearer ${token}` },
    body:
      flags.body === undefined ? new Uint8Array(0) : await readInput(io, flags.body, 'body file'),
  };
}
