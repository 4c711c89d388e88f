import { spawnSync } from 'node:child_process';
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { createTestCertificate, type TestCertificate } from '@service-jwt/testing';

let tls: TestCertificate;
let other: TestCertificate;
let server: Server;
let port: number;

beforeAll(async () => {
  tls = createTestCertificate();
  other = createTestCertificate();
  server = createServer({ key: tls.key, cert: tls.cert }, (_req, res) => res.end('ok'));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

/** One HTTPS GET to the loopback server trusting `ca`: the body and the peer fingerprint, or the TLS error code. */
function get(ca: string): Promise<{ body: string; peer: string } | { error: string }> {
  return new Promise((done) => {
    const req = request({ host: '127.0.0.1', port, path: '/', ca, agent: false }, (res) => {
      const peer = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => done({ body, peer }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => done({ error: String(err.code) }));
    req.setTimeout(10_000, () =>
      req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })),
    );
    req.end();
  });
}

describe('createTestCertificate', () => {
  it('is a self-signed P-256 CA certificate for IP 127.0.0.1, valid for a day', () => {
    const x509 = new X509Certificate(tls.cert);
    expect(x509.subjectAltName).toBe('IP Address:127.0.0.1');
    expect(x509.subject).toBe('CN=127.0.0.1');
    expect(x509.ca).toBe(true);
    expect(x509.checkIssued(x509)).toBe(true);
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(Date.parse(x509.validTo) - Date.parse(x509.validFrom)).toBe(86_400_000);
    expect(x509.checkPrivateKey(createPrivateKey(tls.key))).toBe(true);
    expect(tls.key).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(x509.serialNumber).not.toBe(new X509Certificate(other.cert).serialNumber);
  });

  it('reports the SHA-256 fingerprint of the DER certificate, base64 and hex', () => {
    const der = new X509Certificate(tls.cert).raw;
    const digest = createHash('sha256').update(der).digest();
    expect(tls.fingerprint).toBe(digest.toString('base64'));
    expect(tls.fingerprintHex).toBe(digest.toString('hex').toUpperCase().match(/../g)?.join(':'));
  });

  it('serves HTTPS on loopback, trusted through `ca`, refused under another certificate', async () => {
    expect(await get(tls.cert)).toEqual({ body: 'ok', peer: tls.fingerprintHex });
    const refused = await get(other.cert);
    expect(refused).toHaveProperty('error');
    expect((refused as { error: string }).error).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY/);
  });
});

describe('without the openssl binary', () => {
  const root = resolve(__dirname, '../../..');

  it('no source file of the kit starts a child process', () => {
    const src = resolve(__dirname, '../src');
    for (const file of readdirSync(src)) {
      const text = readFileSync(join(src, file), 'utf8');
      expect([file, /child_process|openssl['"]/.test(text)]).toEqual([file, false]);
    }
  });

  it('makes a certificate in a process whose PATH finds no program', () => {
    // Loaded as the workspace source through tsx, with PATH emptied: any spawn of `openssl`
    // would fail with ENOENT.
    const script = `import('@service-jwt/testing').then(({ createTestCertificate }) => {
      const { cert, fingerprint } = createTestCertificate();
      process.stdout.write(JSON.stringify({ cert: cert.startsWith('-----BEGIN CERTIFICATE-----'), fingerprint }));
    });`;
    const child = spawnSync(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script],
      {
        cwd: join(root, 'packages/testing'),
        env: { PATH: '' },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual({ cert: true, fingerprint: expect.any(String) });
  }, 40_000);
});
