import type { ProviderDefinition } from '../provider-definition';
import { SmppConnection } from './smpp-connection';
import { SmppProvider } from './smpp.provider';
import { smppSettings } from './smpp.settings';

/** Receipts arrive as deliver_sm on the dispatcher's session (SmppProvider.onReceipt), not at a webhook. */
export const smpp: ProviderDefinition = {
  name: 'smpp',
  settings: smppSettings,
  adapter: SmppProvider,
  adapterDeps: [SmppConnection],
  receiptsPerPart: true,
  webhooks: {},
};
