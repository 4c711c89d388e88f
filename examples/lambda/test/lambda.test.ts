import { type LambdaExample, REPORTS_AUDIENCE, sampleEvent, start } from '../src/index.js';

let example: LambdaExample;

beforeAll(async () => {
  example = await start();
});

afterAll(async () => {
  await example.close();
});

test('the local runner invokes the handler for a request carrying a valid token', async () => {
  const token = await example.caller.tokenFor(REPORTS_AUDIENCE);
  const response = await fetch(`${example.urls.api}/reports?day=1`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({
    report: 'daily',
    path: '/reports',
    caller: 'https://scheduler.example/',
  });
});

test('a sample event with a token for another audience is refused: 401 audience_mismatch', async () => {
  const token = await example.caller.tokenFor('https://elsewhere.example/');
  const result = (await example.handler(
    sampleEvent({
      method: 'GET',
      target: '/reports',
      headers: { Authorization: `Bearer ${token}` },
    }),
    {},
  )) as { statusCode: number; headers: Record<string, string>; body: string };
  expect(result.statusCode).toBe(401);
  expect(result.headers['www-authenticate']).toContain('error="invalid_token"');
  expect(JSON.parse(result.body).code).toBe('audience_mismatch');
});
