import { type StaticIdentityExample, start } from '../src/index.js';

let example: StaticIdentityExample;

beforeAll(async () => {
  example = await start();
});

afterAll(async () => {
  await example.close();
});

test('M1 calls M2 with the identity token it minted at start-up: accepted', async () => {
  const response = await fetch(`${example.urls.m1}/report`);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { body: { caller: string } };
  expect(body.body.caller).toBe('https://m1.internal/');
});

test('a call to M2 without a token is refused with 401 token_missing', async () => {
  const response = await fetch(`${example.urls.m2}/inventory`);
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe('Bearer realm="service-jwt"');
  expect(((await response.json()) as { code: string }).code).toBe('token_missing');
});
