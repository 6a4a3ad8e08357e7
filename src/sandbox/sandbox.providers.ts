import { PROVIDER_REGISTRY } from '../providers/provider.registry';

/** The providers the sandbox emulates: every one the product registers. */
export const PROVIDER_NAMES = PROVIDER_REGISTRY.map((p) => p.name) as [string, ...string[]];
