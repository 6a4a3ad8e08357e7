export interface SandboxMessage {
  provider: string;
  id: string;
  to: string;
  from?: string;
  body: string;
  segments: number;
  encoding?: string;
  status?: string;
  receivedAt: string;
  clientRef?: string;
}

/** The sandbox's control API: what each provider received, and faults. */
export class SandboxClient {
  constructor(readonly baseUrl: string) {}

  async messages(filter: { provider?: string; to?: string } = {}): Promise<SandboxMessage[]> {
    const q = new URLSearchParams(Object.entries(filter).filter(([, v]) => v !== undefined) as [string, string][]);
    const res = await fetch(`${this.baseUrl}/sandbox/messages?${q.toString()}`);
    if (!res.ok) throw new Error(`sandbox messages: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as SandboxMessage[] | { items: SandboxMessage[] };
    return Array.isArray(body) ? body : body.items;
  }

  async setFault(provider: string, fault: Record<string, unknown>): Promise<void> {
    const res = await fetch(`${this.baseUrl}/sandbox/faults/${provider}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fault),
    });
    if (!res.ok) throw new Error(`sandbox fault: ${res.status} ${await res.text()}`);
  }

  async clearFaults(): Promise<void> {
    await fetch(`${this.baseUrl}/sandbox/faults`, { method: 'DELETE' });
  }
}
