import { type GatewaySigningExample, start } from '../src/index.js';

let example: GatewaySigningExample;

beforeAll(async () => {
  example = await start();
});

afterAll(async () => {
  await example.close();
});

async function login(password: string): Promise<Response> {
  return fetch(`${example.urls.gateway}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'ada', password }),
  });
}

function orders(token: string): Promise<Response> {
  return fetch(`${example.urls.orders}/orders`, { headers: { authorization: `Bearer ${token}` } });
}

test('the gateway signs both tokens and the order service accepts the access token', async () => {
  const response = await login('lovelace');
  expect(response.status).toBe(200);
  const body = (await response.json()) as Record<string, unknown>;
  expect(Object.keys(body)).toEqual(['access_token', 'refresh_token', 'exp']);
  expect(body.access_token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  expect(body.refresh_token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  const accepted = await orders(body.access_token as string);
  expect(accepted.status).toBe(200);
  expect(((await accepted.json()) as { user: string }).user).toBe('ada');
});

test('refused: the refresh token at the order service (audience_mismatch)', async () => {
  const { refresh_token } = (await (await login('lovelace')).json()) as { refresh_token: string };
  const refused = await orders(refresh_token);
  expect(refused.status).toBe(401);
  expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
  expect(((await refused.json()) as { code: string }).code).toBe('audience_mismatch');
});

test('a failed login passes through unsigned, with the backend status', async () => {
  const response = await login('wrong');
  expect(response.status).toBe(401);
  expect(await response.json()).toEqual({ error: 'invalid_credentials' });
});
