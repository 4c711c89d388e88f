import { configurationError, httpSignatureResponseInvalid } from '../errors/refusals.js';
import type { AnsweredRequest } from '../http-signatures/sign-response.js';
import { checkHttpResponse, type ResponsePolicy } from '../http-signatures/verify-response.js';

// The caller's side of signed responses: the body is read (bounded) so its Content-Digest can
// be checked, then handed back in a new Response with the same status and headers.

async function readAll(response: Response, maxBytes: number): Promise<Uint8Array> {
  if (response.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      await response.body.cancel().catch(() => undefined);
      throw configurationError(`response body exceeds maxBodyBytes (${maxBytes})`);
    }
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

// Statuses whose Response may not carry a body (fetch's null body statuses).
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/**
 * Checks the signature of `response` against the request that was sent and returns an
 * equivalent `Response` over the bytes that were checked. A refusal (status 400 or more)
 * without any `Signature` field passes unchecked: the service's guard does not sign an answer
 * to a request it did not accept, and whoever could alter such an answer could as well drop
 * the connection.
 *
 * @throws ServiceJwtError `http_signature_response_invalid`; `configuration_error` for a body
 *   over `maxBytes`
 */
export async function checkedResponse(
  response: Response,
  sent: AnsweredRequest,
  policy: ResponsePolicy,
  settings: { readonly maxBytes: number; readonly nowSeconds: number },
): Promise<Response> {
  if (response.status >= 400 && !response.headers.has('signature')) return response;
  if (response.type === 'opaqueredirect' || response.redirected) {
    throw httpSignatureResponseInvalid('a redirected response answers another request');
  }
  const body = await readAll(response, settings.maxBytes);
  const headers = Object.fromEntries(response.headers);
  checkHttpResponse(
    { status: response.status, headers, body },
    sent,
    policy,
    Math.floor(settings.nowSeconds),
  );
  return new Response(NULL_BODY.has(response.status) ? null : body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
