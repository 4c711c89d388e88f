import type { VerifiedServiceJwt } from '@service-jwt/core';

declare module 'koa' {
  /**
   * `ctx.state.serviceJwt`: the verified service JWT, set by `requireServiceJwt` before the
   * next middleware runs. Absent on routes it does not guard. Type your own claims by merging
   * into `ServiceJwtClaims` from `@service-jwt/core`.
   */
  interface DefaultState {
    serviceJwt?: VerifiedServiceJwt;
  }
}
