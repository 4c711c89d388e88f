import { REPORTS_AUDIENCE, sampleEvent, start } from './index.js';

// `pnpm start`: invokes the handler with two sample events, then serves it through the local
// runner until Ctrl-C.
start()
  .then(async ({ urls, handler, caller, close }) => {
    const token = await caller.tokenFor(REPORTS_AUDIENCE);
    const signed = sampleEvent({
      method: 'GET',
      target: '/reports?day=2026-11-22',
      headers: { authorization: `Bearer ${token}` },
    });
    const unsigned = sampleEvent({ method: 'GET', target: '/reports' });
    console.log('sample event with the scheduler token:', await handler(signed, {}));
    console.log('sample event without a token:', await handler(unsigned, {}));
    console.log(`\nlocal API Gateway on ${urls.api}`);
    console.log(`  accepted: curl -H "Authorization: Bearer ${token}" ${urls.api}/reports`);
    console.log(`  refused:  curl -i ${urls.api}/reports   (401 token_missing)`);
    process.once('SIGINT', () => {
      close().then(() => process.exit(0));
    });
  })
  .catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
