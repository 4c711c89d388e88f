import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  createMemoryReplayStore,
  createSigner,
  createVerifier,
  generateKeyPair,
} from '@service-jwt/core';
import { serveJwks } from '@service-jwt/testing';
import { type Loopback, type Received, startProtectedService } from '../signer/http-fixtures.js';

// The curl/openssl recipe of docs/body-and-binding.md, run as the document prints it: the two
// `sh` blocks of its section are read from the file, so the page cannot drift from what works.
// Only the `SERVICE=` and `TOKEN=` placeholder lines are replaced, by environment variables.
// The service uses the real clock: the script signs with `date +%s`.
const run = promisify(execFile);
const DOC = join(__dirname, '../../docs/body-and-binding.md');
const ISSUER = 'https://caller.test/';
const AUDIENCE = 'https://orders.test/';

function recipeBlocks(): [string, string] {
  const text = readFileSync(DOC, 'utf8');
  const start = text.indexOf('### A caller in another language: curl and openssl');
  const section = text.slice(start, text.indexOf('\n### ', start + 1));
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  expect(blocks).toHaveLength(2);
  return blocks as [string, string];
}

function withoutPlaceholders(script: string): string {
  const kept = script.split('\n').filter((line) => !/^(SERVICE|TOKEN)=/.test(line));
  expect(kept).toHaveLength(script.split('\n').length - 2);
  return kept.join('\n');
}

let dir: string;
let service: Loopback;
let jwks: Awaited<ReturnType<typeof serveJwks>>;
let signer: ReturnType<typeof createSigner>;
const received: Received[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'service-jwt-curl-'));
  signer = createSigner({ issuer: ISSUER, keys: (await generateKeyPair('ES256')).privateKey });
  jwks = await serveJwks(() => signer.jwks());
  const verifier = createVerifier({
    issuers: { [ISSUER]: { jwksUri: jwks.url, allowInsecureHttp: true } },
    audience: AUDIENCE,
    replay: createMemoryReplayStore(),
    httpSignature: { key: 'cnf' },
  });
  service = await startProtectedService(verifier, received);
});
afterAll(async () => {
  await service.close();
  await jwks.close();
  rmSync(dir, { recursive: true, force: true });
});

async function sh(script: string, env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    timeout: 20_000,
  });
  return stdout;
}

describe('the curl and openssl recipe of docs/body-and-binding.md', () => {
  it('makes a request the httpSignature route accepts, and its replay is refused', async () => {
    const [keyBlock, requestBlock] = recipeBlocks();
    const x = (await sh(keyBlock)).trim();
    expect(x).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const token = await signer.sign(
      { cnf: { jwk: { kty: 'OKP', crv: 'Ed25519', x } } },
      { audience: AUDIENCE, subject: 'curl' },
    );
    const script = withoutPlaceholders(requestBlock);
    const answer = await sh(script, { SERVICE: service.url, TOKEN: token });
    expect(JSON.parse(answer)).toEqual({ subject: 'curl', bytes: 11 });
    expect(received.at(-1)?.body.toString()).toBe('{"order":7}');

    // The same signature sent twice: the nonce is one-time.
    const last = received.at(-1) as Received;
    const replay = await sh(
      `curl -sS "$SERVICE/orders" -H "authorization: $AUTH" -H "content-type: application/json" -H "content-digest: $DIGEST" -H "signature-input: $INPUT" -H "signature: $SIG" --data-binary '{"order":7}'`,
      {
        SERVICE: service.url,
        AUTH: String(last.headers.authorization),
        DIGEST: String(last.headers['content-digest']),
        INPUT: String(last.headers['signature-input']),
        SIG: String(last.headers.signature),
      },
    );
    expect(JSON.parse(replay)).toMatchObject({ code: 'http_signature_replayed' });
  });
});
