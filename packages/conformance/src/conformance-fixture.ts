import { createHash, generateKeyPairSync, KeyObject, randomUUID, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createMemoryReplayStore,
  createMemoryRevocationList,
  type JsonWebKeyInput,
  type RevocationList,
  type RouteOptions,
  type SignHttpRequestOptions,
  signHttpRequest,
  type VerifierOptions,
} from '@service-jwt/core';
import { serveJwks } from '@service-jwt/testing';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import {
  createTransactionFixture,
  type TransactionFixture,
  type TxnMintOptions,
} from './transaction-fixture.js';

/** The service the conformance apps protect. */
export const AUDIENCE = 'https://census.service/';
/** The audience of the route that overrides it. */
export const ORDERS_AUDIENCE = 'https://orders.census.service/';
/** A calling service whose keys come from a JWKS server on loopback. */
export const HERALD = 'https://herald.service/';
/** A user service (identity provider) with a local public key. */
export const USERS = 'https://users.service/';
/** A trusted issuer whose JWKS URL points at a closed port. */
export const DOWN = 'https://down.service/';
/** Not configured anywhere. */
export const STRANGER = 'https://stranger.service/';
/** A jti revoked in the fixture's revocation list. */
export const REVOKED_JTI = 'revoked-jti-0001';
/** `maxBodyBytes` of the `/small` route. */
export const SMALL_BODY_LIMIT = 64;

// The replay store of the `/once` route, its own beside the app-wide one (one per test file).
const ONCE_STORE = createMemoryReplayStore();

/** Per-route overrides of the conformance routes. */
export const ROUTE_OPTIONS = {
  // Per-route replay: no record on a static-identity route although the app keeps one, and a
  // one-time route with a store of its own that requires jti and exp.
  static: { replay: false },
  once: { replay: { store: ONCE_STORE, required: true } },
  orders: { audience: ORDERS_AUDIENCE },
  admin: { claims: { role: 'admin' } },
  heraldOnly: { callers: { issuers: [HERALD] } },
  strict: { bodyHash: { algorithm: 'sha256', required: true } },
  small: { bodyHash: { algorithm: 'sha256', maxBodyBytes: SMALL_BODY_LIMIT } },
  // HTTP Message Signature binding: signed by the issuer's key, or by the key `cnf` confirms.
  signed: { httpSignature: { key: 'issuer' } },
  proof: { httpSignature: { key: 'cnf' } },
  signedSmall: {
    httpSignature: { key: 'issuer' },
    bodyHash: { algorithm: 'sha256', maxBodyBytes: SMALL_BODY_LIMIT },
  },
  // Transaction Tokens: the app-wide default is 'accept' (the verifier has transactionTokens).
  txnRequire: { transactionToken: 'require' },
  txnIgnore: { transactionToken: 'ignore' },
  txnScope: {
    transactionToken: { mode: 'require', claims: { scope: { includes: 'orders:write' } } },
  },
  txnContext: { transactionToken: { mode: 'require', context: { region: 'eu' } } },
} as const satisfies Record<string, RouteOptions>;

/** A request for {@link ConformanceFixture.signHttp}: what will go on the wire. */
export interface HttpSignatureTarget {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array | readonly (string | Uint8Array)[];
}

/** Who signs: Herald's JWKS key (`issuer`), or the proof key of {@link ConformanceFixture.proofJwk}. */
export type HttpSignatureSigner = Partial<SignHttpRequestOptions> & {
  readonly signer?: 'issuer' | 'proof';
};

/** Claims and header tweaks of a minted token. */
export interface MintOptions {
  readonly issuer?: string;
  readonly audience?: string | string[];
  readonly subject?: string;
  /** Issued-at, epoch seconds. @default the fixture's clock */
  readonly iat?: number;
  /** Lifetime in seconds from `iat`. @default 300 */
  readonly lifetime?: number;
  readonly nbf?: number;
  readonly jti?: string;
  /** `source` claim; `false` leaves it out. @default 'microservice' */
  readonly source?: string | false;
  readonly claims?: Readonly<Record<string, unknown>>;
  /** `kid` header of a JWKS-issuer token. @default 'herald-1' */
  readonly kid?: string;
}

/** Keys, servers, stores and verifier options shared by every row of one conformance run. */
export interface ConformanceFixture {
  readonly options: VerifierOptions;
  /** Epoch milliseconds the verifier's injected clock answers. */
  readonly nowMs: number;
  /** Signs with the key of `options.issuer` (Herald's JWKS key by default). */
  mint(options?: MintOptions): Promise<string>;
  /**
   * Signs exactly the given protected-header and payload JSON texts with Herald's ES256 key,
   * for tokens no JWT library would produce (duplicate members, `1e400`, BOMs, odd headers).
   */
  signRaw(headerJson: string, payloadJson: string): string;
  /** The public JWK of an Ed25519 proof key, for a `cnf: { jwk }` claim. */
  readonly proofJwk: Readonly<Record<string, unknown>>;
  /**
   * The `Signature-Input`, `Signature` and (with a body) `Content-Digest` headers of an
   * RFC 9421 signature over `target`, at the fixture's clock, by Herald's key by default.
   */
  signHttp(target: HttpSignatureTarget, options?: HttpSignatureSigner): Record<string, string>;
  /** Base64url SHA-256 of the exact bytes (the `bdy` value). */
  bodyHash(body: Uint8Array | string): string;
  /** A fresh unique jti. */
  jti(): string;
  /** A Txn-Token of the fixture's token service (or a stranger's), valid unless tweaked. */
  mintTxn(options?: TxnMintOptions): string;
  /** The Txn-Token side: the next hop forwarding is checked on. */
  readonly transaction: TransactionFixture;
  close(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await closeServer(server);
  return port;
}

/**
 * Builds the fixture: an ES256 key pair for Herald served by a loopback JWKS server, an
 * EdDSA key pair for the user service configured as a local public key, a memory replay store
 * (`required: false`: tokens without `jti` pass, tokens with one are one-time), a memory
 * revocation list with {@link REVOKED_JTI} revoked, SHA-256 body hashes, and a fixed clock.
 */
export async function createConformanceFixture(): Promise<ConformanceFixture> {
  const nowMs = Math.floor(Date.now() / 1000) * 1000;
  const nowSeconds = nowMs / 1000;
  const now = () => nowMs;

  const herald = await generateKeyPair('ES256', { extractable: true });
  const users = await generateKeyPair('EdDSA', { extractable: true });
  const heraldJwk: JWK = {
    ...(await exportJWK(herald.publicKey)),
    kid: 'herald-1',
    alg: 'ES256',
    use: 'sig',
  };
  const usersJwk: JsonWebKeyInput = {
    ...(await exportJWK(users.publicKey)),
    kty: 'OKP',
    alg: 'EdDSA',
    use: 'sig',
  };

  const jwksServer = await serveJwks({ keys: [heraldJwk as JsonWebKeyInput] });
  const downPort = await closedPort();

  const revocation: RevocationList = createMemoryRevocationList({ now });
  await revocation.revokeToken(HERALD, REVOKED_JTI, nowSeconds + 3600);

  // Herald and Down are workloads of the trust domain; the user service is not.
  const transaction = await createTransactionFixture(nowSeconds, downPort, [HERALD, DOWN]);
  const options: VerifierOptions = {
    issuers: {
      [HERALD]: {
        jwksUri: jwksServer.url,
        allowInsecureHttp: true,
        timeout: 2000,
      },
      [USERS]: { publicKey: usersJwk },
      [DOWN]: {
        jwksUri: `http://127.0.0.1:${downPort}/jwks.json`,
        allowInsecureHttp: true,
        timeout: 2000,
      },
    },
    audience: AUDIENCE,
    replay: { store: createMemoryReplayStore({ now }), required: false },
    revocation,
    bodyHash: { algorithm: 'sha256' },
    now,
    transactionTokens: transaction.options,
  };

  const mint = async (mintOptions: MintOptions = {}): Promise<string> => {
    const issuer = mintOptions.issuer ?? HERALD;
    const iat = mintOptions.iat ?? nowSeconds;
    const payload: Record<string, unknown> = { ...mintOptions.claims };
    if (mintOptions.source !== false) payload.source = mintOptions.source ?? 'microservice';
    if (mintOptions.nbf !== undefined) payload.nbf = mintOptions.nbf;
    const jwt = new SignJWT(payload)
      .setIssuer(issuer)
      .setAudience(mintOptions.audience ?? AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + (mintOptions.lifetime ?? 300));
    if (mintOptions.subject !== undefined) jwt.setSubject(mintOptions.subject);
    if (mintOptions.jti !== undefined) jwt.setJti(mintOptions.jti);
    if (issuer === USERS) {
      return jwt.setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' }).sign(users.privateKey);
    }
    // Herald's key also signs the tokens of untrusted or unreachable issuers.
    return jwt
      .setProtectedHeader({ alg: 'ES256', kid: mintOptions.kid ?? 'herald-1', typ: 'JWT' })
      .sign(herald.privateKey);
  };

  const heraldKey = KeyObject.from(herald.privateKey);
  const signRaw = (headerJson: string, payloadJson: string): string => {
    const input = `${Buffer.from(headerJson).toString('base64url')}.${Buffer.from(payloadJson).toString('base64url')}`;
    const signature = sign('sha256', Buffer.from(input), {
      key: heraldKey,
      dsaEncoding: 'ieee-p1363',
    });
    return `${input}.${signature.toString('base64url')}`;
  };

  const proof = generateKeyPairSync('ed25519');
  const proofJwk = proof.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const signHttp = (target: HttpSignatureTarget, options: HttpSignatureSigner = {}) => {
    const { signer, ...signing } = options;
    const body = Array.isArray(target.body)
      ? Buffer.concat((target.body as readonly (string | Uint8Array)[]).map((c) => Buffer.from(c)))
      : (target.body as string | Uint8Array | undefined);
    const added = signHttpRequest(
      { method: target.method, url: target.path, headers: target.headers, body },
      {
        key: signer === 'proof' ? proof.privateKey : heraldKey,
        now: () => nowMs,
        ...signing,
      },
    );
    return { ...added };
  };

  return {
    options,
    nowMs,
    mint,
    signRaw,
    proofJwk,
    signHttp,
    bodyHash: (bytes) => createHash('sha256').update(bytes).digest('base64url'),
    jti: () => randomUUID(),
    mintTxn: transaction.mintTxn,
    transaction,
    close: async () => {
      await transaction.close();
      await jwksServer.close();
    },
  };
}
