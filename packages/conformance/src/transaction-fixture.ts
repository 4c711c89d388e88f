import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { createServer } from 'node:http';
import {
  createServiceFetch,
  createSigner,
  type JsonWebKeyInput,
  type TransactionTokenOptions,
} from '@service-jwt/core';
import { type Loopback, listenOnLoopback } from './loopback.js';

/** The token service the conformance apps trust, with a local public key. */
export const TOKEN_SERVICE = 'https://txn.census.service/';
/** A trusted token service whose JWKS URL points at a closed port. */
export const TOKEN_SERVICE_DOWN = 'https://txn-down.census.service/';
/** The trust domain, the `aud` of every Txn-Token. */
export const TRUST_DOMAIN = 'https://census.trust/';

/** Claim and header tweaks of a minted Txn-Token. */
export interface TxnMintOptions {
  /** Claims over the valid defaults; an `undefined` value removes the claim. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** `'stranger'` signs with a key no one trusts (under the trusted `iss` unless changed). */
  readonly signer?: 'token-service' | 'stranger';
  /** The `typ` header. @default 'txntoken+jwt' */
  readonly typ?: string;
}

/** Txn-Tokens, the verifier's `transactionTokens`, and the loopback hop forwarding is checked on. */
export interface TransactionFixture {
  readonly options: TransactionTokenOptions;
  mintTxn(options?: TxnMintOptions): string;
  /**
   * Calls the next hop through `createServiceFetch` and resolves the SHA-256 of the Txn-Token
   * it received, `null` for none. Called by the handler of a route, inside its request.
   */
  forward(): Promise<string | null>;
  close(): Promise<void>;
}

/** Base64url SHA-256 of a Txn-Token: how rows name the token they sent. */
export function txnHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Builds the Txn-Token side of the conformance fixture: an Ed25519 token service key, a
 * second token service on a closed port, a hop that answers with the hash of the `Txn-Token`
 * it got, and a service fetch to it with a throwaway signer.
 */
export async function createTransactionFixture(
  nowSeconds: number,
  closedPort: number,
  workloads: readonly string[],
): Promise<TransactionFixture> {
  const service = generateKeyPairSync('ed25519');
  const stranger = generateKeyPairSync('ed25519');
  const publicKey: JsonWebKeyInput = {
    ...(service.publicKey.export({ format: 'jwk' }) as JsonWebKeyInput),
    alg: 'EdDSA',
    use: 'sig',
  };
  const hop: Loopback = await listenOnLoopback(
    createServer((req, res) => {
      const token = req.headers['txn-token'];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ hash: typeof token === 'string' ? txnHash(token) : null }));
    }),
  );
  const caller = generateKeyPairSync('ed25519');
  const callHop = createServiceFetch({
    signer: createSigner({ issuer: 'https://census.service/', keys: caller.privateKey }),
    audience: 'https://next-hop.census.service/',
  });

  const mintTxn = (options: TxnMintOptions = {}): string => {
    const claims: Record<string, unknown> = {
      iss: TOKEN_SERVICE,
      aud: TRUST_DOMAIN,
      iat: nowSeconds - 5,
      exp: nowSeconds + 120,
      txn: 'c1a4e0b2-8f0e-4a8e-9d4c-3c2f7b9a1e55',
      sub: 'user-42',
      scope: 'orders:read orders:write',
      req_wl: 'https://gateway.census.service/',
      tctx: { region: 'eu', basket: 3 },
      rctx: { req_ip: '203.0.113.9' },
    };
    for (const [name, value] of Object.entries(options.claims ?? {})) {
      if (value === undefined) delete claims[name];
      else claims[name] = value;
    }
    const input = `${json({ alg: 'EdDSA', typ: options.typ ?? 'txntoken+jwt' })}.${json(claims)}`;
    const key = options.signer === 'stranger' ? stranger.privateKey : service.privateKey;
    return `${input}.${sign(null, Buffer.from(input), key).toString('base64url')}`;
  };

  return {
    options: {
      trustDomain: TRUST_DOMAIN,
      issuers: {
        [TOKEN_SERVICE]: { publicKey },
        [TOKEN_SERVICE_DOWN]: {
          jwksUri: `http://127.0.0.1:${closedPort}/txn-jwks.json`,
          allowInsecureHttp: true,
          timeout: 2000,
        },
      },
      workloads,
    },
    mintTxn,
    async forward() {
      const response = await callHop(`${hop.url}/next`);
      return ((await response.json()) as { hash: string | null }).hash;
    },
    close: () => hop.close(),
  };
}
