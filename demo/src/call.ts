/** What a call produced, as the table shows it. */
export interface Outcome {
  readonly status: number;
  /** The error `code` of a refused call. */
  readonly code?: string | undefined;
  /** The `error` attribute of the `WWW-Authenticate` challenge, if any. */
  readonly challenge?: string | undefined;
  /** What else the scenario verified, shown after the status. */
  readonly note?: string | undefined;
  /** Lines printed under the row: what the scenario saw, for the reader to check. */
  readonly detail?: readonly string[] | undefined;
  /** Why the outcome is wrong even though status and code match (a scenario's own check). */
  readonly problem?: string | undefined;
}

/** A request as sent on the wire, kept so it can be replayed byte for byte. */
export interface SentRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | undefined;
}

/** Reads the status, error code and challenge of an answer, and its JSON body if any. */
export async function outcomeOf(response: Response): Promise<Outcome & { readonly json: unknown }> {
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const code =
    !response.ok && typeof json === 'object' && json !== null && 'code' in json
      ? String(json.code)
      : undefined;
  const challenge = /error="([^"]+)"/.exec(response.headers.get('www-authenticate') ?? '')?.[1];
  return { status: response.status, code, challenge, json };
}

/** Sends `request` and reads the status, error code and challenge of the answer. */
export async function send(request: SentRequest): Promise<Outcome & { readonly json: unknown }> {
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body ?? null,
  });
  return outcomeOf(response);
}

/** `GET`/`POST` with a bearer token. */
export function bearer(
  url: string,
  token: string,
  init: { readonly method?: string; readonly body?: string } = {},
): Promise<Outcome & { readonly json: unknown }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  return send({ url, method: init.method ?? 'GET', headers, body: init.body });
}
