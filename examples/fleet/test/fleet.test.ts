import { type FleetExample, PAYMENTS_AUDIENCE, start } from '../src/index.js';

let fleet: FleetExample;

beforeAll(async () => {
  fleet = await start();
});

afterAll(async () => {
  await fleet.close();
});

async function signedPayment(amount: number) {
  const body = JSON.stringify({ amount });
  const token = await fleet.caller.signRequest({
    method: 'POST',
    url: '/payments',
    body,
    audience: PAYMENTS_AUDIENCE,
  });
  return {
    method: 'POST',
    body,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  };
}

test('a request-bound token is accepted by the first instance that sees it', async () => {
  const response = await fetch(`${fleet.urls.a}/payments`, await signedPayment(10));
  expect(response.status).toBe(201);
  expect(await response.json()).toEqual({
    instance: 'a',
    caller: 'https://billing.internal/',
    amount: 10,
  });
});

test('the same request replayed against the other instance is refused: token_replayed', async () => {
  const request = await signedPayment(20);
  expect((await fetch(`${fleet.urls.b}/payments`, request)).status).toBe(201);
  const replay = await fetch(`${fleet.urls.a}/payments`, request);
  expect(replay.status).toBe(401);
  expect(replay.headers.get('www-authenticate')).toContain('error="invalid_token"');
  expect(((await replay.json()) as { code: string }).code).toBe('token_replayed');
});
