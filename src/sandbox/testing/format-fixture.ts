import { SandboxStore } from '../sandbox.store';

/** A stored message's common fields, for the emulators' format specs. */
export const at = Date.UTC(2024, 0, 31, 10, 5, 9);
export const store = new SandboxStore(10);
export const base = {
  partIds: ['ID1'],
  body: 'hi',
  segments: 1,
  encoding: 'GSM-7',
  receivedAt: at,
  plannedReceipt: 'delivered' as const,
};
