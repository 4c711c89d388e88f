/// <reference types="jest" />
import { generateKeyPairSync } from 'node:crypto';
import {
  createMemoryReplayStore,
  createSigner,
  signHttpRequest,
  type VerifierOptions,
  verifyHttpResponse,
} from '@service-jwt/core';

// What the adapters' own signed-answer tests share (how each holds back its answer differs, the
// keys and checks do not): an issuer that signs requests with its own key, the called
// service's key that signs the answers, and the check of an answer.

const ISSUER = 'https://herald.test/';
const AUDIENCE = 'https://census.test/';
const issuerKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const serviceKey = generateKeyPairSync('ed25519');
const signer = createSigner({ issuer: ISSUER, keys: issuerKey.privateKey });

/** Verifier options of a service whose routes sign their answers (a fresh replay store). */
export function signedAnswerOptions(): VerifierOptions {
  return {
    issuers: { [ISSUER]: { publicKey: issuerKey.publicKey } },
    audience: AUDIENCE,
    replay: createMemoryReplayStore(),
    httpSignature: { key: 'issuer', signResponse: { key: serviceKey.privateKey } },
  };
}

/** The headers of a signed body-less request to `path` (token and RFC 9421 signature). */
export async function signedRequestHeaders(
  method: string,
  path: string,
): Promise<Record<string, string>> {
  const headers = { authorization: `Bearer ${await signer.tokenFor(AUDIENCE)}` };
  const signature = signHttpRequest({ method, url: path, headers }, { key: issuerKey.privateKey });
  return { ...headers, ...signature };
}

/** Asserts that the answer is signed by the service's key, over `status` and `body`. */
export function expectSignedAnswer(
  answer: { status: number; headers: Readonly<Record<string, unknown>>; body: string },
  request: { method: string; url: string; headers: Record<string, string> },
): void {
  expect(() =>
    verifyHttpResponse(
      {
        status: answer.status,
        headers: answer.headers as Record<string, string>,
        body: Buffer.from(answer.body),
      },
      request,
      { key: serviceKey.publicKey },
    ),
  ).not.toThrow();
}
