import { formRequestBody } from '../webhook-openapi';

// Vonage posts a webhook as a form or as JSON, as the account is set up; either way signed with `sig`.
const FORM_OR_JSON = ['application/x-www-form-urlencoded', 'application/json'];
const signature = { sig: { type: 'string' }, timestamp: { type: 'string' }, nonce: { type: 'string' } };

/** POST /webhooks/vonage/dlr in the OpenAPI document. */
export const vonageDlrOperation = {
  operationId: 'vonageDeliveryReceipt',
  summary: 'Vonage SMS delivery receipt (DLR)',
  description:
    'Signed DLR: `sig` over every other parameter (query and body) with the signature secret ' +
    '(VONAGE_SIGNATURE_METHOD); also carries `timestamp` and `nonce`. One DLR per part of a long message.',
  requestBody: formRequestBody(
    {
      messageId: { type: 'string', minLength: 1 },
      status: { type: 'string', examples: ['delivered', 'expired', 'failed', 'rejected'] },
      'err-code': { type: ['string', 'integer'] },
      ...signature,
    },
    ['messageId', 'status', 'sig'],
    FORM_OR_JSON,
  ),
  responses: { '204': { description: 'Recorded.' } },
};

/** POST /webhooks/vonage/inbound in the OpenAPI document. */
export const vonageInboundOperation = {
  operationId: 'vonageInboundSms',
  summary: "Vonage inbound SMS (a cardholder's reply)",
  description:
    'Signed like DLRs: `sig` over every other parameter with the signature secret, `timestamp` within ' +
    'RECEIPT_MAX_AGE_SECONDS. Stored once per messageId, linked to the latest alert sent to msisdn.',
  requestBody: formRequestBody(
    {
      messageId: { type: 'string', minLength: 1, maxLength: 128 },
      msisdn: { type: 'string', examples: ['447700900123'] },
      to: { type: 'string' },
      text: { type: 'string', maxLength: 1600 },
      type: { type: 'string', examples: ['text', 'unicode', 'binary'] },
      ...signature,
    },
    ['messageId', 'msisdn', 'to', 'sig'],
    FORM_OR_JSON,
  ),
  responses: { '204': { description: 'Stored (also a repeat).' } },
};
