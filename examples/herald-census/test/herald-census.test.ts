import { type HeraldCensusExample, start } from '../src/index.js';

let example: HeraldCensusExample;

beforeAll(async () => {
  example = await start();
});

afterAll(async () => {
  await example.close();
});

test('Herald registers a person at Census with a request-bound token: accepted', async () => {
  const response = await fetch(`${example.urls.herald}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user': 'ada' },
    body: JSON.stringify({ name: 'Ada Lovelace' }),
  });
  expect(response.status).toBe(201);
  expect(await response.json()).toEqual({ name: 'Ada Lovelace', registeredBy: 'ada' });
});

test('Herald is not an allowed caller of the purge route: 403 caller_not_allowed', async () => {
  const response = await fetch(`${example.urls.herald}/purge`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user': 'ada' },
    body: '{}',
  });
  expect(response.status).toBe(403);
  expect(((await response.json()) as { code: string }).code).toBe('caller_not_allowed');
});

test('a request to Census without a token is refused: 401 token_missing', async () => {
  const response = await fetch(`${example.urls.census}/people`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Mallory' }),
  });
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe('Bearer realm="service-jwt"');
  expect(((await response.json()) as { code: string }).code).toBe('token_missing');
});
