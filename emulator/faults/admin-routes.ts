/**
 * Emulator admin endpoints (not part of Salesforce): read/replace fault rules, read/reset API usage.
 * They require the admin key printed at start (header `X-Emulator-Admin-Key`), on top of the server
 * listening on 127.0.0.1 only: a loopback-only check alone would let any web page in a local browser
 * flip faults through a cross-site request.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TokenService } from '../auth/tokens';
import { sendRestError } from '../http/errors';
import type { MutableApiUsage } from '../http/usage';
import { FaultConfigError, parseFaultUpdate } from './config';
import type { FaultController } from './controller';

export const ADMIN_KEY_HEADER = 'x-emulator-admin-key';

export interface AdminDeps {
  adminKey: string;
  usage: MutableApiUsage;
  faults: FaultController;
  tokens: TokenService;
}

function keyMatches(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function registerAdminRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { usage, faults, tokens } = deps;

  function usageBody() {
    return {
      used: usage.used(),
      max: usage.max(),
      remaining: Math.max(0, usage.max() - usage.used()),
      byEndpoint: usage.byEndpoint()
    };
  }

  function faultsBody() {
    return {
      ...faults.state(),
      dailyApiLimit: usage.max(),
      apiUsed: usage.used(),
      tokenTtlSeconds: tokens.ttlSeconds()
    };
  }

  app.register(async (admin) => {
    admin.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (!keyMatches(request.headers[ADMIN_KEY_HEADER], deps.adminKey)) {
        return sendRestError(
          reply,
          401,
          'INVALID_ADMIN_KEY',
          `Missing or wrong ${ADMIN_KEY_HEADER} header (the key is printed when the emulator starts)`
        );
      }
    });

    admin.get('/__emulator/faults', async () => faultsBody());

    admin.put('/__emulator/faults', async (request, reply) => {
      let update;
      try {
        update = parseFaultUpdate(request.body);
      } catch (error) {
        if (error instanceof FaultConfigError)
          return sendRestError(reply, 400, 'INVALID_FAULT_CONFIG', error.message);
        throw error;
      }
      if (update.rules !== undefined || update.seed !== undefined) {
        const current = faults.state();
        faults.replace({
          seed: update.seed ?? current.seed,
          rules: update.rules ?? current.rules.map(({ matched: _m, fired: _f, ...rule }) => rule)
        });
      }
      if (update.dailyApiLimit !== undefined) usage.setMax(update.dailyApiLimit);
      if (update.apiUsed !== undefined) usage.setUsed(update.apiUsed);
      if (update.tokenTtlSeconds !== undefined) tokens.setTtlSeconds(update.tokenTtlSeconds);
      const expiredTokens = update.expireTokensNow ? await tokens.expireAllAccessTokens() : 0;
      return { ...faultsBody(), expiredTokens };
    });

    admin.delete('/__emulator/faults', async () => {
      faults.replace({ seed: faults.state().seed, rules: [] });
      return faultsBody();
    });

    admin.get('/__emulator/usage', async () => usageBody());

    admin.post('/__emulator/reset-usage', async () => {
      usage.reset();
      return usageBody();
    });
  });
}
