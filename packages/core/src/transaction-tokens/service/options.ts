import { configurationError } from '../../errors/refusals.js';
import type { Algorithm } from '../../jws/algorithms.js';
import type { Logger } from '../../observability/logger.js';
import type { SignerKeys } from '../../signer/key-list.js';
import type { ServiceJwtVerifier } from '../../verify/verifier-interface.js';

/** What {@link TransactionTokenServiceOptions.verifySubjectToken} learned about a subject token. */
export interface SubjectTokenInfo {
  /** The principal: becomes the Txn-Token's `sub`. */
  readonly sub: string;
  /**
   * The scope the subject token carries (space-separated or a list). Without it and without a
   * `scopePolicy`, the request is refused: an unknown scope is never taken as unconstrained
   * (draft-ietf-oauth-transaction-tokens-10 §"Unknown subject_token scope").
   */
  readonly scope?: string | readonly string[];
  /** The subject token's expiry (seconds since the epoch); a passed one is refused. */
  readonly exp?: number;
  readonly [claim: string]: unknown;
}

/** What the subject-token verifier is given besides the token. */
export interface SubjectTokenContext {
  /** `subject_token_type` as sent. */
  readonly type: string;
  /** The authenticated workload asking (`req_wl`). */
  readonly workload: string;
  /** Aborted when `subjectTokenTimeout` passes: hand it to an introspection call. */
  readonly signal: AbortSignal;
}

/** Input of {@link TransactionTokenServiceOptions.scopePolicy}. */
export interface ScopePolicyInput {
  readonly subject: SubjectTokenInfo;
  readonly workload: string;
  /** The requested scope's words. */
  readonly requested: readonly string[];
}

/** Input of {@link TransactionTokenServiceOptions.buildContext}. */
export interface ContextInput {
  /** `request_context`, parsed (a prototype-less object), when sent. */
  readonly requestContext: Readonly<Record<string, unknown>> | undefined;
  /** `request_details`, parsed, when sent. */
  readonly requestDetails: Readonly<Record<string, unknown>> | undefined;
  readonly subject: SubjectTokenInfo;
  readonly workload: string;
}

/** The `rctx` and `tctx` a Txn-Token will carry (absent: the claim is left out). */
export interface TransactionContexts {
  readonly rctx?: Readonly<Record<string, unknown>>;
  readonly tctx?: Readonly<Record<string, unknown>>;
}

/** Options of `createTransactionTokenService`. */
export interface TransactionTokenServiceOptions {
  /** The trust domain: the only accepted `audience` parameter and every Txn-Token's `aud`. */
  readonly trustDomain: string;
  /** The service's name, stamped as `iss`; verifiers find its keys by it. */
  readonly issuer: string;
  /**
   * Signing keys, in any form `createSigner` takes except shared secrets: private JWKs, PEM,
   * `KeyObject`s, JWK set text or objects, remote keys (KMS, HSM, sidecar). The first signs,
   * all are published by `jwks()`. Every workload of the trust domain verifies Txn-Tokens, so a
   * secret would let each of them mint one: `oct` keys are refused.
   */
  readonly keys: SignerKeys;
  /** The algorithm of keys that name none. @default by key type */
  readonly algorithm?: Algorithm;
  /**
   * Authenticates the calling workload by its own service token (`Authorization: Bearer`),
   * with every check the verifier is configured for (audience, source, request binding).
   * The token's `iss` becomes `req_wl`.
   */
  readonly workloadVerifier: ServiceJwtVerifier;
  /** The workloads (service-token `iss` values) allowed to request Txn-Tokens. */
  readonly workloads: readonly string[];
  /**
   * Checks the user's credential (`subject_token`) and says who it is. Reject with a 4xx
   * `ServiceJwtError`, or resolve to `null`, to refuse it (`invalid_grant`); a 5xx
   * `ServiceJwtError` (`keys_unavailable`) answers 503. Anything else thrown is a bug: 500.
   * `createVerifier(...).verifyToken` fits in one line:
   * `(token) => userVerifier.verifyToken(token).then((v) => ({ ...v.claims, sub: v.subject }))`.
   */
  readonly verifySubjectToken: (
    token: string,
    context: SubjectTokenContext,
  ) => Promise<SubjectTokenInfo | null> | SubjectTokenInfo | null;
  /**
   * Accepted `subject_token_type` values (besides the Txn-Token type, which asks for a
   * replacement). The refresh-token type is never accepted.
   * @default ['urn:ietf:params:oauth:token-type:access_token', 'urn:ietf:params:oauth:token-type:jwt']
   */
  readonly subjectTokenTypes?: readonly string[];
  /**
   * The scope a subject may be granted through this workload; the requested scope must lie
   * within it. @default the subject token's own `scope` (refused when it has none)
   */
  readonly scopePolicy?: (
    input: ScopePolicyInput,
  ) => readonly string[] | Promise<readonly string[]>;
  /**
   * Builds `rctx` and `tctx`; the service is authoritative for both (draft §"Txn-Token Request
   * Processing"). @default `request_context` as `rctx`, `request_details` as `tctx`, verbatim
   */
  readonly buildContext?: (
    input: ContextInput,
  ) => TransactionContexts | Promise<TransactionContexts>;
  /** Txn-Token lifetime in seconds, 1 to 900. @default 300 */
  readonly lifetime?: number;
  /** How many times one transaction's token may be replaced, 0 to 32. @default 8 */
  readonly maxReplacements?: number;
  /** Deadline of one `verifySubjectToken` call, milliseconds. @default 5000 */
  readonly subjectTokenTimeout?: number;
  /** Largest accepted form body, bytes. @default 65536 */
  readonly maxBodyBytes?: number;
  /** Largest accepted `request_context` / `request_details` JSON text, bytes. @default 2048 */
  readonly maxContextBytes?: number;
  /**
   * Largest Txn-Token minted, bytes: a request whose contexts would make it larger is refused
   * (`invalid_request`). The default is what core's verifiers accept by default
   * (`maxTokenLength`), so every workload can read what is minted. @default 8192
   */
  readonly maxTokenBytes?: number;
  /** Deepest accepted nesting of `request_context` / `request_details`. @default 5 */
  readonly maxContextDepth?: number;
  /** `realm` of the `WWW-Authenticate` challenge sent with `invalid_client`. @default 'txn-token-service' */
  readonly realm?: string;
  /**
   * Where issuances (`info`: `txn`, `req_wl`, the token's SHA-256, never the token), refusals
   * (`debug`) and failures (`error`, with the cause chain) are logged. @default no logging
   */
  readonly logger?: Logger;
  /** Injectable clock, epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/** The options after validation, defaults filled in. */
export interface ResolvedServiceOptions {
  readonly trustDomain: string;
  readonly issuer: string;
  readonly workloadVerifier: ServiceJwtVerifier;
  readonly workloads: ReadonlySet<string>;
  readonly verifySubjectToken: TransactionTokenServiceOptions['verifySubjectToken'];
  readonly subjectTokenTypes: ReadonlySet<string>;
  readonly scopePolicy: TransactionTokenServiceOptions['scopePolicy'];
  readonly buildContext: TransactionTokenServiceOptions['buildContext'];
  readonly lifetime: number;
  readonly maxReplacements: number;
  readonly subjectTokenTimeout: number;
  readonly maxBodyBytes: number;
  readonly maxContextBytes: number;
  readonly maxContextDepth: number;
  readonly maxTokenBytes: number;
  readonly realm: string;
  readonly now: () => number;
}

/** The longest lifetime a Txn-Token may be given: "minutes at most" (draft §"Txn-Token Lifetime"). */
export const MAX_TXN_TOKEN_LIFETIME = 900;
export const REFRESH_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:refresh_token';
const DEFAULT_SUBJECT_TOKEN_TYPES = [
  'urn:ietf:params:oauth:token-type:access_token',
  'urn:ietf:params:oauth:token-type:jwt',
];

function nonEmptyString(value: unknown, option: string, fix: string): string {
  if (typeof value !== 'string' || value === '') {
    throw configurationError(`${option} must be a non-empty string: ${fix}`);
  }
  return value;
}

function wholeNumber(value: unknown, option: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw configurationError(`${option} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function optionalFunction(value: unknown, option: string): void {
  if (value !== undefined && typeof value !== 'function') {
    throw configurationError(`${option} must be a function`);
  }
}

function stringList(value: unknown, option: string, fix: string): string[] {
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((item) => typeof item === 'string' && item !== '')
  ) {
    throw configurationError(`${option} must be a non-empty array of non-empty strings: ${fix}`);
  }
  return value as string[];
}

/**
 * Validates the options of `createTransactionTokenService` (keys are read by the minter).
 *
 * @throws ServiceJwtError `configuration_error` naming the option and the fix.
 */
export function resolveServiceOptions(
  options: TransactionTokenServiceOptions,
): ResolvedServiceOptions {
  if (typeof options !== 'object' || options === null) {
    throw configurationError('createTransactionTokenService options are required');
  }
  const trustDomain = nonEmptyString(
    options.trustDomain,
    'trustDomain',
    "the trust domain's name, every Txn-Token's aud",
  );
  const issuer = nonEmptyString(
    options.issuer,
    'issuer',
    "the token service's name, stamped as iss",
  );
  const verifier = options.workloadVerifier as Partial<ServiceJwtVerifier> | undefined;
  if (typeof verifier?.verify !== 'function') {
    throw configurationError(
      'workloadVerifier is required: a createVerifier(...) verifier for the calling workloads’ service tokens',
    );
  }
  const workloads = stringList(
    options.workloads,
    'workloads',
    'the service-token issuers allowed to request Txn-Tokens',
  );
  if (typeof options.verifySubjectToken !== 'function') {
    throw configurationError(
      'verifySubjectToken must be a function checking the subject_token (the user credential)',
    );
  }
  const types = stringList(
    options.subjectTokenTypes ?? DEFAULT_SUBJECT_TOKEN_TYPES,
    'subjectTokenTypes',
    'the subject_token_type URIs to accept',
  );
  if (types.includes(REFRESH_TOKEN_TYPE)) {
    throw configurationError(
      'subjectTokenTypes must not hold the refresh-token type: refresh tokens never buy Txn-Tokens',
    );
  }
  optionalFunction(options.scopePolicy, 'scopePolicy');
  optionalFunction(options.buildContext, 'buildContext');
  optionalFunction(options.now, 'now');
  return {
    trustDomain,
    issuer,
    workloadVerifier: options.workloadVerifier,
    workloads: new Set(workloads),
    verifySubjectToken: options.verifySubjectToken,
    subjectTokenTypes: new Set(types),
    scopePolicy: options.scopePolicy,
    buildContext: options.buildContext,
    lifetime: wholeNumber(options.lifetime ?? 300, 'lifetime', 1, MAX_TXN_TOKEN_LIFETIME),
    maxReplacements: wholeNumber(options.maxReplacements ?? 8, 'maxReplacements', 0, 32),
    subjectTokenTimeout: wholeNumber(
      options.subjectTokenTimeout ?? 5000,
      'subjectTokenTimeout',
      1,
      120_000,
    ),
    maxBodyBytes: wholeNumber(options.maxBodyBytes ?? 65_536, 'maxBodyBytes', 1024, 1_048_576),
    maxContextBytes: wholeNumber(options.maxContextBytes ?? 2048, 'maxContextBytes', 2, 65_536),
    maxTokenBytes: wholeNumber(options.maxTokenBytes ?? 8192, 'maxTokenBytes', 1024, 65_536),
    maxContextDepth: wholeNumber(options.maxContextDepth ?? 5, 'maxContextDepth', 1, 32),
    realm:
      options.realm === undefined
        ? 'txn-token-service'
        : nonEmptyString(options.realm, 'realm', 'the WWW-Authenticate realm'),
    now: options.now ?? Date.now,
  };
}
