type Json = Record<string, unknown>;

/** Operations that take no credentials (OpenAPI: an empty security requirement list). */
export const publicEndpoint: unknown[] = [];

/** The api role's operational endpoints in the OpenAPI document: no authentication, no audit. */
export function operationalPaths(): Json {
  const get = (operationId: string, summary: string, responses: Json) => ({
    get: { operationId, tags: ['operations'], summary, security: publicEndpoint, responses },
  });
  return {
    '/openapi.json': get('openapi', 'This document', {
      '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } },
    }),
    '/console': get('supportConsole', 'The support console (one HTML page over this API)', {
      '200': { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } },
    }),
    '/metrics': get('metrics', 'Prometheus metrics', {
      '200': {
        description: 'Prometheus text format',
        content: { 'text/plain': { schema: { type: 'string' } } },
      },
    }),
    '/health/live': get('live', 'The process answers', { '200': { description: 'Alive.' } }),
    '/health/ready': get('ready', 'Every dependency of the role answers', {
      '200': { description: 'Ready.' },
      '503': { description: 'A dependency is down; the body names it.' },
    }),
  };
}
