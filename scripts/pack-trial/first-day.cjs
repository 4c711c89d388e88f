// Run by scripts/pack-trial.mjs inside a fresh CommonJS app: every package through require()
// (Node >= 20.19 loads ES modules that way), and one sign-and-verify round trip.
const { createSigner, createVerifier, generateKeyPair } = require('@service-jwt/core');
const { createGuard } = require('@service-jwt/core/adapter');

// The trial app depends on every packed package: require each one by name.
const ours = Object.keys(require('../package.json').dependencies).filter((name) =>
  name.startsWith('@service-jwt/'),
);
for (const name of ours) {
  console.log(`- require('${name}'): ${Object.keys(require(name)).length} exports`);
}
console.log(`- require('@service-jwt/core/adapter'): createGuard is a ${typeof createGuard}`);

(async () => {
  const pair = await generateKeyPair('EdDSA');
  const signer = createSigner({ issuer: 'https://m1.internal', keys: pair.privateKey });
  const token = await signer.tokenFor('https://orders.internal');
  const verifier = createVerifier({
    issuers: { 'https://m1.internal': { publicKey: pair.publicKey } },
    audience: 'https://orders.internal',
  });
  const result = await verifier.verify({
    method: 'GET',
    url: '/',
    headers: { authorization: `Bearer ${token}` },
  });
  console.log(`- CommonJS sign and verify: issuer ${result.issuer}`);
})().catch((err) => {
  console.log(`- BROKEN CommonJS sign and verify: ${err.code ?? err.name}: ${err.message}`);
  process.exitCode = 1;
});
