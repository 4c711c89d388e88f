import { ADVERSARIAL_REQUEST_ROWS } from './adversarial-request-rows.js';
import { ADVERSARIAL_TOKEN_ROWS } from './adversarial-token-rows.js';
import type { ConformanceRow } from './row-kit.js';

/** Rows of the adversarial review: hostile requests every adapter must answer like the rest of the table. */
export const ADVERSARIAL_ROWS: readonly ConformanceRow[] = [
  ...ADVERSARIAL_TOKEN_ROWS,
  ...ADVERSARIAL_REQUEST_ROWS,
];
