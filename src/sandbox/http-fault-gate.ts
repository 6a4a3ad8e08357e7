import { Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { ProviderName } from '../config/config.schema';
import { SandboxFaults, SandboxRequest } from './sandbox.faults';
import { SandboxMetrics } from './sandbox.metrics';
import { TimerWheel } from './timer-wheel';

export type HttpErrorFault = 'http500' | 'http429';

/**
 * The first step of every provider API request: applies the provider's fault state and the latency.
 * Resolves true when the request should go on; false when the gate has answered (or deliberately not).
 *  - refuse:  the TCP connection is reset at once (the client sees ECONNRESET / "socket hang up");
 *  - timeout: the request is held open unanswered until the client gives up (or the sandbox stops);
 *  - http500 / http429: `renderError` writes the provider's own error response, after any latency;
 *  - slow: latencyMs is added to the global SANDBOX_LATENCY_MS before going on (only for sends when the
 *    fault says `slowRequests: 'send'`). The latency comes before the request is handled, as for a request
 *    that reaches the provider late: the message is taken, and visible to lookups, when the delay is over,
 *    and only then answered (a provider records a message before it answers with its id).
 */
@Injectable()
export class HttpFaultGate implements OnModuleDestroy {
  private readonly held = new Set<Response>();

  constructor(
    private readonly faults: SandboxFaults,
    private readonly wheel: TimerWheel,
    private readonly metrics: SandboxMetrics,
  ) {}

  async pass(
    provider: ProviderName,
    req: Request,
    res: Response,
    renderError: (res: Response, fault: HttpErrorFault) => void,
    request: SandboxRequest = 'send',
  ): Promise<boolean> {
    const fault = this.faults.get(provider);
    if (fault.mode === 'refuse') {
      this.metrics.requests.inc({ provider, outcome: 'fault_refuse' });
      resetConnection(req);
      return false;
    }
    if (fault.mode === 'timeout') {
      this.metrics.requests.inc({ provider, outcome: 'fault_timeout' });
      this.hold(res);
      return false;
    }
    const latency = this.faults.latencyFor(provider, request);
    if (latency > 0) await this.wheel.delay(latency);
    if (fault.mode === 'http500' || fault.mode === 'http429') {
      this.metrics.requests.inc({ provider, outcome: `fault_${fault.mode}` });
      renderError(res, fault.mode);
      return false;
    }
    return true;
  }

  /** Requests held by 'timeout' right now. */
  get holding(): number {
    return this.held.size;
  }

  onModuleDestroy(): void {
    // Held requests would keep the HTTP server from closing.
    for (const res of this.held) res.socket?.destroy();
    this.held.clear();
  }

  private hold(res: Response): void {
    this.held.add(res);
    res.on('close', () => this.held.delete(res));
  }
}

function resetConnection(req: Request): void {
  const socket = req.socket as Request['socket'] & { resetAndDestroy?: () => void };
  // resetAndDestroy sends a TCP RST, the closest thing to a provider's load balancer refusing us.
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}
