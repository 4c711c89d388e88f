import { start } from './index.js';

// `pnpm start`: runs the example until Ctrl-C.
start({ ports: { m1: Number(process.env.M1_PORT ?? 0), m2: Number(process.env.M2_PORT ?? 0) } })
  .then(({ urls, close }) => {
    console.log(`M1 listening on ${urls.m1}, M2 on ${urls.m2}`);
    console.log(`  accepted: curl ${urls.m1}/report        (M1 → M2 with its identity token)`);
    console.log(`  refused:  curl -i ${urls.m2}/inventory  (no token: 401 token_missing)`);
    process.once('SIGINT', () => {
      close().then(() => process.exit(0));
    });
  })
  .catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
