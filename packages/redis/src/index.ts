export type {
  IoRedisClientLike,
  NodeRedisClientLike,
  NodeRedisClusterLike,
  RedisClientLike,
} from './client.js';
export {
  createRedisReplayStore,
  type RedisReplayStore,
  type RedisReplayStoreOptions,
} from './replay-store.js';
export {
  createRedisRevocationList,
  type RedisRevocationList,
} from './revocation-list.js';
export type { RedisRevocationListOptions } from './revocation-options.js';
