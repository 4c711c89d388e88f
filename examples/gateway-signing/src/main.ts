import { start } from './index.js';

// `pnpm start`: runs the three services until Ctrl-C.
start()
  .then(({ urls, close }) => {
    console.log(`backend ${urls.backend}, gateway ${urls.gateway}, orders ${urls.orders}`);
    console.log(
      `  TOKEN=$(curl -s -X POST ${urls.gateway}/token -d '{"user":"ada","password":"lovelace"}' | jq -r .access_token)`,
    );
    console.log(`  accepted: curl -H "Authorization: Bearer $TOKEN" ${urls.orders}/orders`);
    console.log(`  refused:  curl -i ${urls.orders}/orders   (no token: 401 token_missing)`);
    process.once('SIGINT', () => {
      close().then(() => process.exit(0));
    });
  })
  .catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
