import { ADVERSARIAL_ROWS } from './adversarial-rows.js';
import { CREDENTIAL_FORM_ROWS } from './credential-form-rows.js';
import { HTTP_SIGNATURE_ROWS } from './http-signature-rows.js';
import { REQUEST_ROWS } from './request-rows.js';
import type { ConformanceRow } from './row-kit.js';
import { TOKEN_ROWS } from './token-rows.js';
import { TRANSACTION_TOKEN_ROWS } from './transaction-token-rows.js';

export type { ConformanceExpectation, ConformanceRow } from './row-kit.js';

/** The conformance table. Every adapter must answer every row identically. */
export const CONFORMANCE_ROWS: readonly ConformanceRow[] = [
  ...TOKEN_ROWS,
  ...REQUEST_ROWS,
  ...ADVERSARIAL_ROWS,
  ...CREDENTIAL_FORM_ROWS,
  ...HTTP_SIGNATURE_ROWS,
  ...TRANSACTION_TOKEN_ROWS,
];
