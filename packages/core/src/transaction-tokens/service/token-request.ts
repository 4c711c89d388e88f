import { TOKEN_EXCHANGE_GRANT_TYPE, TXN_TOKEN_TYPE_URN } from '../txn-token.js';
import { readContextParameter } from './context-parameter.js';
import type { FormParameters } from './form-parameters.js';
import { REFRESH_TOKEN_TYPE, type ResolvedServiceOptions } from './options.js';
import { parseRequestedScope } from './scope.js';
import { refuse } from './token-endpoint-response.js';

/** A Txn-Token request whose parameters passed the RFC 8693 and draft rules. */
export interface TokenRequest {
  readonly subjectToken: string;
  readonly subjectType: string;
  /** The requested scope's words, in order, without repeats. */
  readonly requestedScope: readonly string[];
  readonly requestContext: Readonly<Record<string, unknown>> | undefined;
  readonly requestDetails: Readonly<Record<string, unknown>> | undefined;
}

function required(parameters: FormParameters, name: string): string {
  const value = parameters.get(name);
  if (value === undefined || value === '') refuse('invalid_request', `${name} is required`);
  return value;
}

/**
 * Reads a Txn-Token request's parameters (draft-ietf-oauth-transaction-tokens-10 §"Txn-Token
 * Request", RFC 8693 §2.1): the token-exchange grant, the Txn-Token as requested type, the
 * trust domain as `audience`, a well-formed `scope`, the subject token and its type, and the
 * two JSON-object contexts within their bounds. A refresh token never buys a Txn-Token (draft
 * §"Refresh Tokens"); other subject types must be configured. Delegation (`actor_token`) and `resource` are
 * refused rather than ignored.
 */
export function readTokenRequest(
  parameters: FormParameters,
  options: ResolvedServiceOptions,
): TokenRequest {
  if (required(parameters, 'grant_type') !== TOKEN_EXCHANGE_GRANT_TYPE) {
    refuse('unsupported_grant_type', 'grant_type must be the token-exchange grant (RFC 8693)');
  }
  if (required(parameters, 'requested_token_type') !== TXN_TOKEN_TYPE_URN) {
    refuse('invalid_request', `requested_token_type must be ${TXN_TOKEN_TYPE_URN}`);
  }
  if (required(parameters, 'audience') !== options.trustDomain) {
    refuse('invalid_target', 'audience is not the trust domain this service issues for');
  }
  if (parameters.has('resource')) {
    refuse('invalid_target', 'resource is not supported: a Txn-Token is for the trust domain');
  }
  if (parameters.has('actor_token') || parameters.has('actor_token_type')) {
    refuse('invalid_request', 'actor_token is not supported');
  }
  const scope = required(parameters, 'scope');
  const subjectToken = required(parameters, 'subject_token');
  const subjectType = required(parameters, 'subject_token_type');
  if (subjectType === REFRESH_TOKEN_TYPE) {
    refuse('invalid_request', 'a refresh token never buys a Txn-Token');
  }
  if (subjectType !== TXN_TOKEN_TYPE_URN && !options.subjectTokenTypes.has(subjectType)) {
    refuse('invalid_request', 'subject_token_type is not accepted by this service');
  }
  const limits = { maxBytes: options.maxContextBytes, maxDepth: options.maxContextDepth };
  return {
    subjectToken,
    subjectType,
    requestedScope: parseRequestedScope(scope),
    requestContext: readContextParameter(
      'request_context',
      parameters.get('request_context'),
      limits,
    ),
    requestDetails: readContextParameter(
      'request_details',
      parameters.get('request_details'),
      limits,
    ),
  };
}
