import { start, type UserChainExample } from '../src/index.js';

let example: UserChainExample;

beforeAll(async () => {
  example = await start();
});

afterAll(async () => {
  await example.close();
});

async function login(user: string): Promise<string> {
  const response = await fetch(`${example.urls.users}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

test("the gateway and the order service both accept the user's token", async () => {
  const token = await login('ada');
  const response = await fetch(`${example.urls.gateway}/orders`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { user: string; orders: { user: string } };
  expect(body.user).toBe('ada');
  expect(body.orders.user).toBe('ada');
});

test('a token with a forged signature is refused with 401 signature_invalid', async () => {
  const [header, payload, signature] = (await login('ada')).split('.');
  const claims = JSON.parse(Buffer.from(payload as string, 'base64url').toString('utf8'));
  const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'mallory' })).toString('base64url');
  const response = await fetch(`${example.urls.orders}/orders`, {
    headers: { authorization: `Bearer ${header}.${forged}.${signature}` },
  });
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  expect(((await response.json()) as { code: string }).code).toBe('signature_invalid');
});
