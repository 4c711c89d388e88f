import type { KeySetStateChange } from '../keys/key-set-status.js';
import { describeCauses, type Logger } from './logger.js';

/**
 * Logs a remote key set's change of state, once per change: going stale or unavailable at
 * `warn` (with the cause chain: the URL, the errno or HTTP status), recovering at `info`. A
 * first successful fetch is not news.
 */
export function logKeySetChange(logger: Logger, change: KeySetStateChange): void {
  const fields: Record<string, unknown> = {
    issuer: change.issuer,
    url: change.url,
    from: change.from,
    to: change.to,
  };
  if (change.error !== undefined) fields.cause = describeCauses(change.error, { withSelf: true });
  switch (change.to) {
    case 'unavailable':
      logger.warn(
        fields,
        `service-jwt: the key set of ${change.issuer} cannot be fetched and no usable keys are cached; its tokens are refused with 503 keys_unavailable until it can`,
      );
      return;
    case 'stale':
      logger.warn(
        fields,
        `service-jwt: the key set of ${change.issuer} cannot be refreshed; serving its last keys past their cache age`,
      );
      return;
    case 'fresh':
      if (change.from !== 'cold') {
        logger.info(fields, `service-jwt: the key set of ${change.issuer} was fetched again`);
      }
      return;
    default:
  }
}
