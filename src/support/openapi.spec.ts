import 'reflect-metadata';
import { DynamicModule, RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import pino from 'pino';
import { AppModule } from '../app/app.module';
import { loadConfig } from '../providers/provider-config';
import { AttemptStatus, NotificationRow } from '../notifications/notification.types';
import { NotificationStatus } from '../notifications/notification-status';
import { PROVIDER_REGISTRY } from '../providers/provider.registry';
import { attemptView, eventView, notificationView } from './notification.view';
import { openApiDocument } from './openapi.document';
import { COMPONENTS } from './openapi.schemas';

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'] as const;

/** Every "METHOD /path" the controllers of a module graph declare, read from Nest's decorator metadata. */
function registeredRoutes(root: Type | DynamicModule): Set<string> {
  const routes = new Set<string>();
  const seen = new Set<unknown>();
  const visit = (mod: Type | DynamicModule | Promise<DynamicModule> | undefined) => {
    if (!mod || seen.has(mod) || mod instanceof Promise) return;
    seen.add(mod);
    const dynamic = 'module' in mod ? mod : undefined;
    const type = dynamic ? dynamic.module : (mod as Type);
    const meta = <T>(key: string): T[] => (Reflect.getMetadata(key, type) as T[] | undefined) ?? [];
    for (const imported of [...meta<Type>(MODULE_METADATA.IMPORTS), ...(dynamic?.imports ?? [])]) {
      visit(imported as Type | DynamicModule);
    }
    for (const controller of [...meta<Type>(MODULE_METADATA.CONTROLLERS), ...(dynamic?.controllers ?? [])]) {
      const prefix = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      const proto = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler = proto[name];
        if (
          name === 'constructor' ||
          typeof handler !== 'function' ||
          !Reflect.hasMetadata(PATH_METADATA, handler)
        )
          continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const path = `/${prefix}/${String(Reflect.getMetadata(PATH_METADATA, handler))}`
          .replace(/\/+/g, '/')
          .replace(/(.)\/$/, '$1')
          .replace(/:(\w+)/g, '{$1}');
        // The vendor-neutral receipt route serves each webhook the provider registry lists.
        if (path === '/webhooks/{provider}/{hook}') {
          for (const p of PROVIDER_REGISTRY)
            for (const hook of Object.keys(p.webhooks)) routes.add(`${method} /webhooks/${p.name}/${hook}`);
        } else routes.add(`${method} ${path}`);
      }
    }
  };
  visit(root);
  return routes;
}

function documentedRoutes(doc: Record<string, any>): Set<string> {
  const routes = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
    for (const method of HTTP_METHODS) if (item[method]) routes.add(`${method.toUpperCase()} ${path}`);
  }
  return routes;
}

const schemaKeys = (name: keyof typeof COMPONENTS) =>
  Object.keys((openApiDocument() as any).components.schemas[name].properties as object).sort();

const row: NotificationRow = {
  id: '8f8a4a4e-7d55-4c49-9a59-1d1f1f5f8a11',
  transaction_id: 'tx-1',
  event_id: 'evt-1',
  cardholder_id: 'ch-1',
  card_id: 'card-1',
  card_last4: '4242',
  amount_minor: '4250',
  currency: 'EUR',
  merchant_name: 'CAFE',
  merchant_city: null,
  channel: null,
  authorised_at: new Date(),
  received_at: new Date(),
  status: NotificationStatus.UNDELIVERED,
  skip_reason: null,
  phone_e164: '+447700900123',
  contact_version: '3',
  locale: 'en',
  body: 'text',
  segments: 1,
  encoding: 'GSM-7',
  deadline_at: null,
  provider: 'twilio',
  provider_message_id: 'SM1',
  last_error_code: '30003',
  last_error_detail: null,
  overdue: false,
  lease_until: null,
  lease_generation: 0,
  kind: 'ALERT',
  original_notification_id: null,
  accepted_at: null,
  final_at: null,
  updated_at: new Date(),
  data_key_id: null,
  wrapped_key: null,
  phone_enc: null,
  body_enc: null,
  purged_at: null,
};

describe('OpenAPI document', () => {
  const doc = openApiDocument() as Record<string, any>;

  it('describes exactly the routes the api role registers', () => {
    const config = loadConfig({});
    const registered = registeredRoutes(AppModule.forRole('api', config, pino({ level: 'silent' })));
    // The walk itself must see the routes this document is about, or the comparison proves nothing.
    expect([...registered]).toEqual(
      expect.arrayContaining([
        'GET /v1/notifications/{id}',
        'POST /v1/notifications/{id}/resend',
        'GET /metrics',
        'POST /webhooks/twilio/status',
        'POST /webhooks/vonage/dlr',
      ]),
    );
    expect([...documentedRoutes(doc)].sort()).toEqual([...registered].sort());
  });

  it('is OpenAPI 3.1 with the bearer scheme on every /v1 operation and none on the others', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const method of HTTP_METHODS) {
        if (!item[method]) continue;
        expect([path, item[method].security]).toEqual([
          path,
          path.startsWith('/v1/') ? [{ apiKey: [] }] : [],
        ]);
        expect(Object.keys(item[method].responses).length).toBeGreaterThan(0);
      }
    }
  });

  it('resolves every $ref it uses', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/(\w+)\/(\w+)"/g)];
    expect(refs.length).toBeGreaterThan(10);
    for (const [, section, name] of refs)
      expect([section, name, doc.components[section]?.[name]]).toEqual([section, name, expect.anything()]);
  });

  it('has response schemas with exactly the fields the views return', () => {
    expect(schemaKeys('Notification')).toEqual(
      Object.keys(notificationView(row, 'support', { phone: row.phone_e164, body: row.body })).sort(),
    );
    expect(schemaKeys('NotificationDetail')).toEqual(
      [
        ...Object.keys(notificationView(row, 'support', { phone: row.phone_e164, body: row.body })),
        'attempts',
        'timeline',
        'corrections',
        'correctionOf',
        'replies',
      ].sort(),
    );
    const attempt = attemptView(
      {
        id: 'a',
        notification_id: row.id,
        attempt_no: 1,
        provider: 'twilio',
        status: AttemptStatus.ACCEPTED,
        provider_message_id: 'SM1',
        error_code: null,
        error_detail: null,
        segments: 1,
        handset_text: '【Alertline银行】您尾号4242的卡',
        started_at: new Date(),
        finished_at: null,
      },
      'support',
      '【Alertline银行】您尾号4242的卡',
    );
    expect(schemaKeys('Attempt')).toEqual(Object.keys(attempt).sort());
    const event = eventView({
      id: '1',
      notification_id: row.id,
      at: new Date(),
      type: 'RESEND_REQUESTED',
      status: null,
      provider: null,
      provider_message_id: null,
      error_code: null,
      detail: null,
    });
    expect(schemaKeys('TimelineEvent')).toEqual(Object.keys(event).sort());
  });

  it('derives the search parameters from the zod query schema', () => {
    const params = doc.paths['/v1/notifications'].get.parameters as Array<{ name: string; schema: any }>;
    expect(params.map((p) => p.name).sort()).toEqual([
      'cardLast4',
      'cardholderId',
      'cursor',
      'from',
      'limit',
      'to',
      'transactionId',
    ]);
    expect(params.find((p) => p.name === 'cardLast4')?.schema).toEqual({
      type: 'string',
      pattern: '^\\d{4}$',
    });
    expect(params.find((p) => p.name === 'limit')?.schema).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 500,
    });
  });

  it('documents the paged search and the reconciliation limits', () => {
    expect(schemaKeys('NotificationList')).toEqual(['items', 'nextCursor']);
    const recon = doc.paths['/v1/reconciliations'].post.responses;
    expect(Object.keys(recon)).toEqual(expect.arrayContaining(['408', '413', '415']));
    expect(recon['413'].description).toContain('RECONCILIATION_MAX_ROWS');
  });

  it('documents the resend refusals, 429 with Retry-After', () => {
    const responses = doc.paths['/v1/notifications/{id}/resend'].post.responses;
    expect(Object.keys(responses).sort()).toEqual(['202', '400', '401', '403', '404', '409', '429']);
    expect(doc.components.responses.TooManyRequests.headers['Retry-After']).toBeDefined();
  });
});
