import { Agent as HttpsAgent } from 'node:https';
import { createTestCertificate } from '@service-jwt/testing';
import { HttpsProxyAgent } from 'https-proxy-agent';
import {
  createSigner,
  createVerifier,
  type JwksUriIssuer,
  type ServiceJwtVerifier,
} from '../../src/index.js';
import { type ConnectProxy, startConnectProxy } from './connect-proxy.js';
import { caught, ecKeyPair, type JwksServer, publicJwk, startJwksServer } from './jwks-server.js';

// Key sets fetched through an HTTP CONNECT proxy on loopback, with the agent from the
// documented recipe (https-proxy-agent). TLS is end to end between us and the key server: the
// proxy only relays bytes, so CA, host name and pin must still decide.

const ISSUER = 'https://orders.internal/';
const AUDIENCE = 'https://billing.internal/';
const tls = createTestCertificate();
const wrongFingerprint = `${tls.fingerprintHex.slice(0, -2)}${tls.fingerprintHex.endsWith('00') ? '01' : '00'}`;
const signing = ecKeyPair();
const signer = createSigner({ issuer: ISSUER, keys: { key: signing.privateKey, kid: 'k1' } });

let keyServer: JwksServer;
let proxy: ConnectProxy;
const opened: ServiceJwtVerifier[] = [];

beforeAll(async () => {
  keyServer = await startJwksServer(tls);
  keyServer.keys = [publicJwk(signing.publicKey, { kid: 'k1' })];
  proxy = await startConnectProxy();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((verifier) => verifier.close()));
});
afterAll(async () => {
  await proxy.close();
  await keyServer.close();
});

function verifier(issuer: Partial<JwksUriIssuer>): ServiceJwtVerifier {
  const made = createVerifier({
    issuers: { [ISSUER]: { jwksUri: keyServer.jwksUrl, ...issuer } as JwksUriIssuer },
    audience: AUDIENCE,
  });
  opened.push(made);
  return made;
}

// The code of the innermost cause: tells a TLS refusal from, say, a refused connection.
function rootCode(err: unknown): unknown {
  let current = err as { cause?: unknown; code?: unknown };
  while (current.cause !== undefined) current = current.cause as typeof current;
  return current.code;
}

const keyServerHost = () => new URL(keyServer.jwksUrl).host;

async function refused(v: ServiceJwtVerifier, reason: string): Promise<void> {
  const err = await caught(v.verifyToken(await signer.tokenFor(AUDIENCE)));
  expect(err.code).toBe('keys_unavailable');
  expect(err.status).toBe(503);
  expect(rootCode(err)).toBe(reason);
}

describe('key sets through a CONNECT proxy', () => {
  it('verifies with keys fetched through the proxy when the CA is right', async () => {
    const connectsBefore = proxy.connects.length;
    const requestsBefore = keyServer.jwksRequests;
    const v = verifier({ ca: tls.cert, agent: new HttpsProxyAgent(proxy.url) });
    const result = await v.verifyToken(await signer.tokenFor(AUDIENCE));
    expect(result.issuer).toBe(ISSUER);
    expect(proxy.connects.slice(connectsBefore)).toEqual([keyServerHost()]);
    expect(keyServer.jwksRequests).toBe(requestsBefore + 1);
  });

  it('verifies through the proxy with the right pinned fingerprint', async () => {
    const v = verifier({
      ca: tls.cert,
      fingerprints: [wrongFingerprint, tls.fingerprint],
      agent: new HttpsProxyAgent(proxy.url),
    });
    expect((await v.verifyToken(await signer.tokenFor(AUDIENCE))).issuer).toBe(ISSUER);
  });

  it('refuses a certificate matching no pin, before any request reaches the key server', async () => {
    const connectsBefore = proxy.connects.length;
    const requestsBefore = keyServer.jwksRequests;
    const v = verifier({
      ca: tls.cert,
      fingerprints: [wrongFingerprint],
      agent: new HttpsProxyAgent(proxy.url),
    });
    await refused(v, 'ERR_CERT_FINGERPRINT_MISMATCH');
    expect(proxy.connects.length).toBeGreaterThan(connectsBefore);
    expect(keyServer.jwksRequests).toBe(requestsBefore);
  });

  it('refuses a certificate of an unknown CA through the proxy', async () => {
    const connectsBefore = proxy.connects.length;
    await refused(
      verifier({ agent: new HttpsProxyAgent(proxy.url) }),
      'DEPTH_ZERO_SELF_SIGNED_CERT',
    );
    expect(proxy.connects.length).toBeGreaterThan(connectsBefore);
  });

  it('still checks the host name when an agent tries to skip it', async () => {
    // An https.Agent's own options win over the request's; the live socket is checked again.
    const agent = new HttpsAgent({ checkServerIdentity: () => undefined });
    const v = verifier({
      jwksUri: keyServer.jwksUrl.replace('127.0.0.1', 'localhost'),
      ca: tls.cert,
      agent,
    });
    await refused(v, 'ERR_TLS_CERT_ALTNAME_INVALID');
    agent.destroy();
  });

  it('refuses a host name the certificate does not cover, through the proxy', async () => {
    const v = verifier({
      jwksUri: keyServer.jwksUrl.replace('127.0.0.1', 'localhost'),
      ca: tls.cert,
      agent: new HttpsProxyAgent(proxy.url),
    });
    await refused(v, 'ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('refuses http: without allowInsecureHttp, proxy or not, before any connection', async () => {
    const connectsBefore = proxy.connects.length;
    const err = await caught(() =>
      verifier({
        jwksUri: keyServer.jwksUrl.replace('https:', 'http:'),
        agent: new HttpsProxyAgent(proxy.url),
      }),
    );
    expect(err.code).toBe('configuration_error');
    expect(err.message).toContain(`issuers["${ISSUER}"].jwksUri`);
    expect(proxy.connects.length).toBe(connectsBefore);
  });

  it('refuses an agent that turns certificate validation off', async () => {
    const err = await caught(() =>
      verifier({ agent: new HttpsAgent({ rejectUnauthorized: false }) }),
    );
    expect(err.code).toBe('configuration_error');
    expect(err.message).toContain(`issuers["${ISSUER}"].agent`);
  });

  it('refuses something that is not an agent', async () => {
    const err = await caught(() => verifier({ agent: { proxy: proxy.url } as never }));
    expect(err.code).toBe('configuration_error');
    expect(err.message).toContain(`issuers["${ISSUER}"].agent`);
  });

  it('accepts an https.Agent of its own (keep-alive) with the CA on the issuer', async () => {
    const agent = new HttpsAgent({ keepAlive: true, maxSockets: 1 });
    try {
      const v = verifier({ ca: tls.cert, agent });
      expect((await v.verifyToken(await signer.tokenFor(AUDIENCE))).issuer).toBe(ISSUER);
    } finally {
      agent.destroy();
    }
  });
});
