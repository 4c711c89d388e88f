// Compiled by `pnpm typecheck` (not run by jest): `req.serviceJwt` is typed through declaration
// merging, so handlers use it with no cast, and misuses do not compile.
import type { VerifiedServiceJwt } from '@service-jwt/core';
import express from 'express';
import { captureRawBody, requireServiceJwt, serviceJwt } from '../src/index.js';

const options = {
  issuers: { 'https://herald.test/': { jwksUri: 'https://herald.test/.well-known/jwks.json' } },
  audience: 'https://census.test/',
};

const app = express();
app.use(express.json({ verify: captureRawBody }));
app.use(requireServiceJwt(options));
const auth = serviceJwt({ ...options, onError: 'throw' });

app.get('/me', auth({ audience: 'https://orders.test/' }), (req, res) => {
  const verified: VerifiedServiceJwt | undefined = req.serviceJwt;
  const issuer: string | undefined = req.serviceJwt?.issuer;
  const subject: string | undefined = req.serviceJwt?.subject;
  const source: string | undefined = req.serviceJwt?.claims.source;
  res.json({ verified, issuer, subject, source });
});

app.get('/misuse', (req, res) => {
  // @ts-expect-error the result may be absent (route without the middleware): check it first
  const issuer: string = req.serviceJwt.issuer;
  // @ts-expect-error serviceJwt holds a VerifiedServiceJwt, not a token string
  req.serviceJwt = 'eyJ...';
  res.json({ issuer });
});

// @ts-expect-error onError is 'respond' or 'throw'
requireServiceJwt({ ...options, onError: 'ignore' });

// @ts-expect-error audience is required (null opts out explicitly)
requireServiceJwt({ issuers: options.issuers });
