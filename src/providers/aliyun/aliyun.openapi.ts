import { ALIYUN_REPORT_ACK } from './aliyun.receipts';

/** POST /webhooks/aliyun/report in the OpenAPI document. */
export const aliyunReportOperation = {
  operationId: 'aliyunSmsReport',
  summary: 'Aliyun SMS delivery reports (SmsReport HTTP batch push)',
  description:
    'Aliyun signs nothing: the URL configured in the Aliyun console carries `token` = ALIYUN_RECEIPT_SECRET, ' +
    'compared in constant time. A JSON array of reports; each report_time (Beijing time) must be within the ' +
    'receipt window. Correlated by out_id (our attempt id).',
  parameters: [{ name: 'token', in: 'query', required: true, schema: { type: 'string', minLength: 32 } }],
  requestBody: {
    required: true,
    content: {
      'application/json': {
        schema: {
          type: 'array',
          minItems: 1,
          maxItems: 500,
          items: {
            type: 'object',
            properties: {
              phone_number: { type: 'string' },
              send_time: { type: 'string', examples: ['2026-12-07 10:00:00'] },
              report_time: { type: 'string', examples: ['2026-12-07 10:00:03'] },
              success: { type: 'boolean' },
              err_code: { type: 'string', examples: ['DELIVERED', 'MN:0017'] },
              err_msg: { type: 'string' },
              sms_size: { type: 'string' },
              biz_id: { type: 'string' },
              out_id: { type: 'string' },
            },
            required: ['phone_number', 'send_time', 'report_time', 'success', 'err_code', 'biz_id'],
          },
        },
      },
    },
  },
  responses: {
    '200': {
      description: 'Recorded (Aliyun pushes the batch again on any other answer).',
      content: { 'application/json': { example: ALIYUN_REPORT_ACK } },
    },
  },
};
