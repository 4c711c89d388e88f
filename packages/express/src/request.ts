import type { RequestLike } from '@service-jwt/core';
import { declaresBody, nodeRequestHeaders } from '@service-jwt/core/adapter';
import type { Request } from 'express';
import { expressRequestBody } from './raw-body.js';

/**
 * The one place an Express request becomes core's `RequestLike`: `req.method`,
 * `req.originalUrl` (routers mounted under a prefix rewrite `req.url`, but the caller signed
 * the target it sent), the headers, and the body: the bytes `captureRawBody` kept, else a lazy
 * reader core calls only when a body hash must be checked. Headers come from core's
 * `nodeRequestHeaders`, so a repeated `Authorization` reaches the verifier as two values
 * (`token_duplicated`).
 */
export function toRequestLike(req: Request): RequestLike {
  // Read once: `headers` is a getter far up the prototype chain, and each read of it on an
  // Express request is a slow lookup (every request has a hidden class of its own).
  const headers = req.headers;
  return {
    method: req.method,
    url: req.originalUrl,
    headers: nodeRequestHeaders(req, headers),
    // A reader only for a request that announces a body and whose bytes a parser mounted
    // earlier did not keep: otherwise the verifier can answer in the same turn (an absent body
    // hashes as the empty string).
    body: declaresBody(headers) ? expressRequestBody(req) : undefined,
  };
}
