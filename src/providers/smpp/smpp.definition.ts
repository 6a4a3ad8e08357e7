import { Clock } from '../../common/clock';
import type { ProviderDefinition } from '../provider-definition';
import { SmppConnection } from './smpp-connection';
import { SmppProvider } from './smpp.provider';
import { smppSettings } from './smpp.settings';

/**
 * Receipts and cardholders' texts arrive as deliver_sm on the dispatcher's session (SmppProvider.onReceipt,
 * onInbound), not at a webhook.
 */
export const smpp: ProviderDefinition = {
  name: 'smpp',
  settings: smppSettings,
  adapter: SmppProvider,
  adapterDeps: [SmppConnection, Clock],
  receiptsPerPart: true,
  webhooks: {},
};
