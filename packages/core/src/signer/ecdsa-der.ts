// KMS and HSM APIs return ECDSA signatures DER-encoded (RFC 3279 §2.2.3: SEQUENCE { r INTEGER,
// s INTEGER }); a JWS carries them as r‖s, each left-padded to the curve's size (RFC 7518
// §3.4). The conversion is exact or refused: whatever comes out is verified before use.

interface Cursor {
  offset: number;
}

function readLength(der: Uint8Array, at: Cursor): number | undefined {
  const first = der[at.offset++];
  if (first === undefined) return undefined;
  if (first < 0x80) return first;
  // Signatures up to P-521 (at most 139 bytes) need one length byte in the long form.
  if (first !== 0x81) return undefined;
  const length = der[at.offset++];
  return length === undefined || length < 0x80 ? undefined : length;
}

function readInteger(der: Uint8Array, at: Cursor, size: number): Uint8Array | undefined {
  if (der[at.offset++] !== 0x02) return undefined;
  const length = readLength(der, at);
  if (length === undefined || length === 0 || at.offset + length > der.length) return undefined;
  let value = der.subarray(at.offset, at.offset + length);
  at.offset += length;
  // A DER INTEGER is signed: r and s are positive, so a set top bit means a negative number.
  if ((value[0] as number) & 0x80) return undefined;
  while (value.length > 1 && value[0] === 0) value = value.subarray(1);
  return value.length > size ? undefined : value;
}

/**
 * The JOSE form (r‖s, `2 * size` bytes) of a DER ECDSA signature, or `undefined` when `der` is
 * not exactly one DER SEQUENCE of two positive INTEGERs that fit `size` bytes each.
 *
 * @param size the curve's coordinate size in bytes: 32 (P-256), 48 (P-384), 66 (P-521).
 */
export function ecdsaDerToJose(der: Uint8Array, size: number): Buffer | undefined {
  const at: Cursor = { offset: 0 };
  if (der[at.offset++] !== 0x30) return undefined;
  const length = readLength(der, at);
  if (length === undefined || at.offset + length !== der.length) return undefined;
  const r = readInteger(der, at, size);
  const s = r === undefined ? undefined : readInteger(der, at, size);
  if (r === undefined || s === undefined || at.offset !== der.length) return undefined;
  const out = Buffer.alloc(2 * size);
  out.set(r, size - r.length);
  out.set(s, 2 * size - s.length);
  return out;
}
