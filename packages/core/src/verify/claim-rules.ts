import { ServiceJwtError } from '../errors/service-jwt-error.js';
import type { CallerRules, ClaimRule, ClaimRules, SourceRule } from './options.js';
import type { ServiceJwtClaims } from './result.js';

/** Authorization rules over verified claims: the part of a route policy that needs no key. */
export interface ClaimCheckRules {
  /**
   * The service-source check; `false` disables it.
   * @default { claim: 'source', value: 'microservice' }
   */
  readonly source?: SourceRule | false;
  /** Claims that must be present (401 `claim_missing`). */
  readonly requiredClaims?: readonly string[];
  /** Rules per claim (403 `claim_check_failed`). */
  readonly claims?: ClaimRules;
  /** Allowed issuers and/or subjects (403 `caller_not_allowed`). */
  readonly callers?: CallerRules;
}

/** A compiled {@link ClaimCheckRules}: throws the first failing check's error. */
export type ClaimsCheck = (claims: Readonly<Record<string, unknown>>) => void;

type Matcher = (value: unknown, claims: Readonly<Record<string, unknown>>) => boolean;

function configError(message: string): ServiceJwtError {
  return new ServiceJwtError('configuration_error', message);
}

function isStringList(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string' && item !== '');
}

/** JSON deep equality: same members, same values, arrays in order; prototypes ignored. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  for (const key of keysA) {
    if (!Object.hasOwn(b, key)) return false;
    if (!deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) {
      return false;
    }
  }
  return true;
}

function includesAll(value: unknown, wanted: readonly string[]): boolean {
  if (typeof value === 'string') {
    const words = value.split(' ');
    return wanted.every((word) => words.includes(word));
  }
  return Array.isArray(value) && wanted.every((item) => value.includes(item));
}

function compileRule(rule: ClaimRule, path: string): Matcher {
  if (typeof rule === 'function') return rule as Matcher;
  if (typeof rule === 'string' || typeof rule === 'number' || typeof rule === 'boolean') {
    if (typeof rule === 'number' && !Number.isFinite(rule)) {
      throw configError(`${path} must be a finite number`);
    }
    return (value) => value === rule;
  }
  if (typeof rule !== 'object' || rule === null) {
    throw configError(`${path} must be a value, { equals }, { includes }, { oneOf } or a function`);
  }
  const keys = Object.keys(rule);
  if (keys.length !== 1) {
    throw configError(`${path} must have exactly one of equals, includes, oneOf`);
  }
  if ('equals' in rule) {
    const expected = rule.equals;
    return (value) => deepEqual(value, expected);
  }
  if ('includes' in rule) {
    const wanted = typeof rule.includes === 'string' ? [rule.includes] : rule.includes;
    if (!isStringList(wanted) || wanted.length === 0) {
      throw configError(`${path}.includes must be a non-empty string or list of strings`);
    }
    const list = [...wanted];
    return (value) => includesAll(value, list);
  }
  if ('oneOf' in rule) {
    if (!Array.isArray(rule.oneOf) || rule.oneOf.length === 0) {
      throw configError(`${path}.oneOf must be a non-empty array`);
    }
    const options = [...rule.oneOf];
    return (value) => options.some((option) => deepEqual(value, option));
  }
  throw configError(`${path} must have exactly one of equals, includes, oneOf`);
}

function compileSource(source: SourceRule | false | undefined, path: string): ClaimsCheck | null {
  if (source === false) return null;
  if (source !== undefined && (typeof source !== 'object' || source === null)) {
    throw configError(`${path} must be an object or false`);
  }
  for (const key of Object.keys(source ?? {})) {
    if (key !== 'claim' && key !== 'value') throw configError(`${path}.${key} is not an option`);
  }
  const claim = source?.claim ?? 'source';
  if (typeof claim !== 'string' || claim === '') {
    throw configError(`${path}.claim must be a non-empty string`);
  }
  const raw = source?.value ?? 'microservice';
  const values = typeof raw === 'string' ? [raw] : raw;
  if (!isStringList(values) || values.length === 0) {
    throw configError(`${path}.value must be a non-empty string or list of strings`);
  }
  const accepted = new Set(values);
  return (claims) => {
    const value = claims[claim];
    if (typeof value !== 'string' || !accepted.has(value)) {
      throw new ServiceJwtError('source_mismatch', 'token is not a service token');
    }
  };
}

/**
 * Validates `rules` once and returns the check. `prefix` is prepended to option names in
 * configuration errors (`''` for the top level, `'forRoute '` for route overrides, …).
 *
 * @throws ServiceJwtError `configuration_error` naming the bad rule
 */
export function compileClaimsCheck(rules: ClaimCheckRules, prefix = ''): ClaimsCheck {
  const checks: ClaimsCheck[] = [];
  const source = compileSource(rules.source, `${prefix}source`);
  if (source !== null) checks.push(source);
  if (rules.requiredClaims !== undefined) {
    if (!isStringList(rules.requiredClaims)) {
      throw configError(`${prefix}requiredClaims must be a list of claim names`);
    }
    const required = [...rules.requiredClaims];
    checks.push((claims) => {
      for (const name of required) {
        if (claims[name] === undefined) {
          throw new ServiceJwtError('claim_missing', `token lacks the required claim "${name}"`);
        }
      }
    });
  }
  if (rules.claims !== undefined) {
    if (typeof rules.claims !== 'object' || rules.claims === null) {
      throw configError(`${prefix}claims must be an object of claim rules`);
    }
    const matchers: Array<[string, Matcher]> = Object.keys(rules.claims).map((name) => [
      name,
      compileRule((rules.claims as ClaimRules)[name] as ClaimRule, `${prefix}claims.${name}`),
    ]);
    if (matchers.length > 0) {
      checks.push((claims) => {
        for (const [name, matches] of matchers) {
          if (matches(claims[name], claims) !== true) {
            throw new ServiceJwtError('claim_check_failed', `claim "${name}" is not accepted`);
          }
        }
      });
    }
  }
  if (rules.callers !== undefined)
    checks.push(...compileCallers(rules.callers, `${prefix}callers`));
  if (checks.length === 0) return () => {};
  if (checks.length === 1) return checks[0] as ClaimsCheck;
  return (claims) => {
    for (const check of checks) check(claims);
  };
}

function compileCallers(callers: CallerRules, path: string): ClaimsCheck[] {
  if (typeof callers !== 'object' || callers === null)
    throw configError(`${path} must be an object`);
  const checks: ClaimsCheck[] = [];
  for (const key of Object.keys(callers)) {
    if (key !== 'issuers' && key !== 'subjects')
      throw configError(`${path}.${key} is not an option`);
  }
  for (const [kind, claim] of [
    ['issuers', 'iss'],
    ['subjects', 'sub'],
  ] as const) {
    const list = callers[kind];
    if (list === undefined) continue;
    if (!isStringList(list)) throw configError(`${path}.${kind} must be a list of strings`);
    if (list.length === 0) continue;
    const allowed = new Set(list);
    checks.push((claims) => {
      const value = claims[claim];
      if (typeof value !== 'string' || !allowed.has(value)) {
        throw new ServiceJwtError('caller_not_allowed', 'caller is not allowed on this route');
      }
    });
  }
  return checks;
}

/**
 * Validates claim rules once and returns a check to run on each claims object: the same
 * `source`, `requiredClaims`, per-claim rules and allowed callers as {@link checkClaims}, in
 * that order, without re-validating the rules on every call. Signature, issuer trust,
 * audience and expiry are *not* checked.
 *
 * @default rules `{}` (only the default `source` check: `source` must be `microservice`)
 * @throws ServiceJwtError `configuration_error` naming the invalid rule (here); the returned
 *   check throws `source_mismatch` (403), `claim_missing` (401), `claim_check_failed` (403)
 *   or `caller_not_allowed` (403)
 * @example
 * ```ts
 * const check = createClaimsCheck({ callers: { issuers: ['https://users.internal'] } });
 * check(event.requestContext.authorizer.jwt.claims); // per request
 * ```
 */
export function createClaimsCheck(rules: ClaimCheckRules = {}): ClaimsCheck {
  if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) {
    throw configError('claim rules must be an object');
  }
  return compileClaimsCheck(rules);
}

/**
 * Checks authorization rules on claims that were already verified elsewhere (for example by
 * a managed gateway's JWT authorizer): `source`, `requiredClaims`, per-claim rules and
 * allowed callers, in that order. Signature, issuer trust, audience and expiry are *not*
 * checked here.
 *
 * @throws ServiceJwtError `source_mismatch` (403), `claim_missing` (401),
 *   `claim_check_failed` (403), `caller_not_allowed` (403), or `configuration_error` for
 *   invalid rules
 * @example
 * ```ts
 * checkClaims(event.requestContext.authorizer.jwt.claims, {
 *   claims: { 'st-ev': (v) => (v as { v?: boolean })?.v === true },
 *   callers: { issuers: ['https://users.internal'] },
 * });
 * ```
 */
export function checkClaims(
  claims: ServiceJwtClaims | Readonly<Record<string, unknown>>,
  rules: ClaimCheckRules = {},
): void {
  createClaimsCheck(rules)(claims);
}
