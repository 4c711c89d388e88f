import { spawn } from 'node:child_process';
import type { KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { KeyPairAlgorithm, RemoteSigningKey } from '@service-jwt/core';

/** The child process of `signing-service.mjs`, holding the private keys it was given. */
export interface SigningService {
  readonly url: string;
  readonly pid: number;
  /** The DER SPKI public key of `name`, as KMS GetPublicKey returns it. */
  publicKey(name: string): Promise<Uint8Array>;
  /** Signatures made so far. */
  signatures(): Promise<number>;
  /**
   * A remote key whose `sign` calls the service over HTTP, the way a KMS SDK call would, and
   * whose `publicKey` is what the service published (or `publicKey` when given).
   */
  remoteKey(
    name: string,
    algorithm: KeyPairAlgorithm,
    options?: {
      readonly format?: 'der' | 'raw';
      readonly path?: string;
      readonly timeout?: number;
      readonly publicKey?: RemoteSigningKey['publicKey'];
      readonly onSignal?: (signal: AbortSignal) => void;
    },
  ): Promise<RemoteSigningKey>;
  /** Kills the process by its pid and waits until it has exited. */
  stop(): Promise<void>;
}

/** Starts a signing service in a child process on loopback, holding `keys`. */
export async function startSigningService(
  keys: Readonly<Record<string, KeyObject>>,
): Promise<SigningService> {
  const child = spawn(process.execPath, [resolve(__dirname, 'signing-service.mjs')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const pems = Object.fromEntries(
    Object.entries(keys).map(([name, key]) => [
      name,
      key.export({ format: 'pem', type: 'pkcs8' }).toString(),
    ]),
  );
  child.stdin.end(JSON.stringify(pems));
  const lines = createInterface({ input: child.stdout });
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => String(line)),
    exited.then(() => {
      throw new Error('the signing service exited before listening');
    }),
  ]);
  lines.close();
  const { port } = JSON.parse(first) as { port: number };
  const url = `http://127.0.0.1:${port}`;
  const pid = child.pid as number;

  async function publicKey(name: string): Promise<Uint8Array> {
    const res = await fetch(`${url}/public-key/${name}`);
    return new Uint8Array(await res.arrayBuffer());
  }

  return {
    url,
    pid,
    publicKey,
    async signatures() {
      const res = await fetch(`${url}/count`);
      return ((await res.json()) as { signatures: number }).signatures;
    },
    async remoteKey(name, algorithm, options = {}) {
      const path =
        options.path ?? `/sign/${name}?alg=${algorithm}&format=${options.format ?? 'der'}`;
      return {
        algorithm,
        publicKey: options.publicKey ?? (await publicKey(name)),
        ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
        async sign(signingInput, { signal }) {
          options.onSignal?.(signal);
          const res = await fetch(`${url}${path}`, { method: 'POST', body: signingInput, signal });
          if (!res.ok) throw new Error(`the signing service answered ${res.status}`);
          return new Uint8Array(await res.arrayBuffer());
        },
      };
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGTERM');
      await exited;
    },
  };
}
