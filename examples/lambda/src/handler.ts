import type { KeyObject } from 'node:crypto';
import { type ServiceJwtEvent, withServiceJwt } from '@service-jwt/lambda';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** The function's audience. */
export const REPORTS_AUDIENCE = 'https://reports.example/';

/** A trusted caller of the function: its `iss` and public key. */
export interface TrustedCaller {
  readonly issuer: string;
  readonly publicKey: KeyObject;
}

/**
 * Builds the Lambda handler: an API Gateway (HTTP API, payload 2.0) handler wrapped with
 * `withServiceJwt`, which verifies the caller's token (signature, `iss`, `aud`, expiry,
 * `source`, and `bdy`/`htm`/`htu` when the token carries them) before the handler runs. In a
 * deployed function this is called once at module scope, with the caller's public key or JWKS
 * URL from configuration: the verifier and its key cache then live as long as the container.
 */
export function createHandler(caller: TrustedCaller) {
  return withServiceJwt<APIGatewayProxyEventV2, unknown, APIGatewayProxyStructuredResultV2>(
    {
      issuers: { [caller.issuer]: { publicKey: caller.publicKey } },
      audience: REPORTS_AUDIENCE,
    },
    async (event: ServiceJwtEvent<APIGatewayProxyEventV2>) => ({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        report: 'daily',
        path: event.rawPath,
        caller: event.serviceJwt.issuer,
      }),
    }),
  );
}

/** The handler {@link createHandler} returns. */
export type ReportsHandler = ReturnType<typeof createHandler>;
