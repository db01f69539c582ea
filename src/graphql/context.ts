import type { Principal } from '../auth/principal.js';
import type { Services } from '../services.js';
import type { Loaders } from './loaders.js';

/** Built per request: who is calling, and the services. */
export interface RequestContext {
  principal: Principal | undefined;
  services: Services;
  loaders: Loaders;
  /** This server's address as the caller reached it, for links in answers. */
  baseUrl: string;
}
