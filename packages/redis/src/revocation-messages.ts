import type { RevocationKind } from './revocation-layout.js';

// What arrives on the revocation channel, and the shape of script replies.

/** One revocation, as published with its version. */
export interface Change {
  readonly version: number;
  readonly kind: RevocationKind;
  readonly value: number;
  readonly field: string;
}

/** A message on the channel: a revocation, or the start of a new epoch after a loss. */
export type ChannelMessage = Change | { readonly kind: 'e' };

const KINDS = ['j', 's', 'i', 'k', 'e'];

export function parseMessage(message: string): ChannelMessage | undefined {
  const [version, kind, value] = message.split('|', 3);
  const at = (version?.length ?? 0) + (kind?.length ?? 0) + (value?.length ?? 0) + 3;
  const change = {
    version: Number(version),
    kind: kind as RevocationKind,
    value: Number(value),
    field: message.slice(at),
  };
  const ok = Number.isInteger(change.version) && Number.isFinite(change.value);
  if (!ok || !KINDS.includes(kind as string)) return undefined;
  return kind === 'e' ? { kind: 'e' } : change;
}

export function flat(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  // A client that maps HGETALL replies to objects.
  if (value !== null && typeof value === 'object') return Object.entries(value).flat().map(String);
  return [];
}
