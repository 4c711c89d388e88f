import { txnTokenClaimCheckFailed } from '../errors/refusals.js';
import { isServiceJwtError } from '../errors/service-jwt-error.js';
import { compileClaimsCheck } from '../verify/claim-rules.js';
import { fail, isObject, positive, rejectUnknown } from '../verify/option-checks.js';
import type { ClaimRules } from '../verify/options.js';
import { type ResolvedIssuers, resolveIssuerMap } from '../verify/resolve-issuers.js';
import type { TransactionTokenOptions, TransactionTokenRouteOption } from './options.js';

// The Txn-Token options resolved once: the verifier-wide trust (token services, trust domain,
// workloads) and each route's mode and compiled rules. A route that ignores Txn-Tokens
// resolves to `null`, so the request path pays one comparison for it.

/** The draft's "short-lived": a few minutes. */
const DEFAULT_MAX_LIFETIME = 300;
const OPTION_KEYS = new Set(['trustDomain', 'issuers', 'maxLifetime', 'workloads']);
const ROUTE_KEYS = new Set(['mode', 'claims', 'context']);
const MODES = new Set(['require', 'accept', 'ignore']);

/** `transactionTokens` with defaults filled in. */
export interface ResolvedTransactionTokens {
  readonly trustDomain: string;
  readonly issuers: ResolvedIssuers;
  /** Union of the token services' algorithms: anything else fails before a key lookup. */
  readonly algorithms: ReadonlySet<string>;
  readonly maxLifetime: number;
  readonly workloads: ReadonlySet<string>;
}

/** A route that reads Txn-Tokens: whether one is required, and its compiled rules. */
export interface ResolvedTransactionRoute {
  readonly required: boolean;
  /** Throws `txn_token_claim_check_failed` naming the first failing claim. */
  readonly check: ((claims: Readonly<Record<string, unknown>>) => void) | null;
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/**
 * Validates `transactionTokens`; `trusted` are the verifier's own issuers, the default
 * workloads.
 *
 * @throws ServiceJwtError `configuration_error` naming the option
 */
export function resolveTransactionTokens(
  value: TransactionTokenOptions | undefined,
  trusted: Iterable<string>,
): ResolvedTransactionTokens | null {
  if (value === undefined) return null;
  const name = 'transactionTokens';
  if (!isObject(value)) fail(`${name} must be an object`);
  rejectUnknown(value, OPTION_KEYS, `${name}: `);
  if (!nonEmptyString(value.trustDomain)) {
    fail(`${name}.trustDomain must be a non-empty string (the aud of every Txn-Token)`);
  }
  if (isObject(value.issuers)) {
    for (const [issuer, keys] of Object.entries(value.issuers)) {
      if (isObject(keys) && 'secret' in keys) {
        fail(
          `${name}.issuers[${JSON.stringify(issuer)}].secret: a token service must sign with a private key (publicKey, keys, jwksUri or discovery), or every holder of the secret could mint Txn-Tokens`,
        );
      }
    }
  }
  const issuers = resolveIssuerMap(value.issuers, undefined, `${name}.issuers`);
  const algorithms = new Set<string>();
  for (const { algorithms: list } of issuers.values()) for (const alg of list) algorithms.add(alg);
  const workloads = value.workloads ?? [...trusted];
  if (!Array.isArray(workloads) || !workloads.every(nonEmptyString)) {
    fail(`${name}.workloads must be a list of service token issuers (iss values)`);
  }
  return Object.freeze({
    trustDomain: value.trustDomain,
    issuers,
    algorithms,
    maxLifetime: positive(value.maxLifetime, `${name}.maxLifetime`) ?? DEFAULT_MAX_LIFETIME,
    workloads: new Set(workloads),
  });
}

type RuleCheck = readonly [string, (claims: Readonly<Record<string, unknown>>) => void];

function compileRules(rules: unknown, route: string, kind: 'claims' | 'context'): RuleCheck[] {
  if (rules === undefined) return [];
  if (!isObject(rules)) fail(`${route}.${kind} must be an object of claim rules`);
  // One compiled check per claim, so that a refusal names the claim that failed. The rules
  // are core's claim rules; only the option path in their messages is this option's.
  return Object.keys(rules).map((claim): RuleCheck => {
    const rule = { [claim]: (rules as ClaimRules)[claim] } as ClaimRules;
    try {
      return [
        kind === 'claims' ? claim : `tctx.${claim}`,
        compileClaimsCheck({ source: false, claims: rule }, `${route}.`),
      ];
    } catch (err) {
      if (kind === 'claims' || !isServiceJwtError(err)) throw err;
      return fail(err.message.replace(`${route}.claims.`, `${route}.context.`));
    }
  });
}

function runChecks(checks: readonly RuleCheck[]) {
  return (
    claims: Readonly<Record<string, unknown>>,
    context: Readonly<Record<string, unknown>>,
  ) => {
    for (const [name, check] of checks) {
      try {
        check(name.startsWith('tctx.') ? context : claims);
      } catch (err) {
        if (isServiceJwtError(err) && err.code === 'claim_check_failed') {
          throw txnTokenClaimCheckFailed(name);
        }
        throw err;
      }
    }
  };
}

/**
 * Resolves a route's `transactionToken` (already merged over the verifier's); `null` when the
 * route ignores Txn-Tokens.
 *
 * @throws ServiceJwtError `configuration_error` naming the option
 */
export function resolveTransactionRoute(
  value: TransactionTokenRouteOption | undefined,
  configured: boolean,
  name: string,
): ResolvedTransactionRoute | null {
  if (value === undefined) value = configured ? 'accept' : 'ignore';
  const policy = typeof value === 'string' ? { mode: value } : value;
  if (!isObject(policy))
    fail(`${name} must be 'require', 'accept', 'ignore' or { mode, claims, context }`);
  rejectUnknown(policy, ROUTE_KEYS, `${name}: `);
  if (!MODES.has(policy.mode as string)) {
    fail(`${name}.mode must be 'require', 'accept' or 'ignore'`);
  }
  if (policy.mode === 'ignore') return null;
  if (!configured) {
    fail(
      `${name}: '${policy.mode}' needs the verifier option transactionTokens (trustDomain and the token services' keys)`,
    );
  }
  const checks = [
    ...compileRules(policy.claims, name, 'claims'),
    ...compileRules(policy.context, name, 'context'),
  ];
  const run = runChecks(checks);
  return Object.freeze({
    required: policy.mode === 'require',
    check:
      checks.length === 0
        ? null
        : (claims: Readonly<Record<string, unknown>>) => {
            const tctx = claims.tctx;
            run(claims, isObject(tctx) ? tctx : {});
          },
  });
}
