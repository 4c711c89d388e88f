// Where a server case spends its CPU, per answered request:
//   pnpm bench:profile <case-id> [static|fresh|big] [seconds]
// Starts the case's server with `--cpu-prof`, loads it as `pnpm bench` does (a fresh-token pool
// for `fresh`), stops it, and prints the profile as microseconds per 2xx answer: by package
// (node internals, the framework, ours, GC), by function (self time), and the inclusive time of
// our own functions. The raw `.cpuprofile` stays in the printed folder for a flame graph
// (Chrome DevTools, speedscope).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GROUPS } from './cases.js';
import { mintPool, mintSignaturePool } from './mint-pool.js';
import { detectPinning, runLoad, startServer } from './processes.js';
import type { LoadKind } from './requests.js';
import { setUpBench } from './setup.js';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const [caseId, kindArg = 'static', secondsArg = '5'] = process.argv.slice(2);
if (caseId === undefined || !['static', 'fresh', 'big'].includes(kindArg)) {
  throw new Error('usage: profile.ts <case-id> [static|fresh|big] [seconds]');
}
const kind = kindArg as LoadKind;
const seconds = Number(secondsArg);

/** `express`, `@service-jwt/core`, `node`, or a bracketed V8 category such as `(garbage collector)`. */
function packageOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node';
  const ours = /\/packages\/([^/]+)\/(?:src|dist)\//.exec(url);
  if (ours) return `@service-jwt/${ours[1]}`;
  const module = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (module) return module[1]!;
  if (url.includes('/bench/')) return 'bench harness';
  return url;
}

function where(frame: CallFrame): string {
  const file = frame.url.split('/').pop() ?? '';
  return `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
}

function summarise(profile: CpuProfile, answers: number): void {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const perRequest = (us: number) => (us / answers).toFixed(2).padStart(8);
  const add = (map: Map<string, number>, key: string, us: number) =>
    map.set(key, (map.get(key) ?? 0) + us);

  const packages = new Map<string, number>();
  const functions = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of self) {
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') continue;
    busy += us;
    add(packages, packageOf(node.callFrame), us);
    add(functions, `${packageOf(node.callFrame).padEnd(22)} ${where(node.callFrame)}`, us);
    // Inclusive time of our own frames: each distinct frame on the stack counts once.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (!/\/packages\/[^/]+\/(?:src|dist)\//.test(frame.url)) continue;
      const key = `${packageOf(frame).padEnd(22)} ${where(frame)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      add(inclusive, key, us);
    }
  }
  const top = (map: Map<string, number>, n: number) =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, n);
  console.log(`\n${answers} answers, ${perRequest(busy).trim()} µs of sampled CPU per answer\n`);
  console.log('µs/answer  by package (self time)');
  for (const [name, us] of top(packages, 15)) console.log(`${perRequest(us)}   ${name}`);
  console.log('\nµs/answer  by function (self time)');
  for (const [name, us] of top(functions, 40)) console.log(`${perRequest(us)}   ${name}`);
  console.log('\nµs/answer  our functions (inclusive)');
  for (const [name, us] of top(inclusive, 30)) console.log(`${perRequest(us)}   ${name}`);
}

const { dir, context, contextFile, jwks } = await setUpBench('service-jwt-profile-');
// A case may load differently from its group (the httpSignature case sends a signature pool).
const caseKind: LoadKind =
  GROUPS.flatMap((g) => g.cases).find((c) => c.id === caseId)?.kind ?? kind;
if (kind === 'fresh') {
  const count = Math.ceil((seconds + 1) * 12_000);
  await mintPool(context, count, 3600);
  if (caseKind === 'fresh-sig') await mintSignaturePool(context, count);
}
const pinning = detectPinning();
const server = await startServer(pinning, contextFile, caseId, [
  '--cpu-prof',
  `--cpu-prof-dir=${dir}`,
]);
let answers = 0;
try {
  const params = {
    url: `http://127.0.0.1:${server.port}`,
    kind: caseKind,
    warmup: 1,
    duration: seconds,
  };
  const result = await runLoad(pinning, contextFile, {
    ...params,
    connections: 50,
    serverPid: server.pid,
  });
  // The profile covers the warm-up too: count its answers at the measured rate.
  answers = Math.round(result.rps * (seconds + 1));
  console.log(
    `${caseId}: ${result.rps.toFixed(0)} req/s, server ${result.serverUsPerRequest.toFixed(1)} µs/req, non-2xx ${result.non2xx}`,
  );
} finally {
  await server.stop();
  await jwks.close();
}
const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
if (file === undefined) throw new Error(`no profile written in ${dir}`);
summarise(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile, answers);
console.log(`\nprofile: ${join(dir, file)}`);
