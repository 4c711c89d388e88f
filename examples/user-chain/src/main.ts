import { start } from './index.js';

// `pnpm start`: runs the chain until Ctrl-C.
start()
  .then(({ urls, close }) => {
    console.log(`user service ${urls.users}, gateway ${urls.gateway}, orders ${urls.orders}`);
    console.log(
      `  TOKEN=$(curl -s -X POST ${urls.users}/login -d '{"user":"ada"}' | jq -r .access_token)`,
    );
    console.log(`  accepted: curl -H "Authorization: Bearer $TOKEN" ${urls.gateway}/orders`);
    console.log(`  refused:  curl -i ${urls.gateway}/orders   (no token: 401 token_missing)`);
    process.once('SIGINT', () => {
      close().then(() => process.exit(0));
    });
  })
  .catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
