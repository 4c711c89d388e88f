import { rejectUnknownOptions } from '../errors/option-names.js';
import { ServiceJwtError } from '../errors/service-jwt-error.js';

// Shared validation helpers of the option resolvers: each failure is a configuration_error
// whose message names the option.

export function fail(message: string): never {
  throw new ServiceJwtError('configuration_error', message);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function positive(value: unknown, name: string, integer = false): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    fail(`${name} must be a positive finite number`);
  }
  if (integer && !Number.isInteger(value)) fail(`${name} must be a positive integer`);
  return value;
}

export function flag(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(`${name} must be true or false`);
  return value;
}

/** Refuses members `known` does not list, each named after `path` with the name meant. */
export function rejectUnknown(
  value: Record<string, unknown>,
  known: ReadonlySet<string>,
  path: string,
) {
  rejectUnknownOptions(value, known, { path });
}
