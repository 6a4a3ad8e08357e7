import { TENCENT_MAX_REPORTS } from './tencent.receipt';

const text = { type: 'string' };

/** POST /webhooks/tencent/status in the OpenAPI document. */
export const tencentStatusOperation = {
  operationId: 'tencentStatusCallback',
  summary: 'Tencent Cloud SMS status callback (delivery receipts)',
  description:
    'Tencent signs nothing: the URL carries TENCENT_CALLBACK_TOKEN as `token`, compared in constant time. ' +
    'A JSON array of final reports (SUCCESS / FAIL), correlated by `sid` (SendSms SerialNo); a report whose ' +
    '`user_receive_time` (China Standard Time) is older than TENCENT_RECEIPT_MAX_AGE_SECONDS refuses the call.',
  parameters: [{ name: 'token', in: 'query', required: true, schema: { type: 'string' } }],
  requestBody: {
    required: true,
    content: {
      'application/json': {
        schema: {
          type: 'array',
          minItems: 1,
          maxItems: TENCENT_MAX_REPORTS,
          items: {
            type: 'object',
            properties: {
              user_receive_time: { type: 'string', examples: ['2026-12-07 10:03:04'] },
              nationcode: text,
              mobile: text,
              report_status: { type: 'string', examples: ['SUCCESS', 'FAIL'] },
              errmsg: { type: 'string', examples: ['DELIVRD', 'UNDELIV'] },
              description: text,
              sid: { type: 'string', minLength: 1 },
            },
            required: [
              'user_receive_time',
              'nationcode',
              'mobile',
              'report_status',
              'errmsg',
              'description',
              'sid',
            ],
          },
        },
      },
    },
  },
  responses: {
    '200': {
      description: 'Recorded (also when it changed nothing or matched no message yet).',
      content: {
        'application/json': {
          schema: {
            type: 'object',
            properties: { result: { type: 'integer', const: 0 }, errmsg: { type: 'string', const: 'OK' } },
          },
        },
      },
    },
  },
};
