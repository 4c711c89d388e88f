import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { outcomeMatches, runDemo } from '../src/run-demo.js';

test('every scenario of the demo ends as expected, well under a minute', async () => {
  const lines: string[] = [];
  const report = await runDemo((line) => lines.push(line));
  const failed = report.rows.filter((row) => !row.ok);
  expect(failed).toEqual([]);
  expect(report.ok).toBe(true);
  expect(report.elapsedMs).toBeLessThan(60_000);
  const codes = report.rows.map((row) => row.outcome.code).filter(Boolean);
  expect(codes).toEqual(
    expect.arrayContaining([
      'source_mismatch',
      'audience_mismatch',
      'token_expired',
      'body_hash_mismatch',
      'token_replayed',
      'caller_not_allowed',
      'token_revoked',
    ]),
  );
  expect(lines.filter((line) => line.endsWith('✓'))).toHaveLength(report.rows.length);
  // The summary comes from the diagnostics channels: one refusal per refused row, by code.
  // The token service's refusal is an RFC 6749 answer, not a verification: it is not there.
  const summary = lines.find((line) => line.startsWith('Observed on the service-jwt:*'));
  expect(summary).toBeDefined();
  const refusedLine = lines.find((line) => line.trimStart().startsWith('refused'));
  const verifications = report.rows.filter((row) => row.callee !== 'token service');
  for (const row of verifications.filter((r) => r.outcome.code !== undefined)) {
    expect(refusedLine).toContain(String(row.outcome.code));
  }
});

test('the checkout chain: the user context reaches billing intact, every forgery is refused', async () => {
  const lines: string[] = [];
  const report = await runDemo((line) => lines.push(line));
  const chain = report.rows.slice(16).map((row) => ({
    caller: row.caller,
    callee: row.callee,
    status: row.outcome.status,
    code: row.outcome.code,
    ok: row.ok,
  }));
  expect(chain).toEqual([
    {
      caller: 'user ada → gateway → orders (Koa)',
      callee: 'billing (Fastify)',
      status: 200,
      code: undefined,
      ok: true,
    },
    ...[
      ['orders (compromised)', 'billing (Fastify)', 401, 'txn_token_invalid'],
      ['orders (compromised)', 'token service', 400, 'invalid_scope'],
      ['orders (compromised)', 'billing (Fastify)', 401, 'txn_token_invalid'],
      ['orders', 'billing (Fastify)', 400, 'txn_token_in_authorization'],
      ['orders', 'billing (Fastify)', 401, 'txn_token_untrusted'],
      ['orders', 'billing (Fastify)', 401, 'txn_token_expired'],
    ].map(([caller, callee, status, code]) => ({ caller, callee, status, code, ok: true })),
  ]);
  // Row 17 prints billing's view and the Txn-Token's SHA-256 at every hop, all the same.
  const seen = lines[lines.findIndex((line) => line.startsWith('17 ')) + 1] ?? '';
  expect(seen).toContain('billing saw sub=ada scope="orders:write billing:charge"');
  expect(seen).toContain('tctx={"order":"o-1001","amount":"42.00"}');
  const hashes = /minted at the edge (\S+), at orders (\S+), at billing (\S+)$/.exec(
    lines[lines.findIndex((line) => line.startsWith('17 ')) + 2] ?? '',
  );
  expect(hashes?.slice(1)).toEqual([hashes?.[1], hashes?.[1], hashes?.[1]]);
  expect(hashes?.[1]).toMatch(/^[\w-]{12}…$/);
  // No line of the run holds a Txn-Token (three base64url segments, the first a JOSE header).
  expect(lines.filter((line) => /eyJ[\w-]+\.[\w-]+\.[\w-]+/.test(line))).toEqual([]);
});

test('an outcome other than the expected one fails the row', () => {
  const expected = { status: 401, code: 'token_expired' };
  const challenge = 'invalid_token';
  expect(outcomeMatches(expected, { status: 401, code: 'token_expired', challenge })).toBe(true);
  expect(outcomeMatches(expected, { status: 200 })).toBe(false);
  expect(outcomeMatches(expected, { status: 401, code: 'token_revoked', challenge })).toBe(false);
  expect(outcomeMatches(expected, { status: 401, code: 'token_expired' })).toBe(false);
  expect(outcomeMatches({ status: 200 }, { status: 200, problem: 'not signed' })).toBe(false);
});

test('`pnpm demo` (tsx --conditions=source demo/src/main.ts) exits 0', () => {
  const root = resolve(__dirname, '../..');
  const result = spawnSync(
    process.execPath,
    [require.resolve('tsx/cli'), '--conditions=source', 'demo/src/main.ts'],
    { cwd: root, encoding: 'utf8', timeout: 60_000 },
  );
  // stderr is in the object so that a failure shows why.
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  expect(result.stdout).toMatch(/(\d+)\/\1 outcomes as expected/);
}, 70_000);

test('`--observe` prints the services’ log lines and the OpenTelemetry metrics they recorded', async () => {
  const lines: string[] = [];
  const report = await runDemo((line) => lines.push(line), { observe: true });
  expect(report.ok).toBe(true);
  const refusals = report.rows.filter((row) => row.outcome.status >= 400).length;
  const logged = lines
    .filter((line) => line.startsWith('  {'))
    .map((line) => JSON.parse(line) as { level: string; code?: string; service: string });
  // One debug line per refused row (every refusal in the demo is the caller's: 400/401/403),
  // the token service's included.
  expect(logged.filter((line) => line.level === 'debug')).toHaveLength(refusals);
  // The token services log each Txn-Token they issue by its SHA-256, never the token.
  const issued = logged.filter((line) => line.service.endsWith('token service'));
  expect(issued.filter((line) => line.level === 'info')).toEqual([
    expect.objectContaining({ service: 'token service', txn_token_sha256: expect.any(String) }),
    expect.objectContaining({ service: 'staging token service' }),
  ]);
  expect(lines.filter((line) => /eyJ[\w-]+\.[\w-]+\.[\w-]+/.test(line))).toEqual([]);
  expect(logged.filter((line) => line.level === 'error')).toEqual([]);
  const metrics = lines.filter((line) => line.startsWith('  service_jwt.'));
  expect(
    metrics.some((line) => line.includes('service_jwt.result=refused error.type=token_replayed')),
  ).toBe(true);
  expect(metrics.some((line) => line.startsWith('  service_jwt.key_set.fetches{'))).toBe(true);
});
