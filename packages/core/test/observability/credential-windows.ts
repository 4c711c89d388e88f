// Every window of this many characters of a credential must be absent from every log line and
// event: a leak of any part of a token long enough to matter is caught, while the few short
// claim values a log may carry (`iss`, `sub`, `jti`) never match by accident.
const WINDOW = 12;

/** The overlapping windows of `secret` a redaction test looks for in what was emitted. */
export function windows(secret: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + WINDOW <= secret.length; i += 3) out.push(secret.slice(i, i + WINDOW));
  return out;
}
