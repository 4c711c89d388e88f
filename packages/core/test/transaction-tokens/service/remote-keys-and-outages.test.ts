import { sign } from 'node:crypto';
import {
  createTrustDomain,
  exchangeForm,
  sendTokenRequest,
  TTS_BATCH_WORKLOAD,
  TTS_GATEWAY_WORKLOAD,
  TTS_ISSUER,
  TXN_TOKEN_URN,
} from '@service-jwt/conformance';
import {
  createVerifier,
  generateKeyPair,
  type RemoteSigningKey,
  type TransactionTokenServiceOptions,
} from '@service-jwt/core';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { serveOnNode } from './serve-on-node.js';

// The token service's keys come in every form a signer takes (here a remote key, as a KMS
// holds it), and its dependencies failing answer 503, never a refusal of the caller.

async function exchangeWith(options: Partial<TransactionTokenServiceOptions>) {
  const domain = await createTrustDomain(options);
  const server = await serveOnNode(domain.service);
  try {
    const user = await domain.userToken('orders.read');
    const response = await sendTokenRequest(server.url, domain, exchangeForm(user));
    return { domain, response, json: response.json as Record<string, string> };
  } finally {
    await server.close();
  }
}

describe('remote signing keys', () => {
  it('mints with a remote key (signature from outside the process) that jose verifies', async () => {
    const kms = await generateKeyPair('ES256');
    const remote: RemoteSigningKey = {
      algorithm: 'ES256',
      publicKey: kms.publicJwk,
      // Stands for the KMS: the private key never reaches the token service.
      sign: async (signingInput) => sign('sha256', signingInput, kms.privateKey),
    };
    const { domain, json } = await exchangeWith({ keys: remote });
    const { protectedHeader } = await jwtVerify(
      json.access_token as string,
      createLocalJWKSet(domain.service.jwks()),
      { typ: 'txntoken+jwt', issuer: TTS_ISSUER, currentDate: new Date(domain.now()) },
    );
    expect(protectedHeader).toMatchObject({ typ: 'txntoken+jwt', alg: 'ES256', kid: kms.kid });
  });

  it('answers 503 temporarily_unavailable when the remote key fails', async () => {
    const kms = await generateKeyPair('ES256');
    const { response, json } = await exchangeWith({
      keys: {
        algorithm: 'ES256',
        publicKey: kms.publicJwk,
        sign: () => Promise.reject(new Error('KMS down')),
      },
    });
    expect([response.status, json.error]).toEqual([503, 'temporarily_unavailable']);
    expect(response.headers['retry-after']).toBe('5');
  });
});

describe('outages of the workload verifier', () => {
  it('answers 503 when the workloads’ keys cannot be fetched', async () => {
    const { response, json } = await exchangeWith({
      workloadVerifier: createVerifier({
        issuers: {
          [TTS_GATEWAY_WORKLOAD]: {
            jwksUri: 'http://127.0.0.1:1/jwks.json',
            allowInsecureHttp: true,
            timeout: 500,
          },
        },
        audience: TTS_ISSUER,
      }),
    });
    expect([response.status, json.error]).toEqual([503, 'temporarily_unavailable']);
  });
});

describe('replacement by another workload', () => {
  it('names the replacing workload in req_wl and keeps the first requester in req_wl_chain', async () => {
    const domain = await createTrustDomain({
      workloads: [TTS_GATEWAY_WORKLOAD, TTS_BATCH_WORKLOAD],
    });
    const server = await serveOnNode(domain.service);
    try {
      const user = await domain.userToken('orders.read');
      const first = await sendTokenRequest(server.url, domain, exchangeForm(user));
      const original = (first.json as { access_token: string }).access_token;
      const replaced = await sendTokenRequest(
        server.url,
        domain,
        exchangeForm(original, {
          subject_token_type: TXN_TOKEN_URN,
          request_context: undefined,
          request_details: undefined,
        }),
        { authorization: `Bearer ${await domain.batchToken()}` },
      );
      expect(replaced.status).toBe(200);
      const claims = JSON.parse(
        Buffer.from(
          (replaced.json as { access_token: string }).access_token.split('.')[1] as string,
          'base64url',
        ).toString(),
      );
      expect(claims).toMatchObject({
        req_wl: TTS_BATCH_WORKLOAD,
        req_wl_chain: [TTS_GATEWAY_WORKLOAD],
        sub: 'user-42',
      });
    } finally {
      await server.close();
    }
  });
});
