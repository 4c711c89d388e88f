// A signing service standing in for a KMS, an HSM or a signing sidecar, run as a child process
// by the remote-key tests: the private keys live in this process only. It reads its keys as
// JSON from standard input ({ name: PKCS#8 PEM }), listens on loopback, and prints its port.
//
//   POST /sign/NAME?alg=ES256&format=der|raw   body: the message; answers the signature,
//        hashing the message itself as AWS KMS does with MessageType RAW (DER for ECDSA unless
//        format=raw)
//   GET  /public-key/NAME                      the public key as DER SPKI (KMS GetPublicKey)
//   POST /hang                                 never answers (a stuck KMS call)
//   GET  /count                                how many signatures were made
import { constants, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { createServer } from 'node:http';

const HASH = { 256: 'sha256', 384: 'sha384', 512: 'sha512' };

function signWith(key, alg, format, message) {
  if (alg === 'EdDSA' || alg === 'Ed25519') return sign(null, message, key);
  const hash = HASH[alg.slice(2)];
  if (alg.startsWith('PS')) {
    return sign(hash, message, {
      key,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
    });
  }
  if (alg.startsWith('ES')) {
    return sign(hash, message, { key, dsaEncoding: format === 'raw' ? 'ieee-p1363' : 'der' });
  }
  return sign(hash, message, key);
}

async function read(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const pems = JSON.parse((await read(process.stdin)).toString('utf8'));
const keys = new Map(Object.entries(pems).map(([name, pem]) => [name, createPrivateKey(pem)]));
let signatures = 0;

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://loopback');
  const [, action, name] = url.pathname.split('/');
  const body = await read(req);
  if (action === 'hang') return;
  if (action === 'count') return res.end(JSON.stringify({ signatures }));
  const key = keys.get(name ?? '');
  if (key === undefined) return res.writeHead(404).end();
  if (action === 'public-key') {
    return res.end(createPublicKey(key).export({ format: 'der', type: 'spki' }));
  }
  if (action === 'sign' && req.method === 'POST') {
    signatures += 1;
    const alg = url.searchParams.get('alg') ?? '';
    return res.end(signWith(key, alg, url.searchParams.get('format'), body));
  }
  res.writeHead(404).end();
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
