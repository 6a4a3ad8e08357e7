import type { INestApplication } from '@nestjs/common';
import express, { RequestHandler, Response } from 'express';
import type { AppConfig } from '../../config/app-config';

/** A class of routes with its own body limit; the setting is named in the 413 so an operator can find it. */
export interface BodyRoute {
  name: string;
  /** Lower-case path prefix; the first route whose prefix matches wins. */
  prefix: string;
  limit: number;
  setting: string;
}

export interface HttpLimits {
  maxUrlBytes: number;
  routes: BodyRoute[];
}

export function httpLimitsFrom(config: AppConfig): HttpLimits {
  const route = (name: string, prefix: string, setting: Parameters<AppConfig['get']>[0]): BodyRoute => ({
    name,
    prefix,
    limit: config.get(setting) as number,
    setting,
  });
  return {
    maxUrlBytes: config.get('HTTP_MAX_URL_BYTES'),
    routes: [
      route('provider webhooks', '/webhooks', 'HTTP_WEBHOOK_BODY_MAX_BYTES'),
      route('reconciliations (JSON)', '/v1/reconciliations', 'RECONCILIATION_JSON_MAX_BYTES'),
      route('the support API', '/v1', 'HTTP_SUPPORT_BODY_MAX_BYTES'),
      route('this endpoint', '/', 'HTTP_BODY_MAX_BYTES'),
    ],
  };
}

/**
 * Express matches routes case-insensitively, so the limit is picked on the lower-cased path: /V1/... must
 * not escape the support API's limit.
 */
export function bodyRouteFor(path: string, routes: BodyRoute[]): BodyRoute {
  const p = path.toLowerCase();
  return (
    routes.find((r) => r.prefix === '/' || p === r.prefix || p.startsWith(`${r.prefix}/`)) ??
    routes[routes.length - 1]
  );
}

/**
 * Replaces Nest's global body parsers (100 kB for everything): a 414 for an over-long path before any
 * work, then JSON and form bodies parsed with the limit of their route. A text/csv reconciliation is not
 * parsed here; it is streamed with limits of its own (src/reconciliation).
 */
export function applyHttpLimits(app: INestApplication, config: AppConfig): void {
  const limits = httpLimitsFrom(config);
  app.use(refuseLongUrls(limits.maxUrlBytes));
  app.use(limitedBodies(limits.routes));
}

export function refuseLongUrls(maxBytes: number): RequestHandler {
  return (req, res, next) => {
    const bytes = Buffer.byteLength(req.originalUrl ?? req.url ?? '');
    if (bytes <= maxBytes) return next();
    refuse(
      res,
      414,
      'URI Too Long',
      `request path and query are ${bytes} bytes; at most ${maxBytes} are accepted`,
    );
  };
}

function limitedBodies(routes: BodyRoute[]): RequestHandler {
  const parsers = new Map(
    routes.map((r) => [
      r,
      [express.json({ limit: r.limit }), express.urlencoded({ extended: true, limit: r.limit })] as const,
    ]),
  );
  return (req, res, next) => {
    const route = bodyRouteFor(req.path, routes);
    const [json, form] = parsers.get(route)!;
    const onError = (err?: unknown) => (err ? bodyError(err, route, res) : next());
    json(req, res, (err?: unknown) => (err ? onError(err) : form(req, res, onError)));
  };
}

/** body-parser's error `type` decides the answer (never its message text, which may quote the body). */
function bodyError(err: unknown, route: BodyRoute, res: Response): void {
  const { type = '' } = err as { type?: string };
  switch (type) {
    case 'entity.too.large':
      return refuse(
        res,
        413,
        'Payload Too Large',
        `request body over the ${route.limit}-byte limit of ${route.name} (${route.setting})`,
      );
    case 'parameters.too.many':
      return refuse(res, 413, 'Payload Too Large', 'too many form parameters in the request body');
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return refuse(
        res,
        415,
        'Unsupported Media Type',
        'unsupported charset or content encoding of the body',
      );
    case 'entity.parse.failed':
      return refuse(res, 400, 'Bad Request', 'request body is not valid JSON');
    default:
      return refuse(res, 400, 'Bad Request', 'request body could not be read (aborted or malformed)');
  }
}

/**
 * The JSON error shape of every other 4xx. `Connection: close`: the rest of a refused body is not read, so
 * the connection is not reused (Node would otherwise drain a body of any size to keep it alive).
 */
function refuse(res: Response, statusCode: number, error: string, message: string): void {
  res.setHeader('Connection', 'close');
  res.status(statusCode).json({ statusCode, error, message });
}
