import { aliyun } from './aliyun/aliyun.definition';
import type { ProviderDefinition } from './provider-definition';
import { smpp } from './smpp/smpp.definition';
import { tencent } from './tencent/tencent.definition';
import { twilio } from './twilio/twilio.definition';
import { vonage } from './vonage/vonage.definition';

/**
 * Every SMS vendor Alertline can send through, one line each (docs/providers.md, "Adding a provider").
 * Unset, PROVIDERS is this order.
 */
export const PROVIDER_REGISTRY: readonly ProviderDefinition[] = [twilio, vonage, smpp, aliyun, tencent];

/** The registered provider of this name, or undefined. */
export function providerDefinition(name: string): ProviderDefinition | undefined {
  return PROVIDER_REGISTRY.find((p) => p.name === name);
}
