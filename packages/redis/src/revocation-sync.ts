import { performance } from 'node:perf_hooks';
import { publishRevocationSync } from '@service-jwt/core/adapter';
import type { CommandRunner } from './client.js';
import { createScript } from './client.js';
import { type Epoch, epochAt, newEpochId } from './epoch.js';
import { type RevocationKeys, type RevocationKind, SYNC_SCRIPT } from './revocation-layout.js';
import { type Change, flat, parseMessage } from './revocation-messages.js';
import { createRevocationMirror, type RevocationMirror } from './revocation-mirror.js';

// Keeps a revocation mirror current: applies pub/sub changes in version order, reloads a
// snapshot on gaps, reconnections and a new store epoch, and confirms it against Redis every
// syncInterval. The propagation bound (README) rests on `fresh()`: answered from the mirror only
// while the last confirmation started less than maxStaleness ago. A version is only compared
// within one epoch: after a loss the counter starts again and may climb back to the same number.

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
  /** '1' when a new Redis process is not by itself a loss (`durableWrites`). */
  readonly durable: string;
}

export interface MirrorSync {
  readonly mirror: RevocationMirror;
  /** More live revocations than maxEntries: the mirror is empty, ask Redis. */
  readonly overflow: boolean;
  /** When the mirror's epoch began after a loss (epoch seconds); 0 when none was found. */
  readonly since: number;
  /** The epoch id the mirror was loaded from ('' before the first load), for scripts. */
  readonly epochId: string;
  /** An epoch a script reported (a revocation's reply): reloads if it is not the mirror's. */
  observe(epoch: Epoch): void;
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

export function createMirrorSync(options: MirrorSyncOptions): MirrorSync {
  const o = options;
  const keyArgs = [o.keys.jti, o.keys.before, o.keys.kid, o.keys.version, o.keys.epoch];
  const versionScript = createScript(o.runner, SYNC_SCRIPT);
  const snapshotScript = createScript(o.snapshotRunner, SYNC_SCRIPT);
  const mirror = createRevocationMirror();
  const nowSeconds = o.nowSeconds;

  let version = -1;
  let epoch: Epoch | undefined;
  let overflow = false;
  let synced = false;
  let confirmedAt = Number.NEGATIVE_INFINITY;
  let closed = false;
  let syncing: Promise<void> | undefined;
  let buffered: Change[] | undefined;
  let pending: { readonly version: number; reached(): void } | undefined;
  let wantFull = false;
  let outages = 0;
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

  const syncScript = async (mode: 'version' | 'snapshot') => {
    const reply = await (mode === 'version' ? versionScript : snapshotScript)(keyArgs, [
      mode,
      String(nowSeconds()),
      String(o.maxEntries),
      epoch?.id ?? '',
      newEpochId(),
      o.durable,
      o.keys.channel,
    ]);
    const raw = Array.isArray(reply) ? (reply as unknown[]) : [];
    const remote = Number(raw[0]);
    if (!Number.isInteger(remote)) throw new Error('unexpected reply to the sync script');
    return { raw, remote, epoch: epochAt(raw, 1) };
  };

  const sameEpoch = (other: Epoch) =>
    epoch !== undefined && epoch.id === other.id && epoch.since === other.since;

  // `outages` counts subscriber outages: a refresh that spans one proves nothing about the
  // messages lost during it, so it must not mark the mirror current.
  // For operators (the service-jwt:revocation:sync channel): a reload, and a change of
  // whether the mirror is confirmed, each published once, never per request.
  let lagging = false;
  const lagSeconds = () =>
    Number.isFinite(confirmedAt) ? (performance.now() - confirmedAt) / 1000 : 0;
  const report = (event: 'synchronized' | 'lagging' | 'resync', reason: string | undefined) => {
    publishRevocationSync({ event, lagSeconds: lagSeconds(), reason });
  };

  const confirm = (startedAt: number, startOutages: number) => {
    if (startOutages !== outages) return;
    mirror.sweep(nowSeconds());
    synced = true;
    confirmedAt = Math.max(confirmedAt, startedAt);
    if (lagging) {
      lagging = false;
      report('synchronized', undefined);
    }
    if (fresh()) for (const w of waiters.splice(0)) w.resolve();
  };

  const reload = async (reason: string) => {
    report('resync', reason);
    const started = performance.now();
    const startOutages = outages;
    buffered = [];
    try {
      const { raw, remote, epoch: current } = await syncScript('snapshot');
      mirror.clear();
      overflow = raw.length === 4;
      if (!overflow) loadSnapshot(raw);
      version = remote;
      epoch = current;
      const later = buffered
        .filter((c) => c.version > remote)
        .sort((a, b) => a.version - b.version);
      for (const change of later) {
        applyChange(change);
        if (change.version === version + 1) version = change.version;
        else if (change.version > version) wantFull = true;
      }
      confirm(started, startOutages);
    } finally {
      buffered = undefined;
    }
  };

  // The periodic check: one GET inside a script. When Redis is ahead, the missing messages
  // are usually just in flight: wait up to commandTimeout for them before reloading everything.
  const refresh = async (full: boolean) => {
    if (full || !synced || overflow) {
      return reload(!synced ? 'start' : overflow ? 'overflow' : 'gap or reconnection');
    }
    const started = performance.now();
    const startOutages = outages;
    const { remote, epoch: current } = await syncScript('version');
    // Another epoch: the store lost records (or an instance saw it lose them). The mirror is
    // reloaded, and the new epoch's window applies from then on.
    if (!sameEpoch(current)) return reload('a new store epoch');
    if (remote === version) return confirm(started, startOutages);
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
      if (caughtUp) return confirm(started, startOutages);
    }
    return reload('behind Redis');
  };

  const loadSnapshot = (raw: unknown[]) => {
    const jtis = flat(raw[4]);
    for (let i = 0; i + 1 < jtis.length; i += 2) mirror.apply('j', jtis[i]!, Number(jtis[i + 1]));
    const before = flat(raw[5]);
    for (let i = 0; i + 1 < before.length; i += 2) {
      const field = before[i]!;
      mirror.apply(field[0] as RevocationKind, field.slice(1), Number(before[i + 1]));
    }
    for (const kid of flat(raw[6])) mirror.apply('k', kid, 0);
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
          } catch (err) {
            // Stays unconfirmed; `fresh()` turns false once `maxStaleness` has passed.
            if (!lagging) {
              lagging = true;
              report('lagging', err instanceof Error ? err.message : String(err));
            }
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
    get since() {
      return epoch?.since ?? 0;
    },
    get epochId() {
      return epoch?.id ?? '';
    },
    observe(current) {
      if (epoch !== undefined && !sameEpoch(current)) void sync(true);
    },
    fresh,
    message(payload) {
      const message = parseMessage(payload);
      if (message === undefined) return;
      if (message.kind === 'e') void sync(true);
      else onChange(message);
    },
    down() {
      outages++;
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
