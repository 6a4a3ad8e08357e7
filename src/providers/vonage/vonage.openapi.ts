import { formBody } from '../webhook-openapi';

/** POST /webhooks/vonage/dlr in the OpenAPI document. */
export const vonageDlrOperation = {
  operationId: 'vonageDeliveryReceipt',
  summary: 'Vonage SMS delivery receipt (DLR)',
  description:
    'Signed DLR: `sig` over every other parameter (query and body) with the signature secret ' +
    '(VONAGE_SIGNATURE_METHOD); also carries `timestamp` and `nonce`. One DLR per part of a long message.',
  requestBody: {
    required: true,
    content: Object.fromEntries(
      ['application/x-www-form-urlencoded', 'application/json'].map((type) => [
        type,
        {
          schema: formBody(
            {
              messageId: { type: 'string', minLength: 1 },
              status: { type: 'string', examples: ['delivered', 'expired', 'failed', 'rejected'] },
              'err-code': { type: ['string', 'integer'] },
              sig: { type: 'string' },
              timestamp: { type: 'string' },
              nonce: { type: 'string' },
            },
            ['messageId', 'status', 'sig'],
          ),
        },
      ]),
    ),
  },
  responses: { '204': { description: 'Recorded.' } },
};
