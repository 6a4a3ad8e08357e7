/** One status report as Tencent's callback sends it (the documented fields), for the specs. */
export function tencentReport(over: Record<string, unknown> = {}): Record<string, unknown> & { sid: string } {
  return {
    user_receive_time: '2026-12-07 10:03:04',
    nationcode: '86',
    mobile: '13800138000',
    report_status: 'SUCCESS',
    errmsg: 'DELIVRD',
    description: '用户短信送达成功',
    sid: '2433:336123456789012345678901234',
    ...over,
  };
}
