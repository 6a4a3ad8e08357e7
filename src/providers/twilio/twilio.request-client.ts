import http from 'node:http';
import RequestClient from 'twilio/lib/base/RequestClient';
import type Response from 'twilio/lib/http/response';

const DEFAULT_MAX_SOCKETS = 64;

/**
 * The twilio SDK's own HTTP client with every request sent to `baseUrl` instead of *.twilio.com: the path
 * and query are kept, the origin (and an optional path prefix) replaced. Rewriting here covers every Twilio
 * domain and the paging URLs the SDK builds from `next_page_uri`; `edge`/`region` cannot point at localhost.
 *
 *   twilio(sid, token, { httpClient: new SandboxRequestClient('http://127.0.0.1:3010', { timeout: 5000 }) })
 *
 * Note: with `httpClient` given, the twilio() `timeout`/`keepAlive` options are ignored: pass them here.
 */
export class SandboxRequestClient extends RequestClient {
  private readonly base: URL;

  constructor(baseUrl: string, opts: RequestClient.RequestClientOptions = {}) {
    super(opts);
    this.base = new URL(baseUrl);
    // RequestClient only configures an https.Agent; a plain-http sandbox would otherwise share Node's
    // global agent with everything else in the process.
    this.axios.defaults.httpAgent = new http.Agent({
      keepAlive: opts.keepAlive !== false,
      keepAliveMsecs: opts.keepAliveMsecs,
      maxSockets: opts.maxSockets ?? DEFAULT_MAX_SOCKETS,
      maxFreeSockets: opts.maxFreeSockets ?? DEFAULT_MAX_SOCKETS,
      timeout: this.defaultTimeout,
    });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<Response<TData>> {
    return super.request({ ...opts, uri: rewriteOrigin(opts.uri, this.base) });
  }
}

/** `https://api.twilio.com/2010-04-01/X.json?a=1` on `http://host:3010/prefix` -> `http://host:3010/prefix/2010-04-01/X.json?a=1`. */
export function rewriteOrigin(uri: string, base: URL): string {
  const original = new URL(uri);
  const prefix = base.pathname.replace(/\/+$/, '');
  return `${base.origin}${prefix}${original.pathname}${original.search}`;
}
