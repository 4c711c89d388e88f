// scheme://authority, then the rest is path, query and (never sent) fragment.
const ABSOLUTE_URL = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/[^/?#]*/;

/**
 * The request target that `htu` binds (path and query), the one definition the signer and the
 * verifier share: a path-absolute target (`/orders?id=1`) as it is, and of an absolute
 * `http:`/`https:` URL its path and query taken from the string byte for byte (an empty path
 * is `/`; scheme and authority are dropped: `aud` already names the receiving service, and it
 * cannot know the host name its callers used). `undefined` for anything else.
 */
export function requestTarget(url: string): string | undefined {
  if (url.charCodeAt(0) === 0x2f) return url;
  const match = ABSOLUTE_URL.exec(url);
  if (match === null) return undefined;
  const scheme = match[1]!.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return undefined;
  const rest = url.slice(match[0].length);
  return rest.length === 0 || rest.charCodeAt(0) !== 0x2f ? `/${rest}` : rest;
}
