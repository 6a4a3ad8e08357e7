import { Controller, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { HttpErrorFault, HttpFaultGate } from '../http-fault-gate';
import { AliyunApiService, AliyunReply } from './aliyun-api.service';

// The SDK sends no body (parameters in the query string); a body would change the signed payload hash.
const EMPTY = Buffer.alloc(0);

/**
 * dysmsapi's RPC endpoint: every action is `POST /?<params>` with the action in the x-acs-action header,
 * as @alicloud/openapi-core sends it when the endpoint points here (ALIYUN_ENDPOINT, protocol http).
 */
@Controller()
export class AliyunApiController {
  constructor(
    private readonly aliyun: AliyunApiService,
    private readonly gate: HttpFaultGate,
  ) {}

  @Post()
  async rpc(@Req() req: Request, @Res() res: Response): Promise<void> {
    // The action is a query parameter (the parameters' own checks come after the gate).
    const action = new URL(req.originalUrl, 'http://sandbox').searchParams.get('Action');
    const pass = await this.gate.pass(
      'aliyun',
      req,
      res,
      (r: Response, fault: HttpErrorFault) => reply(r, this.aliyun.renderFault(fault)),
      action === 'SendSms' ? 'send' : 'lookup',
    );
    if (!pass) return;
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > 0)
      return reply(res, {
        status: 400,
        body: { Code: 'InvalidParameter', Message: 'parameters go in the query string' },
      });
    const params = new URL(req.originalUrl, 'http://sandbox').searchParams;
    const names = [...params.keys()];
    if (new Set(names).size !== names.length)
      return reply(res, {
        status: 400,
        body: { Code: 'InvalidParameter', Message: 'a parameter is repeated' },
      });
    reply(
      res,
      this.aliyun.handle({
        method: 'POST',
        path: '/',
        query: [...params.entries()],
        headers: req.headers,
        body: EMPTY,
      }),
    );
  }
}

function reply(res: Response, answer: AliyunReply): void {
  res.status(answer.status).json(answer.body);
}
