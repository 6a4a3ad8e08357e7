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

  async messages(filter: { provider?: string; to?: string; since?: string } = {}): Promise<SandboxMessage[]> {
    const q = new URLSearchParams({ limit: '200000' });
    for (const [k, v] of Object.entries(filter)) if (v !== undefined) q.set(k, v);
    const res = await fetch(`${this.baseUrl}/sandbox/messages?${q.toString()}`);
    if (!res.ok) throw new Error(`sandbox messages: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { messages: SandboxMessage[] }).messages;
  }

  async count(provider?: string): Promise<number> {
    const res = await fetch(
      `${this.baseUrl}/sandbox/messages/count${provider ? `?provider=${provider}` : ''}`,
    );
    if (!res.ok) throw new Error(`sandbox count: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { count: number }).count;
  }

  async setFault(provider: string, fault: Record<string, unknown>): Promise<void> {
    const res = await fetch(`${this.baseUrl}/sandbox/faults/${provider}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fault),
    });
    if (!res.ok) throw new Error(`sandbox fault: ${res.status} ${await res.text()}`);
  }

  /**
   * The provider accepts every message but `percent` of them end `receipt` (`undelivered` with the error
   * code, or `none`: no receipt ever), the rest delivered: a carrier filtering or a route down.
   */
  async acceptButNotDeliver(
    provider: string,
    fault: { receipt: 'undelivered' | 'failed' | 'none'; percent?: number; errorCode?: string | number },
  ): Promise<void> {
    await this.setFault(provider, {
      receipt: fault.receipt,
      receiptPercent: fault.percent ?? 100,
      ...(fault.errorCode === undefined ? {} : { receiptErrorCode: fault.errorCode }),
    });
  }

  /**
   * Makes the sandbox deliver a cardholder's text to Alertline as the vendor would: a signed webhook
   * (Twilio, Vonage; `forged`/`none` to test the refusal) or a deliver_sm (SMPP).
   */
  async sendInbound(
    provider: string,
    sms: { from: string; text: string; to?: string; signature?: 'valid' | 'forged' | 'none' },
  ): Promise<{ id: string; sent: boolean }> {
    const res = await fetch(`${this.baseUrl}/sandbox/inbound/${provider}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(sms),
    });
    if (!res.ok) throw new Error(`sandbox inbound: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: string; sent: boolean };
  }

  /** Forgets every message the sandbox received. */
  async clearMessages(): Promise<void> {
    const res = await fetch(`${this.baseUrl}/sandbox/messages`, { method: 'DELETE' });
    if (!res.ok) throw new Error(`sandbox clear messages: ${res.status} ${await res.text()}`);
  }

  async clearFaults(): Promise<void> {
    await fetch(`${this.baseUrl}/sandbox/faults`, { method: 'DELETE' });
  }
}
