/** Header values as Node's `IncomingHttpHeaders` holds them (lower-case names). */
export type HeadersLike = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * The raw body as a {@link BodyReader} hands it over: the bytes, or the chunks they arrived in,
 * in order. Chunks save joining a large body into one more buffer only to hash it; the verifier
 * reads them and never changes or keeps them.
 */
export type BodyBytes = Uint8Array | readonly Uint8Array[];

/**
 * Reads the raw request body when (and only when) the verifier needs it: after the token has
 * been authenticated and the token or the policy asks for a body hash. Resolves with the bytes
 * or their chunks ({@link BodyBytes}). Must reject with `body_too_large` beyond `maxBytes`, and
 * with `configuration_error` when the bytes are gone.
 */
export type BodyReader = (maxBytes: number) => Promise<BodyBytes>;

/** The framework-free request the verifier works on. */
export interface RequestLike {
  /** HTTP method as received (`GET`, `POST`, …). */
  readonly method: string;
  /** The request target as received: path and query (`/orders?id=1`). */
  readonly url: string;
  readonly headers: HeadersLike;
  /**
   * The exact raw body bytes (a string is taken as its UTF-8 bytes), or a {@link BodyReader}
   * called only when a body hash must be checked. `undefined` means "no body was sent".
   */
  readonly body?: Uint8Array | string | BodyReader;
}
