/**
 * Metadata API of the local org (docs/emulator.md "Metadata API"). emulator/server.ts opens the org's metadata
 * with openOrgMetadata() (it builds the schema every module uses) and mounts the SOAP endpoint with
 * registerMetadataRoutes().
 */
import type { FastifyInstance } from 'fastify';
import type { PGlite } from '@electric-sql/pglite';
import type { OrgContext } from '../core/types';
import { DeployQueue } from './deploy';
import { OrgMetadata } from './org-metadata';
import { registerMetadataRestRoutes } from './rest-routes';
import { registerMetadataSoapRoutes } from './soap-routes';

export { OrgMetadata } from './org-metadata';
export { DeployQueue, APEX_NOT_RUN_MESSAGE } from './deploy';

export interface OrgMetadataService {
  org: OrgMetadata;
  deploys: DeployQueue;
}

export async function openOrgMetadata(
  db: PGlite,
  opts: { forceAppDir?: string | null; orgId: string; now: () => Date }
): Promise<OrgMetadataService> {
  const org = await OrgMetadata.open(db, opts);
  return { org, deploys: new DeployQueue({ db, org, orgId: opts.orgId, now: opts.now }) };
}

export function registerMetadataRoutes(app: FastifyInstance, ctx: OrgContext, service: OrgMetadataService): void {
  registerMetadataSoapRoutes(app, { ctx, org: service.org, deploys: service.deploys });
  registerMetadataRestRoutes(app, {
    deploys: service.deploys,
    orgId: ctx.orgId,
    userName: async (userId) => {
      const user = await ctx.records.retrieve('User', userId, ['Name']).catch(() => null);
      return typeof user?.Name === 'string' ? user.Name : userId;
    }
  });
}
