// Compiled by `pnpm typecheck` (not run by jest): the wrapped handler is a Lambda handler of
// @types/aws-lambda, `event.serviceJwt` needs no cast, and misuses do not compile.
import type { VerifiedServiceJwt } from '@service-jwt/core';
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyHandler,
  APIGatewayProxyHandlerV2,
  APIGatewayProxyResult,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import { type AuthorizedServiceJwt, type ServiceJwtEvent, withServiceJwt } from '../src/index.js';

const options = {
  issuers: { 'https://herald.test/': { jwksUri: 'https://herald.test/.well-known/jwks.json' } },
  audience: 'https://census.test/',
};

// HTTP API, verify mode: E inferred from the annotated event, R from the result.
export const httpHandler: APIGatewayProxyHandlerV2 = withServiceJwt(
  options,
  async (event: ServiceJwtEvent<APIGatewayProxyEventV2>, context) => {
    const verified: VerifiedServiceJwt = event.serviceJwt;
    const path: string = event.rawPath;
    const fn: string = (context as { functionName: string }).functionName;
    return { statusCode: 200, body: JSON.stringify({ verified, path, fn }) };
  },
);

// REST API, verify mode, typed as the REST handler type.
export const restHandler: APIGatewayProxyHandler = withServiceJwt(
  { ...options, bodyHash: { required: true } },
  async (event: ServiceJwtEvent<APIGatewayProxyEvent>): Promise<APIGatewayProxyResult> => ({
    statusCode: 200,
    body: event.serviceJwt.token.slice(0, 0) + event.httpMethod,
  }),
);

// HTTP API behind a JWT authorizer: claims only, no token.
export const authorized = withServiceJwt(
  { mode: 'authorizer', claims: { 'st-ev': (v) => (v as { v?: boolean })?.v === true } },
  async (
    event: ServiceJwtEvent<APIGatewayProxyEventV2WithJWTAuthorizer, AuthorizedServiceJwt>,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    const issuer: string = event.serviceJwt.issuer;
    const subject: string | undefined = event.serviceJwt.subject;
    // @ts-expect-error authorizer mode never saw the token
    const token: string = event.serviceJwt.token;
    const raw = event.requestContext.authorizer.jwt.claims;
    return { statusCode: 200, body: JSON.stringify({ issuer, subject, token, raw }) };
  },
);

withServiceJwt(options, async (event) => {
  // @ts-expect-error serviceJwt is read-only
  event.serviceJwt = { issuer: 'x' };
  return {};
});

// @ts-expect-error authorizer mode takes claim rules, not issuers
withServiceJwt({ mode: 'authorizer', issuers: options.issuers }, async () => ({}));

// @ts-expect-error mode is 'verify' or 'authorizer'
withServiceJwt({ ...options, mode: 'gateway' }, async () => ({}));

// @ts-expect-error a handler must return a promise (async handler)
withServiceJwt(options, () => ({ statusCode: 200 }));

// @ts-expect-error the event must be an API Gateway proxy event
withServiceJwt(options, async (event: ServiceJwtEvent<{ Records: [] }>) => event.Records);
