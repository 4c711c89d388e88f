import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { compactVerify } from 'jose';
import type { Algorithm } from '../../src/jws/algorithms.js';
import { ALL_ALGORITHMS, isHmac } from '../../src/jws/algorithms.js';
import { createIssuerKeyResolver } from '../../src/keys/create-issuer-key-resolver.js';
import type { IssuerKeyResolver, VerificationKey } from '../../src/keys/key-resolver.js';
import { createStaticKeyResolver, loadLocalKeySet } from '../../src/keys/local-key-set.js';

// Wycheproof json_web_key_test.json: every key set goes through our loading, every JWS is then
// resolved and verified with the bound key. Expected verdicts are taken as published: none of
// this file's vectors is listed in the README's errata.
const FILE = path.resolve(
  __dirname,
  '../../../../../shared/vectors/wycheproof/testvectors_v1/json_web_key_test.json',
);

interface Vector {
  readonly tcId: number;
  readonly comment: string;
  readonly jws: string;
  readonly result: 'valid' | 'invalid' | 'acceptable';
}
interface Group {
  readonly comment: string;
  readonly private?: { keys: Record<string, unknown>[] };
  readonly public?: { keys: Record<string, unknown>[] };
  readonly tests: Vector[];
}

const ASYMMETRIC = ALL_ALGORITHMS.filter((alg) => !isHmac(alg));
const HMAC: Algorithm[] = ['HS256', 'HS384', 'HS512'];

// Asymmetric sets are configured as a local `keys` issuer (its public half when the vector has
// one). Our configuration has no symmetric JWK sets, only `secret`; all-`oct` sets run through
// the same loader with symmetric keys allowed, where the secret rules (>= 32 bytes and >= the
// hash size, HS* only, one algorithm per key) and the set rules (unique kids, no mixing) apply.
function load(group: Group): IssuerKeyResolver {
  const set = group.public ?? group.private;
  if (set === undefined) throw new Error('vector group without keys');
  const allOct = set.keys.every((jwk) => jwk.kty === 'oct');
  if (allOct) {
    return createStaticKeyResolver(
      loadLocalKeySet(set, { algorithms: HMAC, optionPath: 'vector', allowSymmetric: true }),
    );
  }
  return createIssuerKeyResolver(
    'https://vector',
    { keys: set as never },
    { algorithms: ASYMMETRIC, optionPath: 'vector' },
  );
}

async function verdict(group: Group, vector: Vector): Promise<'valid' | 'invalid'> {
  let resolver: IssuerKeyResolver;
  try {
    resolver = load(group);
  } catch {
    return 'invalid';
  }
  try {
    const header = JSON.parse(
      Buffer.from(vector.jws.split('.')[0] ?? '', 'base64url').toString('utf8'),
    );
    const key: VerificationKey = await resolver.resolve({ alg: header.alg, kid: header.kid });
    await compactVerify(vector.jws, key.key, { algorithms: [key.algorithm] });
    return 'valid';
  } catch {
    return 'invalid';
  }
}

describe('Wycheproof json_web_key_test.json', () => {
  it('has the vector file', () => {
    expect(existsSync(FILE)).toBe(true);
  });

  const data = JSON.parse(readFileSync(FILE, 'utf8')) as {
    numberOfTests: number;
    testGroups: Group[];
  };
  const cases = data.testGroups.flatMap((group) =>
    group.tests.map((vector) => [vector.tcId, vector.comment, group, vector] as const),
  );

  it('runs every vector', () => {
    expect(cases).toHaveLength(data.numberOfTests);
  });

  it.each(cases)(
    'tcId %i (%s) agrees with the expected result',
    async (_id, _comment, group, vector) => {
      const got = await verdict(group, vector);
      if (vector.result !== 'acceptable') expect(got).toBe(vector.result);
    },
  );
});
