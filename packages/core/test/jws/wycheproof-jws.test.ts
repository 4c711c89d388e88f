import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_ALGORITHMS } from '../../src/jws/algorithms.js';
import { verifyCompactJws } from '../../src/jws/signature.js';
import { importJwk } from '../../src/keys/key-import.js';
import type { IssuerKeyResolver } from '../../src/keys/key-resolver.js';
import {
  createStaticKeyResolver,
  indexKeys,
  type KeyIndex,
  loadLocalKeySet,
} from '../../src/keys/local-key-set.js';

// Wycheproof JOSE vectors through the verifier's JWS layer: strict syntax, header rules, key
// import (the issuer's configured keys) and the node:crypto signature check. See the README
// next to the vectors for the errata handled below.
const VECTORS = join(__dirname, '../../../../../shared/vectors/wycheproof/testvectors_v1');

interface Jwk {
  readonly [member: string]: unknown;
}
interface Group {
  readonly comment: string;
  readonly private?: Jwk;
  readonly public?: Jwk;
  readonly tests: ReadonlyArray<{ tcId: number; comment: string; jws: unknown; result: string }>;
}

function load(file: string): Group[] {
  return JSON.parse(readFileSync(join(VECTORS, file), 'utf8')).testGroups;
}

const PRIVATE = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];
function publicPart(jwk: Jwk): Jwk {
  if (jwk.kty === 'oct') return jwk;
  return Object.fromEntries(Object.entries(jwk).filter(([name]) => !PRIVATE.includes(name)));
}

function headerAlg(jws: unknown): string | undefined {
  if (typeof jws !== 'string') return undefined;
  try {
    return JSON.parse(Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString()).alg;
  } catch {
    return undefined;
  }
}

// The RFC 7520 figures reuse one key under several algorithms, so the vectors' keys carry
// `alg` values (`PS256` for a PS384 figure, the non-existent `ES521`) and a malformed
// `key_ops` that belong to the harness, not to the test: a configured issuer would list the
// algorithm it uses. Those groups get the key without `alg`/`key_ops`, bound to the figure's
// algorithm.
function resolverFor(group: Group, jws: unknown): IssuerKeyResolver {
  const rfc7520 = group.comment.startsWith('rfc7520');
  const ctx = {
    algorithms: rfc7520 ? [headerAlg(jws) as never] : ALL_ALGORITHMS,
    optionPath: `vectors.${group.comment}`,
    allowSymmetric: true,
  };
  const source = group.public ?? group.private;
  const set = (source as { keys?: Jwk[] } | undefined)?.keys;
  if (set !== undefined) {
    return createStaticKeyResolver(loadLocalKeySet({ keys: set.map(publicPart) }, ctx));
  }
  let jwk = publicPart(source as Jwk);
  if (rfc7520) {
    const { alg: _alg, key_ops: _ops, ...rest } = jwk;
    jwk = rest;
  }
  return createStaticKeyResolver(indexKeys([importJwk(jwk, ctx)]) as KeyIndex);
}

function verdict(group: Group, jws: unknown): 'valid' | 'invalid' {
  try {
    verifyCompactJws(jws as string, resolverFor(group, jws));
    return 'valid';
  } catch {
    return 'invalid';
  }
}

// README errata: 367 and 370 are byte-identical to the valid 357 (cannot be told apart);
// 372 and 373 reuse 357's MAC over a different signing input, so a verifier that MACs the
// received bytes must reject them.
const INDISTINGUISHABLE = new Set([367, 370]);
const EXPECT_INVALID = new Set([372, 373]);

function cases(file: string, keep: (group: Group) => boolean) {
  return load(file)
    .filter(keep)
    .flatMap((group) =>
      group.tests
        .filter((test) => !INDISTINGUISHABLE.has(test.tcId))
        .map((test) => ({
          group,
          test,
          expected: EXPECT_INVALID.has(test.tcId) ? 'invalid' : test.result,
        })),
    );
}

describe('Wycheproof json_web_signature_test.json', () => {
  const all = cases('json_web_signature_test.json', () => true);

  it('covers the file (401 vectors less the 2 indistinguishable errata)', () => {
    expect(all.length).toBe(399);
  });

  it.each(all.map((c) => [c.test.tcId, c.test.comment, c]))('tcId %i %s', (_, __, c) => {
    const { group, test, expected } = c as (typeof all)[number];
    expect(verdict(group, test.jws)).toBe(expected);
  });
});

describe('Wycheproof json_web_crypto_test.json (JWS groups)', () => {
  // JWE is out of scope: its groups are the ones whose key is for encryption.
  const jws = cases('json_web_crypto_test.json', (group) => !group.comment.startsWith('jwe'));

  it('keeps every JWS group and no JWE group', () => {
    expect(jws.length).toBe(49);
    expect(jws.every((c) => c.group.private?.use !== 'enc')).toBe(true);
  });

  it.each(jws.map((c) => [c.test.tcId, c.test.comment, c]))('tcId %i %s', (_, __, c) => {
    const { group, test, expected } = c as (typeof jws)[number];
    expect(verdict(group, test.jws)).toBe(expected);
  });
});
