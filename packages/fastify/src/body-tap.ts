import { Transform, type TransformCallback } from 'node:stream';
import type { VerifiedServiceJwt } from '@service-jwt/core';
import {
  type BodyHasher,
  bodyTimeout,
  bodyTooLarge,
  type PendingVerification,
} from '@service-jwt/core/adapter';

/** What {@link BodyTap} needs from the request's pending verification. */
export interface BodyTapOptions {
  readonly pending: PendingVerification;
  readonly hasher: BodyHasher;
  readonly maxBodyBytes: number;
  /** Milliseconds the whole body may take to arrive (408 `body_timeout` beyond). */
  readonly timeout: number;
  /** Maps a failure to the error the stream emits (sets the reply's headers first). */
  readonly onFailure: (thrown: unknown) => Error;
}

/**
 * A pass-through stream between the raw request and Fastify's content-type parser: every
 * chunk is counted (413 beyond `maxBodyBytes`) and fed to the body hasher unchanged, so the
 * body is read once and parsed normally. When the source ends, the verification is completed
 * (body hash, then the replay record) before the parser sees the end of the stream: a body
 * that fails its hash is never handed to a parser, the error reaches Fastify through the
 * parser's stream error path.
 */
export class BodyTap extends Transform {
  /** Bytes seen so far; Fastify reads it to enforce `bodyLimit` on the bytes as sent. */
  receivedEncodedLength = 0;
  readonly #options: BodyTapOptions;
  readonly #outcome: Promise<VerifiedServiceJwt>;
  #settle!: { resolve(value: VerifiedServiceJwt): void; reject(error: Error): void };
  #ended = false;
  readonly #deadline: NodeJS.Timeout;

  constructor(options: BodyTapOptions) {
    super();
    this.#options = options;
    this.#outcome = new Promise<VerifiedServiceJwt>((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
    // The outcome is awaited only when the request reaches preHandler; a parser failure may
    // end the request before that, which must not count as an unhandled rejection.
    this.#outcome.catch(() => undefined);
    this.once('error', (error) => this.#settle.reject(error));
    // Fastify waits for a body as long as the client keeps the connection (its default
    // `requestTimeout` is 0): a stalled body is cut off here and refused, 408.
    this.#deadline = setTimeout(() => {
      this.destroy(options.onFailure(bodyTimeout(options.timeout)));
    }, options.timeout);
    this.#deadline.unref();
    this.once('close', () => clearTimeout(this.#deadline));
  }

  override _transform(
    chunk: Buffer | string,
    _encoding: BufferEncoding,
    done: TransformCallback,
  ): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.receivedEncodedLength += bytes.length;
    if (this.receivedEncodedLength > this.#options.maxBodyBytes) {
      done(this.#options.onFailure(bodyTooLarge(this.#options.maxBodyBytes)));
      return;
    }
    this.#options.hasher.update(bytes);
    done(null, bytes);
  }

  override _flush(done: TransformCallback): void {
    clearTimeout(this.#deadline);
    this.#options.pending.complete(this.#options.hasher).then(
      (result) => {
        this.#ended = true;
        this.#settle.resolve(result);
        done();
      },
      (thrown: unknown) => done(this.#options.onFailure(thrown)),
    );
  }

  /**
   * The verified result once the whole body went through. When no parser read the stream
   * (a method without a body, an empty body Fastify skips), the rest is drained here.
   */
  result(): Promise<VerifiedServiceJwt> {
    if (!this.#ended && !this.destroyed && this.readableFlowing !== true) this.resume();
    return this.#outcome;
  }
}
