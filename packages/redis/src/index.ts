export type { IoRedisClientLike, NodeRedisClientLike, RedisClientLike } from './client.js';
export {
  createRedisReplayStore,
  type RedisReplayStore,
  type RedisReplayStoreOptions,
} from './replay-store.js';
export {
  createRedisRevocationList,
  type RedisRevocationList,
  type RedisRevocationListOptions,
} from './revocation-list.js';
