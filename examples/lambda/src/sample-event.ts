import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** What {@link sampleEvent} needs to know about the HTTP request. */
export interface SampleRequest {
  readonly method: string;
  /** Path and query, `/reports?day=1`. */
  readonly target: string;
  /** Header names as sent; lower-cased into the event as API Gateway does. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

/**
 * An API Gateway HTTP API event (payload format 2.0) for one HTTP request, as API Gateway would
 * deliver it to the function: lower-cased header names, the raw path and query string, and a
 * base64 body.
 */
export function sampleEvent(request: SampleRequest): APIGatewayProxyEventV2 {
  const [rawPath = '/', rawQueryString = ''] = request.target.split(/\?(.*)/s);
  const headers = Object.fromEntries(
    Object.entries(request.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const body = request.body !== undefined && request.body.length > 0 ? request.body : undefined;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: request.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: `local-${Date.now()}`,
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(body === undefined ? {} : { body: body.toString('base64') }),
    isBase64Encoded: body !== undefined,
  };
}
