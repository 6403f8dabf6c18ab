/**
 * ResponseWriter: the HTTP handler's `wfile`, which can drop a body the response must not have.
 */
import { RESOLVED } from '../socketserver/settle';
import { SocketWriter } from '../socketserver/socket-writer';

/**
 * A SocketWriter that swallows writes while `discardBody` is set. BaseHTTPRequestHandler sets it
 * after the headers of a response that has no body on the wire (a reply to HEAD, 204, 205, 304),
 * so a handler that writes one anyway cannot desynchronise a keep-alive connection.
 */
export class ResponseWriter extends SocketWriter {
  /** While true, write() sends nothing. */
  discardBody = false;

  override write(data: string | Uint8Array): Promise<void> {
    return this.discardBody ? RESOLVED : super.write(data);
  }
}
