/**
 * The parts of an API Gateway HTTP API event (payload format 2.0) this package reads. The
 * `APIGatewayProxyEventV2` types of `@types/aws-lambda` are assignable to it.
 */
export interface HttpApiEventLike {
  /** The path as API Gateway reports it (it includes a named stage on `execute-api` URLs). */
  readonly rawPath: string;
  /** The query string as sent, without `?` (`''` when there is none). */
  readonly rawQueryString: string;
  /** Header names lower-cased by API Gateway; repeated headers joined with commas. */
  readonly headers?: { readonly [name: string]: string | undefined } | null;
  readonly body?: string | null;
  readonly isBase64Encoded: boolean;
  readonly requestContext: { readonly http: { readonly method: string } };
}

/**
 * The parts of an API Gateway REST API event (payload format 1.0) this package reads. The
 * `APIGatewayProxyEvent` types of `@types/aws-lambda` are assignable to it.
 */
export interface RestApiEventLike {
  readonly httpMethod: string;
  /** The resource path, without the stage. */
  readonly path: string;
  readonly headers?: { readonly [name: string]: string | undefined } | null;
  readonly multiValueHeaders?: { readonly [name: string]: readonly string[] | undefined } | null;
  readonly queryStringParameters?: { readonly [name: string]: string | undefined } | null;
  readonly multiValueQueryStringParameters?: {
    readonly [name: string]: readonly string[] | undefined;
  } | null;
  readonly body?: string | null;
  readonly isBase64Encoded: boolean;
  /** `path` is the path the client sent: the stage, or a custom domain's base path, included. */
  readonly requestContext: { readonly path?: string };
}

/** An API Gateway proxy event of either payload format. */
export type ApiGatewayEventLike = HttpApiEventLike | RestApiEventLike;

/**
 * The response returned for a failed check, valid for both payload formats: the design's
 * status, `WWW-Authenticate`, `Cache-Control: no-store`, `Retry-After` for 503s, and the JSON
 * body `{ error, code, message }` of core's `errorResponse`.
 */
export interface ServiceJwtErrorResult {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly isBase64Encoded: false;
}
