import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { readNodeRequestBody } from '@service-jwt/core/adapter';

const body = Buffer.alloc(1024, 97);
function message(): IncomingMessage {
  const m = new IncomingMessage(new Socket());
  m.headers = { 'content-length': '1024' };
  return m;
}
async function one(): Promise<void> {
  const m = message();
  const p = readNodeRequestBody(m, 1 << 20);
  m.push(body);
  m.complete = true;
  m.push(null);
  await p;
  // the consumer's pass
  await new Promise<void>((resolve) => {
    const chunks: Buffer[] = [];
    m.on('data', (c) => chunks.push(c));
    m.on('end', () => resolve());
  });
}
async function bare(): Promise<void> {
  const m = message();
  m.push(body);
  m.complete = true;
  m.push(null);
  await new Promise<void>((resolve) => {
    const chunks: Buffer[] = [];
    m.on('data', (c) => chunks.push(c));
    m.on('end', () => resolve());
  });
}
for (const [name, fn] of [
  ['bare', bare],
  ['ours', one],
  ['bare', bare],
  ['ours', one],
] as const) {
  for (let i = 0; i < 5000; i++) await fn();
  const N = 50000;
  const t0 = process.cpuUsage();
  for (let i = 0; i < N; i++) await fn();
  const t = process.cpuUsage(t0);
  console.log(name, ((t.user + t.system) / N).toFixed(2), 'µs');
}
