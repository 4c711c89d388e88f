import { performance } from 'node:perf_hooks';
import type { CommandRunner } from './client.js';
import { createScript } from './client.js';
import { type RevocationKeys, type RevocationKind, SYNC_SCRIPT } from './revocation-layout.js';
import { createRevocationMirror, type RevocationMirror } from './revocation-mirror.js';

// Keeps a revocation mirror current: applies pub/sub changes in version order, reloads a
// snapshot on gaps and reconnections, and confirms it against Redis every syncInterval. The
// propagation bound (README) rests on `fresh()`: answered from the mirror only while the last
// confirmation started less than maxStaleness ago.

export interface MirrorSyncOptions {
  readonly runner: CommandRunner;
  /** For snapshot reloads, which may carry `maxEntries` revocations: a longer time-out. */
  readonly snapshotRunner: CommandRunner;
  readonly keys: RevocationKeys;
  readonly maxEntries: number;
  readonly maxStaleness: number;
  readonly syncInterval: number;
  readonly commandTimeout: number;
  readonly nowSeconds: () => number;
  /** `undefined` without pub/sub; else whether the subscription is live now. */
  readonly subscribed: (() => boolean) | undefined;
}

export interface MirrorSync {
  readonly mirror: RevocationMirror;
  /** More live revocations than maxEntries: the mirror is empty, ask Redis. */
  readonly overflow: boolean;
  fresh(): boolean;
  /** A raw pub/sub message. */
  message(payload: string): void;
  /** The subscription dropped: messages may be lost until the next reload. */
  down(): void;
  /** `full`: reload the snapshot; else confirm the version (reloading if needed). */
  sync(full: boolean): Promise<void>;
  /** A revocation this instance made, applied before its message comes back. */
  applyLocal(kind: RevocationKind, field: string, value: number): void;
  /** Resolves once fresh; rejects when stopped first. */
  whenFresh(): Promise<void>;
  stop(reason: unknown): void;
}

interface Change {
  readonly version: number;
  readonly kind: RevocationKind;
  readonly value: number;
  readonly field: string;
}

function parseChange(message: string): Change | undefined {
  const [version, kind, value] = message.split('|', 3);
  const at = (version?.length ?? 0) + (kind?.length ?? 0) + (value?.length ?? 0) + 3;
  const change = {
    version: Number(version),
    kind: kind as RevocationKind,
    value: Number(value),
    field: message.slice(at),
  };
  const ok = Number.isInteger(change.version) && Number.isFinite(change.value);
  return ok && ['j', 's', 'i', 'k'].includes(change.kind) ? change : undefined;
}

export function flat(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  // A client that maps HGETALL replies to objects.
  if (value !== null && typeof value === 'object') return Object.entries(value).flat().map(String);
  return [];
}

export function createMirrorSync(options: MirrorSyncOptions): MirrorSync {
  const o = options;
  const keyArgs = [o.keys.jti, o.keys.before, o.keys.kid, o.keys.version];
  const versionScript = createScript(o.runner, SYNC_SCRIPT);
  const snapshotScript = createScript(o.snapshotRunner, SYNC_SCRIPT);
  const mirror = createRevocationMirror();
  const nowSeconds = o.nowSeconds;

  let version = -1;
  let overflow = false;
  let synced = false;
  let confirmedAt = Number.NEGATIVE_INFINITY;
  let closed = false;
  let syncing: Promise<void> | undefined;
  let buffered: Change[] | undefined;
  let pending: { readonly version: number; reached(): void } | undefined;
  let wantFull = false;
  let epoch = 0;
  let timer: NodeJS.Timeout | undefined;
  let waiters: Array<{ resolve(): void; reject(err: unknown): void }> = [];

  const fresh = () =>
    !closed &&
    synced &&
    (o.subscribed === undefined || o.subscribed()) &&
    performance.now() - confirmedAt <= o.maxStaleness;

  const applyChange = (change: Change) => {
    if (overflow) return;
    mirror.apply(change.kind, change.field, change.value);
    if (mirror.size > o.maxEntries) {
      overflow = true;
      mirror.clear();
    }
  };

  const onChange = (change: Change) => {
    applyChange(change);
    if (buffered !== undefined) buffered.push(change);
    else if (change.version === version + 1) version = change.version;
    else if (change.version > version) void sync(true);
    if (pending !== undefined && version >= pending.version) {
      pending.reached();
      pending = undefined;
    }
  };

  const syncScript = (mode: 'version' | 'snapshot') =>
    (mode === 'version' ? versionScript : snapshotScript)(keyArgs, [
      mode,
      String(nowSeconds()),
      String(o.maxEntries),
    ]);

  // `epoch` counts subscriber outages: a refresh that spans one proves nothing about the
  // messages lost during it, so it must not mark the mirror current.
  const confirm = (startedAt: number, startEpoch: number) => {
    if (startEpoch !== epoch) return;
    mirror.sweep(nowSeconds());
    synced = true;
    confirmedAt = Math.max(confirmedAt, startedAt);
    if (fresh()) for (const w of waiters.splice(0)) w.resolve();
  };

  const reload = async () => {
    const started = performance.now();
    const startEpoch = epoch;
    buffered = [];
    try {
      const reply = await syncScript('snapshot');
      const raw = Array.isArray(reply) ? (reply as unknown[]) : [];
      const remote = Number(raw[0]);
      if (!Number.isInteger(remote)) throw new Error('unexpected reply to the sync script');
      mirror.clear();
      overflow = raw.length === 2;
      if (!overflow) loadSnapshot(raw);
      version = remote;
      const later = buffered
        .filter((c) => c.version > remote)
        .sort((a, b) => a.version - b.version);
      for (const change of later) {
        applyChange(change);
        if (change.version === version + 1) version = change.version;
        else if (change.version > version) wantFull = true;
      }
      confirm(started, startEpoch);
    } finally {
      buffered = undefined;
    }
  };

  // The periodic check: one GET inside a script. When Redis is ahead, the missing messages
  // are usually just in flight: wait up to commandTimeout for them before reloading everything.
  const refresh = async (full: boolean) => {
    if (full || !synced || overflow) return reload();
    const started = performance.now();
    const startEpoch = epoch;
    const remote = Number(((await syncScript('version')) as unknown[])[0]);
    if (remote === version) return confirm(started, startEpoch);
    if (remote > version && o.subscribed !== undefined) {
      const caughtUp = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          pending = undefined;
          resolve(false);
        }, o.commandTimeout);
        pending = {
          version: remote,
          reached() {
            clearTimeout(timer);
            resolve(true);
          },
        };
      });
      if (caughtUp) return confirm(started, startEpoch);
    }
    return reload();
  };

  const loadSnapshot = (raw: unknown[]) => {
    const jtis = flat(raw[2]);
    for (let i = 0; i + 1 < jtis.length; i += 2) mirror.apply('j', jtis[i]!, Number(jtis[i + 1]));
    const before = flat(raw[3]);
    for (let i = 0; i + 1 < before.length; i += 2) {
      const field = before[i]!;
      mirror.apply(field[0] as RevocationKind, field.slice(1), Number(before[i + 1]));
    }
    for (const kid of flat(raw[4])) mirror.apply('k', kid, 0);
    if (mirror.size > o.maxEntries) {
      overflow = true;
      mirror.clear();
    }
  };

  // One refresh at a time; a full reload asked for meanwhile runs right after.
  const sync = (full: boolean): Promise<void> => {
    if (closed) return Promise.resolve();
    if (full) wantFull = true;
    if (syncing === undefined) {
      syncing = (async () => {
        do {
          const f = wantFull;
          wantFull = false;
          try {
            await refresh(f);
          } catch {
            // Stays unconfirmed; `fresh()` turns false once `maxStaleness` has passed.
          }
        } while (wantFull && !closed);
      })().finally(() => {
        syncing = undefined;
      });
    }
    return syncing;
  };

  const schedule = () => {
    if (closed) return;
    timer = setTimeout(() => {
      void sync(false).finally(schedule);
    }, o.syncInterval);
    timer.unref();
  };

  if (o.subscribed === undefined) void sync(true);
  schedule();

  return {
    mirror,
    get overflow() {
      return overflow;
    },
    fresh,
    message(payload) {
      const change = parseChange(payload);
      if (change !== undefined) onChange(change);
    },
    down() {
      epoch++;
      synced = false;
    },
    sync,
    applyLocal(kind, field, value) {
      applyChange({ version: -1, kind, field, value });
    },
    whenFresh() {
      if (fresh()) return Promise.resolve();
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
    stop(reason) {
      closed = true;
      clearTimeout(timer);
      const pending = waiters;
      waiters = [];
      for (const w of pending) w.reject(reason);
    },
  };
}
