import { tokenServiceUnavailable } from '../../errors/refusals.js';

/**
 * Reads a fetch `Response` body as UTF-8 text, refusing (`token_service_unavailable`) past
 * `maxBytes`: a misbehaving endpoint cannot make the edge buffer without bound.
 */
export async function readBoundedText(response: Response, maxBytes: number): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tokenServiceUnavailable(`the token service answered more than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
