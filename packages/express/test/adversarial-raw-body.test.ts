import { sendRawRequest } from '@service-jwt/conformance';
import type { VerifierOptions } from '@service-jwt/core';
import { createTestIssuer, type TestIssuer } from '@service-jwt/testing';
import type { Request, Response } from 'express';
import { captureRawBody, serviceJwt } from '../src/index.js';
import { listen, MAJORS } from './helpers.js';

// Adversarial review: an empty `Content-Encoding` is identity for core (and for body-parser,
// which reads the body as is), so a body captured by `captureRawBody` under one must be
// hashed, not refused as "decompressed by the parser" (a 500 the caller could trigger). The
// same request through the adapter mounted before the parser answers 200 too.

const AUDIENCE = 'https://census.test/';
const BODY = Buffer.from('{"city":"Zürich","n":1}');

let issuer: TestIssuer;
let options: VerifierOptions;

beforeAll(async () => {
  issuer = await createTestIssuer({ issuer: 'https://herald.test/' });
  options = { issuers: { [issuer.issuer]: issuer.keys }, audience: AUDIENCE };
});

function echo(req: Request, res: Response): void {
  res.json({ body: req.body, issuer: req.serviceJwt?.issuer });
}

describe.each(MAJORS)('%s: adversarial Content-Encoding spellings', (_name, express) => {
  for (const encoding of ['', ' ', 'identity', ' IDENTITY ']) {
    it(`Content-Encoding ${JSON.stringify(encoding)}, parser with captureRawBody first → 200`, async () => {
      const app = express();
      app.post('/echo', express.json({ verify: captureRawBody }), serviceJwt(options)(), echo);
      const running = await listen(app);
      try {
        const token = await issuer.signRequest({
          method: 'POST',
          url: '/echo',
          body: BODY,
          audience: AUDIENCE,
        });
        const response = await sendRawRequest(running.url, {
          method: 'POST',
          path: '/echo',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'content-encoding': encoding,
          },
          body: BODY,
        });
        expect(response.status).toBe(200);
        expect(response.json).toEqual({ body: { city: 'Zürich', n: 1 }, issuer: issuer.issuer });
      } finally {
        await running.close();
      }
    });
  }
});
