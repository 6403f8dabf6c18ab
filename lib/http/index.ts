/**
 * sockserve/http: Python's http.server for Node.js.
 * `import { ThreadingHTTPServer, BaseHTTPRequestHandler } from 'sockserve/http'`.
 */
export { BaseHTTPRequestHandler } from './base-http-request-handler';
export { HTTPServer, ThreadingHTTPServer, HTTPSServer, ThreadingHTTPSServer, type HTTPSOptions } from './http-server';
export { HTTPMessage } from './http-message';
export { HeaderBlock, type BlockField } from './header-block';
export { HTTPStatus, HTTPStatusAliases, HTTPStatusInfo, lookupStatus, responses, type StatusCode } from './status';
export { DEFAULT_ERROR_MESSAGE, DEFAULT_ERROR_CONTENT_TYPE } from './error-page';
export { ResponseWriter } from './response-writer';
export type { BodyReader } from './body-reader';
export { SimpleHTTPRequestHandler } from './simple-http-request-handler';
export { partial } from './partial';
export type { ResponseBody } from './static/response-body';
export type { RequestPath, PathRejection } from './static/request-path';
export { CGIHTTPRequestHandler } from './cgi-http-request-handler';
