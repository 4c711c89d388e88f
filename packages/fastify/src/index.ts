export type {
  AdapterOptions,
  FastifyReuseOptions,
  FastifyServiceJwtOptions,
  FastifyVerifierOptions,
  PluginOnlyOptions,
} from './options.js';
export {
  type ServiceJwtHook,
  type ServiceJwtRouteConfig,
  serviceJwt,
  serviceJwt as default,
} from './plugin.js';
