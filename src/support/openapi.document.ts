import { z } from 'zod';
import { PROVIDER_REGISTRY } from '../providers/provider.registry';
import { RESENDABLE_STATUSES } from './resend.policy';
import { ComponentName, componentSchemas } from './openapi.schemas';
import { operationalPaths, publicEndpoint } from './openapi.operations';
import { SEARCH_PAGE_DEFAULT, searchVariants } from './search.query';

// The api role's contract as OpenAPI 3.1, served at GET /openapi.json. Written by hand where the code has
// no schema to derive from (form webhooks, headers); query parameters and response bodies come from zod
// through z.toJSONSchema. openapi.spec.ts fails when a route the api role registers is missing here.

type Json = Record<string, unknown>;
const ref = (name: ComponentName) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: ComponentName, description: string) => ({
  description,
  content: { 'application/json': { schema: ref(name) } },
});
const errors = (...codes: Array<keyof typeof ERROR_RESPONSES>) =>
  Object.fromEntries(codes.map((c) => [c, { $ref: `#/components/responses/${ERROR_RESPONSES[c][0]}` }]));

const ERROR_RESPONSES = {
  '400': ['BadRequest', 'The request is malformed; `message` lists every failing field.'],
  '401': ['Unauthorized', 'No bearer API key, or an unknown one. Audited.'],
  '403': ['Forbidden', 'The key has too small a role for this operation. Audited.'],
  '404': ['NotFound', 'No alert with this id.'],
  '409': ['Conflict', 'The alert is not in a state that allows this; `message` says which state and why.'],
  '429': [
    'TooManyRequests',
    'A resend limit is spent; `message` names it and Retry-After says when to retry.',
  ],
} as const;

function schemaOf(field: z.ZodType): Json {
  const { $schema: _, ...schema } = z.toJSONSchema(field, { io: 'input' });
  return schema;
}

/** One query parameter per field of the search variants; which combinations are valid is in the text. */
function searchParameters(): Json[] {
  const uses: Record<string, string> = {
    transactionId: 'alone: the alert of one transaction',
    cardholderId: 'with from and to: a cardholder’s alerts authorised in the window',
    cardLast4: 'with from and to: alerts for cards ending in these 4 digits in the window',
    from: 'start of the window (inclusive), ISO 8601 with offset; with cardholderId or cardLast4',
    to:
      'end of the window (exclusive), ISO 8601 with offset; with cardholderId or cardLast4; the window spans ' +
      'at most SUPPORT_SEARCH_MAX_WINDOW_DAYS (default 31)',
    limit: `alerts per page (default ${SEARCH_PAGE_DEFAULT})`,
    cursor: 'the nextCursor of the previous page, with the same search; opaque',
  };
  const fields = new Map<string, z.ZodType>();
  for (const variant of Object.values(searchVariants)) {
    for (const [name, field] of Object.entries(variant.shape)) if (!fields.has(name)) fields.set(name, field);
  }
  return [...fields].map(([name, field]) => ({
    name,
    in: 'query',
    required: false,
    description: uses[name] ?? name,
    schema: schemaOf(field),
  }));
}

const alertId = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const bearer = [{ apiKey: [] }];

/** Every receipt webhook the provider registry lists, each with the answers all of them share. */
function webhookPaths(): Json {
  const paths: Json = {};
  for (const provider of PROVIDER_REGISTRY) {
    for (const [hook, webhook] of Object.entries(provider.webhooks)) {
      const operation = webhook.openapi as Json & { responses?: Json };
      paths[`/webhooks/${provider.name}/${hook}`] = {
        post: {
          ...operation,
          tags: ['webhooks'],
          security: publicEndpoint,
          responses: {
            ...operation.responses,
            ...errors('400'),
            '403': { description: 'Missing or invalid signature.' },
          },
        },
      };
    }
  }
  return paths;
}

function supportPaths(): Json {
  return {
    '/v1/session': {
      get: {
        operationId: 'getSession',
        tags: ['support'],
        summary: 'Who the presented API key is',
        description: 'Role support or supervisor. The console checks a pasted key with it. Audited.',
        security: bearer,
        responses: { '200': json('Session', 'The key’s principal and role.'), ...errors('401') },
      },
    },
    '/v1/notifications': {
      get: {
        operationId: 'searchNotifications',
        tags: ['support'],
        summary: 'Find alerts by transaction, cardholder or card last 4',
        description:
          'Exactly one of: `?transactionId=`, `?cardholderId=&from=&to=`, `?cardLast4=&from=&to=`. ' +
          'Role support or supervisor; the support role sees phone numbers masked. Every lookup is audited. ' +
          'Windowed searches are paged: follow `nextCursor` until it is null; each alert comes exactly once.',
        security: bearer,
        parameters: searchParameters(),
        responses: {
          '200': json('NotificationList', 'One page of matching alerts.'),
          ...errors('400', '401'),
          '414': { description: 'Path and query longer than HTTP_MAX_URL_BYTES (default 8 KB).' },
        },
      },
    },
    '/v1/notifications/{id}': {
      get: {
        operationId: 'getNotification',
        tags: ['support'],
        summary: 'One alert with its attempts and event timeline',
        description: 'Role support or supervisor (support sees the phone masked). Audited.',
        security: bearer,
        parameters: [alertId],
        responses: { '200': json('NotificationDetail', 'The alert.'), ...errors('400', '401', '404') },
      },
    },
    '/v1/notifications/{id}/resend': {
      post: {
        operationId: 'resendNotification',
        tags: ['support'],
        summary: 'Send an undelivered alert again',
        description:
          `Supervisor role only. Allowed for alerts that are ${RESENDABLE_STATUSES.join(', ')}; the alert goes ` +
          'back to QUEUED with a new deadline, to the cardholder’s current number, and RESEND_REQUESTED (with ' +
          'who asked) joins its timeline. At most RESEND_LIMIT_PER_HOUR resends per alert (default 3) and ' +
          'RESEND_LIMIT_PER_PRINCIPAL_PER_HOUR per API key (default 100); refused resends do not count. Audited.',
        security: bearer,
        parameters: [alertId],
        responses: {
          '202': json('Notification', 'Queued again; the dispatcher sends it.'),
          ...errors('400', '401', '403', '404', '409', '429'),
        },
      },
    },
    '/v1/reconciliations': {
      post: {
        operationId: 'createReconciliation',
        tags: ['support'],
        summary: 'Reconcile the bank’s list of authorised transactions against the alerts',
        description:
          'Supervisor role only. JSON `{from, to, transactionIds}` for short lists, or `text/csv` with a ' +
          '`transactionId` header column and `?from=&to=`, streamed. The report lists which transactions have no ' +
          'alert, which were skipped and why, which are not delivered. The window spans at most ' +
          'RECONCILIATION_MAX_WINDOW_DAYS (default 31). Audited.',
        security: bearer,
        parameters: [
          { name: 'from', in: 'query', required: false, schema: { type: 'string', format: 'date-time' } },
          { name: 'to', in: 'query', required: false, schema: { type: 'string', format: 'date-time' } },
          {
            name: 'limit',
            in: 'query',
            required: false,
            description:
              'ids listed per category (default RECONCILIATION_LIST_LIMIT); counts are always exact',
            schema: { type: 'integer', minimum: 0, maximum: 100000 },
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: ref('ReconciliationRequest') },
            'text/csv': { schema: { type: 'string' }, example: 'transactionId\ntx-1\ntx-2\n' },
          },
        },
        responses: {
          '200': json('ReconciliationReport', 'The report.'),
          ...errors('400', '401', '403'),
          '408': {
            description:
              'Ran past RECONCILIATION_TIMEOUT_MS (default 120 s) or one query past ' +
              'RECONCILIATION_STATEMENT_TIMEOUT_MS; `message` names which.',
          },
          '413': {
            description:
              'Over a size limit, named in `message`: the JSON body (RECONCILIATION_JSON_MAX_BYTES, 100 kB), the CSV ' +
              '(RECONCILIATION_CSV_MAX_BYTES, 64 MB), its rows (RECONCILIATION_MAX_ROWS, 1,000,000) or one record ' +
              '(RECONCILIATION_MAX_RECORD_BYTES, 4 KB).',
          },
          '415': { description: 'Neither application/json nor text/csv, or a compressed CSV.' },
        },
      },
    },
  };
}

/** The document, built once per process. */
export function openApiDocument(serverUrl?: string): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Alertline API',
      version: '1.0.0',
      description:
        'Card-transaction SMS alerts: provider receipt webhooks, the support API (lookups, supervisor resend, ' +
        'reconciliation) and the support console. Bearer API keys with roles `support` (phone numbers masked) ' +
        'and `supervisor`; every call to /v1 is written to the audit log, refused ones included.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    tags: [
      { name: 'support', description: 'Bearer API key; audited' },
      { name: 'webhooks', description: 'Provider delivery receipts; signed by the provider' },
      { name: 'operations', description: 'No authentication' },
    ],
    paths: { ...webhookPaths(), ...supportPaths(), ...operationalPaths() },
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key from API_KEYS, each mapped to the role support or supervisor.',
        },
      },
      schemas: componentSchemas(),
      responses: Object.fromEntries(
        Object.values(ERROR_RESPONSES).map(([name, description]) => [
          name,
          {
            description,
            ...(name === 'TooManyRequests'
              ? { headers: { 'Retry-After': { description: 'seconds', schema: { type: 'integer' } } } }
              : {}),
            content: { 'application/json': { schema: ref('Error') } },
          },
        ]),
      ),
    },
  };
}
