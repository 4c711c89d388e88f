import { ServiceJwtError } from '@service-jwt/core';
import { rejectUnknownOptions } from '@service-jwt/core/adapter';

// Option checks shared by the store and the revocation list: every failure names the option.

export function configError(message: string): ServiceJwtError {
  return new ServiceJwtError('configuration_error', message);
}

export function checkKnownOptions(
  options: object,
  known: readonly string[],
  factory: string,
): void {
  rejectUnknownOptions(options, known, { path: `${factory}: ` });
}

export function positiveInteger(
  value: unknown,
  name: string,
  fallback: number,
  { min = 1, max = Number.MAX_SAFE_INTEGER } = {},
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw configError(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

export function nonNegativeNumber(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw configError(`${name} must be a finite number >= 0`);
  }
  return value;
}

export function keyPrefix(value: unknown, name: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.length > 256) {
    throw configError(`${name} must be a string of at most 256 characters`);
  }
  return value;
}
