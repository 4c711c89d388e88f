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
  const summary = lines.find((line) => line.startsWith('Observed on the service-jwt:*'));
  expect(summary).toBeDefined();
  const refusedLine = lines.find((line) => line.trimStart().startsWith('refused'));
  for (const code of codes) expect(refusedLine).toContain(String(code));
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
  // One debug line per refused row (every refusal in the demo is the caller's: 401/403).
  expect(logged.filter((line) => line.level === 'debug')).toHaveLength(refusals);
  expect(logged.filter((line) => line.level === 'error')).toEqual([]);
  const metrics = lines.filter((line) => line.startsWith('  service_jwt.'));
  expect(
    metrics.some((line) => line.includes('service_jwt.result=refused error.type=token_replayed')),
  ).toBe(true);
  expect(metrics.some((line) => line.startsWith('  service_jwt.key_set.fetches{'))).toBe(true);
});
