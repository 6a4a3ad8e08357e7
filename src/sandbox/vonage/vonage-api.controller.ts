import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { HttpErrorFault, HttpFaultGate } from '../http-fault-gate';
import type { SandboxRequest } from '../sandbox.faults';
import { VonageApiService, VonageReply } from './vonage-api.service';

/**
 * Vonage's SMS API at `${restHost}/sms/json` (JSON, form or query parameters, as Vonage accepts them) and
 * the message search API under `/search`. Vonage retired Message Search in 2022 (its Reports API replaced
 * it); the sandbox keeps it so an adapter can ask whether a message was taken.
 */
@Controller()
export class VonageApiController {
  constructor(
    private readonly vonage: VonageApiService,
    private readonly gate: HttpFaultGate,
  ) {}

  @Post('sms/json')
  async sendPost(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.send(req, res);
  }

  @Get('sms/json')
  async sendGet(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.send(req, res);
  }

  @Get('search/message')
  async searchOne(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (!(await this.admit(req, res, 'lookup'))) return;
    if (!this.vonage.authenticated(req.query, req.headers.authorization)) return unauthorized(res);
    reply(res, this.vonage.searchOne(typeof req.query.id === 'string' ? req.query.id : undefined));
  }

  @Get('search/messages')
  async searchMany(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (!(await this.admit(req, res, 'lookup'))) return;
    if (!this.vonage.authenticated(req.query, req.headers.authorization)) return unauthorized(res);
    reply(res, this.vonage.searchMany(req.query));
  }

  private async send(req: Request, res: Response): Promise<void> {
    if (!(await this.admit(req, res))) return;
    const params = { ...req.query, ...(typeof req.body === 'object' && req.body ? req.body : {}) };
    reply(res, this.vonage.send(params, req.headers.authorization));
  }

  private admit(req: Request, res: Response, request: SandboxRequest = 'send'): Promise<boolean> {
    return this.gate.pass(
      'vonage',
      req,
      res,
      (r: Response, fault: HttpErrorFault) => reply(r, this.vonage.renderFault(fault)),
      request,
    );
  }
}

function reply(res: Response, answer: VonageReply): void {
  res.status(answer.status).json(answer.body);
}

function unauthorized(res: Response): void {
  res.status(401).json({ 'error-code': '401', 'error-code-label': 'Authentication failed' });
}
