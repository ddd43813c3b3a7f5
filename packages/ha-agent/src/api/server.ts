import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { HaError } from '../errors.ts';
import type { EventLoopMonitor } from './event-loop-monitor.ts';
import { createMetricsRegistry } from './metrics.ts';
import type { AgentStatus } from './status-schema.ts';

export interface StatusApiOptions {
  /** global_defs statusApi: address (default 127.0.0.1), port (default 8585), token */
  address?: string;
  port?: number;
  /** bearer token; when set, /status and /metrics answer 401 without it (`/healthz` stays open) */
  token?: string | null;
  getStatus(): AgentStatus;
  eventLoop?: EventLoopMonitor;
  /** a pino logger; requests are not logged (a scraper every few seconds is noise) */
  logger?: FastifyBaseLogger;
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1].trim());
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The fastify app without listening (tests use `inject`). */
export function buildStatusApi(opts: StatusApiOptions): FastifyInstance {
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    logController: new LogController({ disableRequestLogging: true }),
    // The API is tiny and local: small limits, short timeouts.
    bodyLimit: 1024,
    connectionTimeout: 10_000,
    requestTimeout: 10_000,
  });
  const registry = createMetricsRegistry(opts.getStatus, opts.eventLoop);
  const token = opts.token ?? null;

  app.addHook('onRequest', async (req, reply) => {
    if (!token || req.url === '/healthz') return;
    if (!tokenMatches(req.headers.authorization, token)) {
      reply.header('www-authenticate', 'Bearer realm="ha-agent"');
      return reply
        .code(401)
        .send({ error: 'unauthorized', message: 'send Authorization: Bearer <status_api token>' });
    }
  });

  app.get('/status', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    return opts.getStatus();
  });

  app.get('/metrics', async (_req, reply) => {
    const text = await registry.metrics();
    return reply.type(registry.contentType).send(text);
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.setNotFoundHandler((_req, reply) =>
    reply.code(404).send({ error: 'not found', endpoints: ['/status', '/metrics', '/healthz'] }),
  );
  return app;
}

export interface RunningStatusApi {
  app: FastifyInstance;
  /** the bound address and port (port 0 in the options picks a free one) */
  address: string;
  port: number;
  close(): Promise<void>;
}

export async function startStatusApi(opts: StatusApiOptions): Promise<RunningStatusApi> {
  const app = buildStatusApi(opts);
  await app.listen({ host: opts.address ?? '127.0.0.1', port: opts.port ?? 8585 });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string')
    throw new HaError('HA_ERR_API', `status API did not bind a TCP address (got ${JSON.stringify(addr)})`);
  return { app, address: addr.address, port: addr.port, close: () => app.close() };
}
