import { isServiceJwtError } from '../../errors/service-jwt-error.js';
import { TIMED_OUT, withDeadline } from '../../signer/deadline.js';
import type { ResolvedServiceOptions, SubjectTokenInfo } from './options.js';
import { refuse } from './token-endpoint-response.js';

const MAX_SUB_LENGTH = 1024;

/** Checks the shape of what the configured verifier returned: a wrong shape is a bug (500). */
function checkInfo(info: SubjectTokenInfo, nowSeconds: number): SubjectTokenInfo {
  if (typeof info !== 'object') {
    refuse('server_error', 'verifySubjectToken must resolve to { sub, scope?, exp? } or null');
  }
  if (typeof info.sub !== 'string' || info.sub === '' || info.sub.length > MAX_SUB_LENGTH) {
    refuse(
      'server_error',
      `verifySubjectToken must resolve to a sub of 1 to ${MAX_SUB_LENGTH} characters`,
    );
  }
  if (info.exp !== undefined && !(typeof info.exp === 'number' && info.exp > nowSeconds)) {
    // draft §"Txn-Token Lifetime": no Txn-Token for a credential whose time has passed.
    refuse('invalid_grant', 'the subject token has expired');
  }
  return info;
}

/**
 * Runs the configured subject-token verifier under its deadline. `null` or a 4xx
 * `ServiceJwtError` is `invalid_grant` (its code is named, the token never); a 5xx one or a
 * missed deadline is `temporarily_unavailable` (503); anything else thrown is `server_error`.
 */
export async function verifySubject(
  options: ResolvedServiceOptions,
  token: string,
  type: string,
  workload: string,
): Promise<SubjectTokenInfo> {
  let outcome: SubjectTokenInfo | null | typeof TIMED_OUT;
  try {
    outcome = await withDeadline(
      (signal) => options.verifySubjectToken(token, { type, workload, signal }),
      options.subjectTokenTimeout,
    );
  } catch (err) {
    if (isServiceJwtError(err) && err.status < 500) {
      refuse('invalid_grant', `the subject token was refused (${err.code})`);
    }
    if (isServiceJwtError(err)) {
      refuse('temporarily_unavailable', 'the subject token could not be checked now', {
        cause: err,
      });
    }
    return refuse('server_error', 'verifySubjectToken failed unexpectedly', { cause: err });
  }
  if (outcome === TIMED_OUT) {
    refuse(
      'temporarily_unavailable',
      `the subject token was not checked within ${options.subjectTokenTimeout} ms`,
    );
  }
  if (outcome === null || outcome === undefined) {
    refuse('invalid_grant', 'the subject token was refused');
  }
  return checkInfo(outcome, Math.floor(options.now() / 1000));
}
