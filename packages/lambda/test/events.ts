import { randomUUID } from 'node:crypto';
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithJWTAuthorizer,
  Context,
} from 'aws-lambda';

/** An HTTP request as the client sent it. */
export interface ClientRequest {
  readonly method: string;
  /** Path and query as sent (`/orders?id=1`). */
  readonly path: string;
  /** Names in any case; an array sends the header once per value. */
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  /** Chunks are concatenated: API Gateway hands the function the whole body. */
  readonly body?: Uint8Array | string | readonly (Uint8Array | string)[];
}

/** How API Gateway was set up in front of the function. */
export interface GatewayShape {
  /**
   * The stage. HTTP API: `'$default'` puts nothing in front of the path, a named stage appears
   * in `rawPath`. REST API: the stage appears in `requestContext.path` unless `customDomain`.
   * @default '$default' for HTTP API, 'prod' for REST API
   */
  readonly stage?: string;
  /** REST API called through a custom domain (no stage in the path the client sent). */
  readonly customDomain?: boolean;
  /** REST API: claims of a Cognito user pool authorizer, as it passes them on (strings). */
  readonly authorizerClaims?: Record<string, string>;
  /** Force the `isBase64Encoded` decision. @default binary bodies only */
  readonly base64?: boolean;
}

const TEXT_TYPE = /^(text\/|application\/(json|xml|x-www-form-urlencoded|[\w.+-]*\+(json|xml)))/i;

function bodyBytes(body: ClientRequest['body']): Buffer | undefined {
  if (body === undefined) return undefined;
  const chunks = typeof body === 'string' || body instanceof Uint8Array ? [body] : body;
  return Buffer.concat(chunks.map((chunk) => Buffer.from(chunk)));
}

function headerList(request: ClientRequest): Array<[string, string]> {
  const list: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    for (const item of typeof value === 'string' ? [value] : value) list.push([name, item]);
  }
  return list;
}

function firstHeader(list: Array<[string, string]>, name: string): string | undefined {
  return list.find(([key]) => key.toLowerCase() === name)?.[1];
}

/** API Gateway base64-encodes bodies it does not take for text (binary, compressed, non-UTF-8). */
function encodeBody(
  bytes: Buffer | undefined,
  list: Array<[string, string]>,
  force: boolean | undefined,
): { body: string | undefined; isBase64Encoded: boolean } {
  if (bytes === undefined) return { body: undefined, isBase64Encoded: false };
  const text = bytes.toString('utf8');
  const binary =
    force ??
    (firstHeader(list, 'content-encoding') !== undefined ||
      !TEXT_TYPE.test(firstHeader(list, 'content-type') ?? '') ||
      !Buffer.from(text, 'utf8').equals(bytes));
  return binary
    ? { body: bytes.toString('base64'), isBase64Encoded: true }
    : { body: text, isBase64Encoded: false };
}

function splitTarget(path: string): { pathname: string; query: string } {
  const index = path.indexOf('?');
  return index === -1
    ? { pathname: path, query: '' }
    : { pathname: path.slice(0, index), query: path.slice(index + 1) };
}

function parseQuery(query: string): Array<[string, string]> {
  if (query === '') return [];
  return query.split('&').map((pair) => {
    const index = pair.indexOf('=');
    const name = index === -1 ? pair : pair.slice(0, index);
    const value = index === -1 ? '' : pair.slice(index + 1);
    return [decodeURIComponent(name), decodeURIComponent(value)];
  });
}

const REQUEST_TIME = 1_767_225_600_000;

/** An HTTP API event, payload format 2.0, as API Gateway builds it from `request`. */
export function httpApiEvent(
  request: ClientRequest,
  shape: GatewayShape = {},
): APIGatewayProxyEventV2 {
  const stage = shape.stage ?? '$default';
  const list = headerList(request);
  const { pathname, query } = splitTarget(request.path);
  const rawPath = stage === '$default' ? pathname : `/${stage}${pathname}`;
  // Lower-cased names, repeated headers comma-joined, cookies moved to `cookies`.
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of list) {
    const key = name.toLowerCase();
    if (key === 'cookie') cookies.push(...value.split(/;\s*/));
    else headers[key] = headers[key] === undefined ? value : `${headers[key]},${value}`;
  }
  const params: Record<string, string> = {};
  for (const [name, value] of parseQuery(query)) {
    params[name] = params[name] === undefined ? value : `${params[name]},${value}`;
  }
  const { body, isBase64Encoded } = encodeBody(bodyBytes(request.body), list, shape.base64);
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: query,
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'r3pmxmplak',
      domainName: 'r3pmxmplak.execute-api.us-east-2.amazonaws.com',
      domainPrefix: 'r3pmxmplak',
      http: {
        method: request.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.10',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage,
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: REQUEST_TIME,
    },
    isBase64Encoded,
  };
  if (cookies.length > 0) event.cookies = cookies;
  if (query !== '') event.queryStringParameters = params;
  if (body !== undefined) event.body = body;
  return event;
}

/** An HTTP API event behind a JWT authorizer that verified the token and passes on `claims`. */
export function httpApiJwtEvent(
  request: ClientRequest,
  claims: Record<string, string>,
  shape: GatewayShape = {},
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const event = httpApiEvent(request, shape);
  return {
    ...event,
    requestContext: {
      ...event.requestContext,
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims, scopes: null } },
    },
  };
}

/** A REST API event, payload format 1.0 (proxy integration on `/{proxy+}`). */
export function restApiEvent(
  request: ClientRequest,
  shape: GatewayShape = {},
): APIGatewayProxyEvent {
  const stage = shape.stage ?? 'prod';
  const list = headerList(request);
  const { pathname, query } = splitTarget(request.path);
  // Names keep the case the client sent; `headers` holds the last value of each.
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of list) {
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of parseQuery(query)) {
    single[name] = value;
    multi[name] = [...(multi[name] ?? []), value];
  }
  const hasQuery = Object.keys(multi).length > 0;
  const { body, isBase64Encoded } = encodeBody(bodyBytes(request.body), list, shape.base64);
  return {
    resource: '/{proxy+}',
    path: pathname,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? single : null,
    multiValueQueryStringParameters: hasQuery ? multi : null,
    pathParameters: { proxy: pathname.slice(1) },
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: '1234567890',
      authorizer:
        shape.authorizerClaims === undefined ? undefined : { claims: shape.authorizerClaims },
      protocol: 'HTTP/1.1',
      httpMethod: request.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '203.0.113.10',
        user: null,
        userAgent: headers['User-Agent'] ?? null,
        userArn: null,
      },
      path: shape.customDomain === true ? pathname : `/${stage}${pathname}`,
      stage,
      requestId: randomUUID(),
      requestTimeEpoch: REQUEST_TIME,
      resourceId: 'abc123',
      resourcePath: '/{proxy+}',
    },
    body: body ?? null,
    isBase64Encoded,
  };
}

/** A Lambda context as the runtime passes it. */
export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'census',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-2:123456789012:function:census',
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/census',
    logStreamName: '2026/01/01/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Claims as an API Gateway authorizer passes them on: every value a string, arrays as
 * `"[a b c]"`, objects as JSON, numbers and booleans as their text.
 */
export function gatewayClaims(claims: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(claims)) {
    if (Array.isArray(value)) out[name] = `[${value.join(' ')}]`;
    else if (typeof value === 'object' && value !== null) out[name] = JSON.stringify(value);
    else out[name] = String(value);
  }
  return out;
}
