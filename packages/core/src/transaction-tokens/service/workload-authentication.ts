import { isServiceJwtError } from '../../errors/service-jwt-error.js';
import type { HeadersLike } from '../../verify/request.js';
import type { ResolvedServiceOptions } from './options.js';
import { refuse } from './token-endpoint-response.js';

/** The request facts the workload's service token is checked against. */
export interface WorkloadRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: HeadersLike;
  readonly rawBody: string | Uint8Array | undefined;
}

/**
 * Authenticates the calling workload by its service token and returns its identity (the
 * token's `iss`, which becomes `req_wl`). A missing or refused token is `invalid_client`
 * (401, with a `Bearer` challenge: RFC 6749 §5.2 asks for the scheme the client used); a
 * workload outside `workloads` is `unauthorized_client`; keys or stores out of reach, 503.
 */
export async function authenticateWorkload(
  options: ResolvedServiceOptions,
  request: WorkloadRequest,
): Promise<string> {
  let issuer: string;
  try {
    const verified = await options.workloadVerifier.verify({
      method: request.method,
      url: request.url,
      headers: request.headers,
      ...(request.rawBody === undefined ? {} : { body: request.rawBody }),
    });
    issuer = verified.issuer;
  } catch (err) {
    if (!isServiceJwtError(err)) throw err;
    if (err.status >= 500) {
      refuse('temporarily_unavailable', 'the workload could not be authenticated now', {
        cause: err,
      });
    }
    const realm = `Bearer realm="${options.realm.replace(/["\\]/g, '')}"`;
    // RFC 6750 §3.1: a request without credentials gets a challenge without an error code.
    const challenge = err.code === 'token_missing' ? realm : `${realm}, error="invalid_token"`;
    refuse('invalid_client', `the workload's service token was refused (${err.code})`, {
      headers: { 'www-authenticate': challenge },
    });
  }
  if (!options.workloads.has(issuer)) {
    refuse('unauthorized_client', 'this workload may not request Txn-Tokens');
  }
  return issuer;
}
