import { AUDIENCE, type ConformanceFixture, HERALD } from './conformance-fixture.js';

// Helpers of the adversarial rows: hand-made JSON that no JWT library would produce, signed
// with Herald's key.

/** Herald's protected header as JSON text. */
export const HEADER = '{"alg":"ES256","kid":"herald-1","typ":"JWT"}';

/** The members of a valid Herald token as JSON text, `extra` spliced in verbatim first. */
export function payload(f: ConformanceFixture, extra = '', omit: readonly string[] = []): string {
  const now = f.nowMs / 1000;
  const members: Record<string, string> = {
    iss: JSON.stringify(HERALD),
    aud: JSON.stringify(AUDIENCE),
    source: '"microservice"',
    iat: String(now),
    exp: String(now + 300),
  };
  const parts = Object.entries(members)
    .filter(([name]) => !omit.includes(name))
    .map(([name, value]) => `"${name}":${value}`);
  return `{${extra === '' ? '' : `${extra},`}${parts.join(',')}}`;
}

/** A Herald-signed token over {@link payload}. */
export function raw(f: ConformanceFixture, extra = '', omit: readonly string[] = []): string {
  return f.signRaw(HEADER, payload(f, extra, omit));
}

/** A GET request with these headers. */
export const get = (headers: Record<string, string | readonly string[]>, path = '/ok') => ({
  method: 'GET',
  path,
  headers,
});

/** `count` distinct filler headers, to push a request past the adapters' fast header scan. */
export function padding(count: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`x-pad-${i}`, `${i}`]));
}
