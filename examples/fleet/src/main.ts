import { PAYMENTS_AUDIENCE, start } from './index.js';

// `pnpm start`: starts the fleet, sends one request to instance a, replays it against
// instance b, and keeps running until Ctrl-C.
start()
  .then(async ({ urls, caller, close }) => {
    console.log(`payments instance a ${urls.a}, instance b ${urls.b} (Redis 127.0.0.1:6379)`);
    const body = JSON.stringify({ amount: 10, currency: 'EUR' });
    const token = await caller.signRequest({
      method: 'POST',
      url: '/payments',
      body,
      audience: PAYMENTS_AUDIENCE,
    });
    const init = {
      method: 'POST',
      body,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    };
    for (const [name, url] of [
      ['a', urls.a],
      ['b (replay)', urls.b],
    ] as const) {
      const answer = await fetch(`${url}/payments`, init);
      console.log(`  instance ${name}: ${answer.status} ${await answer.text()}`);
    }
    process.once('SIGINT', () => {
      close().then(() => process.exit(0));
    });
  })
  .catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
