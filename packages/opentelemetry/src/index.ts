// @service-jwt/opentelemetry: OpenTelemetry metrics and span attributes from service-jwt's
// diagnostics channels, on @opentelemetry/api only.

export {
  ATTRIBUTES,
  OTHER_ERROR,
  OTHER_ISSUER,
  UNTRUSTED_ISSUER,
} from './attributes.js';
export {
  INSTRUMENTATION_SCOPE,
  instrumentServiceJwt,
  type ServiceJwtInstrumentation,
} from './instrument-service-jwt.js';
export { METRICS, VERIFICATION_DURATION_BUCKETS } from './instruments.js';
export type { InstrumentServiceJwtOptions } from './options.js';
