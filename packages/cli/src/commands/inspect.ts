import { type Command, printJson, stringValue } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { describeChecks, explainChecks } from '../explain-checks.js';
import { readToken } from '../inputs.js';
import { decodeToken } from '../token-parts.js';

export const inspect: Command = {
  name: 'inspect',
  summary: 'decode a token WITHOUT verifying it and explain the checks',
  help: `Usage: service-jwt inspect TOKEN|- [--source-claim NAME] [--json]

Decodes the token WITHOUT verifying its signature and explains each check a service-jwt
verifier would apply: algorithm, key, issuer, audience, expiry (in human time), source
claim, body binding, request binding, replay. Nothing printed is trustworthy until
"service-jwt verify" accepts the token. "-" reads the token from standard input.

Options:
  --source-claim NAME   name of the service-source claim (default source)
  --json                print {"ok":true,"verified":false,"header","claims","checks"} on
                        standard output; errors as {"ok":false,"code","message"}
  -h, --help            this help`,
  options: { 'source-claim': { type: 'string', default: 'source' } },
  positionals: 1,
  json: true,
  async run(values, positionals, io) {
    const token = await readToken(io, positionals[0]);
    const { header, claims } = decodeToken(token);
    const nowSeconds = Math.floor(io.now() / 1000);
    const sourceClaim = stringValue(values, 'source-claim') ?? 'source';
    if (values.json) {
      const checks = describeChecks(header, claims, nowSeconds, sourceClaim);
      printJson(io, { ok: true, verified: false, header, claims, checks });
      return EXIT.ok;
    }
    io.stdout(
      [
        'UNVERIFIED: decoded without checking the signature; do not trust these values.',
        `header: ${JSON.stringify(header)}`,
        `claims: ${JSON.stringify(claims, null, 2)}`,
        'checks a verifier would apply:',
        ...explainChecks(header, claims, nowSeconds, sourceClaim),
        '',
      ].join('\n'),
    );
    return EXIT.ok;
  },
};
