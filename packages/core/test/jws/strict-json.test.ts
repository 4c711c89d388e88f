import { isServiceJwtError } from '../../src/errors/service-jwt-error.js';
import { decodeJsonObject } from '../../src/jws/strict-json.js';

// The strict JSON parser on hand-picked texts: every escape, each malformed construct that a
// lenient parser lets through, the depth limit and invalid UTF-8. Texts that exercise the
// fast path (no control character, no backslash) and the character scan are both covered.
const decode = (text: string | Buffer) =>
  decodeJsonObject(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, 'payload');

function codeOf(text: string | Buffer): string | undefined {
  try {
    decode(text);
    return undefined;
  } catch (err) {
    if (!isServiceJwtError(err)) throw err;
    return err.code;
  }
}

const plain = (value: unknown) => JSON.parse(JSON.stringify(value));

describe('strings and escapes', () => {
  it.each([
    ['\\"', '"'],
    ['\\\\', '\\'],
    ['\\/', '/'],
    ['\\b', '\b'],
    ['\\f', '\f'],
    ['\\n', '\n'],
    ['\\r', '\r'],
    ['\\t', '\t'],
    ['\\u00e9', '\u00e9'],
    ['\\u00E9', '\u00e9'],
    ['\\ud83d\\ude00', '\u{1f600}'],
    ['a\\tb\\rc\\fd', 'a\tb\rc\fd'],
  ])('decodes %s in a value and in a member name', (escaped, decoded) => {
    expect(decode(`{"v":"${escaped}"}`).v).toBe(decoded);
    expect(decode(`{"x${escaped}":1}`)[`x${decoded}`]).toBe(1);
    expect(decode(`{"v":"<${escaped}>"}`).v).toBe(`<${decoded}>`);
  });

  it('keeps the text around escapes and several escapes in a row', () => {
    expect(decode('{"v":"ab\\ncd\\u0041ef"}').v).toBe('ab\ncdAef');
    expect(decode('{"v":"\\n\\n"}').v).toBe('\n\n');
    expect(decode('{"a":"\\"","b":"x"}')).toEqual(plain({ a: '"', b: 'x' }));
  });

  it('reads strings after a control character in whitespace (the scanning path)', () => {
    const text = '{\t"alg":\r\n"ES256",\n"x":"y","z":"a\\"b"}';
    expect(plain(decode(text))).toEqual(JSON.parse(text));
    expect(decode(text).alg).toBe('ES256');
    // Spaces are string content on both paths, before and after an escape.
    expect(decode('{\n"a":"b c"}').a).toBe('b c');
    expect(decode('{"a":"x\\ty z"}').a).toBe('x\ty z');
  });

  it.each([
    ['an unknown escape', '{"v":"\\x41"}'],
    ['an unknown escape followed by four hex digits', '{"v":"\\x0041"}'],
    ['another unknown escape followed by four hex digits', '{"v":"\\z1234"}'],
    ['a short \\u escape', '{"v":"\\u12"}'],
    ['a \\u escape with a non-hex digit', '{"v":"\\u12g4"}'],
    ['a \\u escape with a sign', '{"v":"\\u+123"}'],
    ['a raw control character', '{"v":"a\u0001b"}'],
    ['a raw tab in a string', '{"v":"a\tb"}'],
    ['a raw newline in a member name', '{"a\nb":1}'],
    ['an unterminated string', '{"v":"abc'],
    ['an unterminated string ending in a backslash', '{"v":"abc\\'],
    ['an unterminated member name', '{"abc'],
  ])('refuses %s', (_, text) => {
    expect(codeOf(text)).toBe('token_malformed');
  });

  it('refuses invalid UTF-8, even inside a string', () => {
    expect(codeOf(Buffer.from([0x7b, 0x22, 0x76, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]))).toBe(
      'token_malformed',
    );
    expect(codeOf(Buffer.from('{"v":"\u00e9"}', 'latin1'))).toBe('token_malformed');
    expect(decode(Buffer.from('{"v":"\u00e9"}', 'utf8')).v).toBe('\u00e9');
  });
});

describe('numbers', () => {
  it.each([
    ['0', 0],
    ['-0', -0],
    ['7', 7],
    ['-12', -12],
    ['1800000000', 1_800_000_000],
    ['123456789012345', 123456789012345],
    ['1234567890123456789', Number('1234567890123456789')],
    ['-1234567890123456', -1234567890123456],
    ['1.5', 1.5],
    ['-0.25', -0.25],
    ['1e3', 1000],
    ['1E+3', 1000],
    ['25e-1', 2.5],
    ['1.5e2', 150],
    ['0.5', 0.5],
  ])('reads %s', (text, value) => {
    expect(decode(`{"n":${text}}`).n).toBe(value);
    expect(decode(`{"n":[${text}]}`).n).toEqual([value]);
  });

  it.each([
    '1.',
    '1.e3',
    '1e',
    '1e+',
    '1E-',
    '.5',
    '-',
    '-a',
    '01',
    '-01',
    '+1',
    '0x10',
    '1.5.2',
    'NaN',
    'Infinity',
  ])('refuses %s', (text) => {
    expect(codeOf(`{"n":${text}}`)).toBe('token_malformed');
  });
});

describe('literals and structure', () => {
  it('reads true, false and null', () => {
    expect(plain(decode('{"a":true,"b":false,"c":null}'))).toEqual({ a: true, b: false, c: null });
  });

  it.each([
    ['a literal that is not one', '{"a":txyz}'],
    ['a truncated literal', '{"a":tru}'],
    ['a capitalised literal', '{"a":True}'],
    ['a truncated false', '{"a":fals}'],
    ['a truncated null', '{"a":nul}'],
    ['a member without a colon', '{"a" 1}'],
    ['a member with another separator', '{"a"=1}'],
    ['a junk character before a member name', '{x"a":1}'],
    ['a member name without its opening quote', '{a":1}'],
    ['a member name with a junk character for its opening quote', '{xa":1}'],
    ['another separator between members', '{"a":1;"b":2}'],
    ['another separator between array items', '{"a":[1;2]}'],
    ['an unquoted member name', '{a:1}'],
    ['a single-quoted member name', "{'a':1}"],
    ['a trailing comma in an object', '{"a":1,}'],
    ['a trailing comma in an array', '{"a":[1,]}'],
    ['a missing comma in an object', '{"a":1 "b":2}'],
    ['a missing comma in an array', '{"a":[1 2]}'],
    ['a missing value', '{"a":}'],
    ['an unclosed object', '{"a":1'],
    ['an unclosed array', '{"a":[1'],
    ['a bracket mismatch', '{"a":[1}'],
    ['text after the object', '{"a":1}x'],
    ['a second object', '{}{}'],
    ['an array at the top', '[1]'],
    ['a string at the top', '"a"'],
    ['empty input', ''],
    ['whitespace only', ' \n'],
    ['a duplicate member', '{"a":1,"a":2}'],
    ['a duplicate registered member', '{"alg":"a","alg":"b"}'],
    ['a duplicate member in a nested object', '{"o":{"k":1,"k":1}}'],
  ])('refuses %s', (_, text) => {
    expect(codeOf(text)).toBe('token_malformed');
  });

  it('accepts insignificant whitespace everywhere RFC 8259 allows it', () => {
    const text = ' \t\r\n{ "a" : [ 1 , { "b" : null } ] , "c" :\t"d" }\n ';
    expect(plain(decode(text))).toEqual(JSON.parse(text));
    expect(plain(decode('{ }'))).toEqual({});
    expect(plain(decode('{"a":[ ]}'))).toEqual({ a: [] });
    expect(plain(decode('{"a":{ }}'))).toEqual({ a: {} });
  });
});

describe('the depth limit (32 levels)', () => {
  const nested = (open: string, close: string, depth: number) =>
    `${open.repeat(depth - 1)}${close.repeat(depth - 1)}`;

  it('applies to objects', () => {
    const objects = (depth: number) => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;
    expect(codeOf(objects(32))).toBeUndefined();
    expect(codeOf(objects(33))).toBe('token_malformed');
  });

  it('applies to arrays, and to objects and arrays mixed', () => {
    const arrays = (depth: number) => `{"a":${nested('[', ']', depth)}}`;
    expect(codeOf(arrays(32))).toBeUndefined();
    expect(codeOf(arrays(33))).toBe('token_malformed');
    const mixed = (pairs: number) => `${'{"a":['.repeat(pairs)}1${']}'.repeat(pairs)}`;
    expect(codeOf(mixed(16))).toBeUndefined();
    expect(codeOf(`${'{"a":['.repeat(16)}{}${']}'.repeat(16)}`)).toBe('token_malformed');
  });
});

describe('registered member names', () => {
  it('come back as the names in the text, registered or not', () => {
    const names = ['alg', 'kid', 'typ', 'iss', 'aud', 'exp', 'source', 'scope', 'email', 'roles'];
    const lookalikes = ['alh', 'kie', 'ty', 'issu', 'aux', 'xp', 'sourcf', 'scopes', 'e', 'rolez'];
    // A non-ASCII first character 128 above a registered one, one character shorter: its
    // table slot would be that name's if the table were indexed without the ASCII guard.
    const offTable = ['\u00e1u', '\u00e1l', '\u00f3ourc', '\u00e9t'];
    for (const name of [...names, ...lookalikes, ...offTable, 'a'.repeat(15), 'a'.repeat(16)]) {
      const decoded = decode(`{"${name}":1}`);
      expect(Object.keys(decoded)).toEqual([name]);
    }
  });

  it('a registered name spelt with an escape is the same member', () => {
    expect(decode('{"\\u0061lg":"x"}').alg).toBe('x');
    expect(codeOf('{"alg":"x","\\u0061lg":"y"}')).toBe('token_malformed');
  });
});
