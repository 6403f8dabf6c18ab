/**
 * The sockserve command's graceful stop, in process: drain() closes a connection that waits for
 * its next request only after the response it was just given has gone out, even when that
 * response is still kept for the end of the event loop's turn (Connection sends leave then).
 */
import { expect } from 'chai';
import { CommandRequestHandler } from '../../lib/cli/command-handler';
import { HTTPDualStackServer } from '../../lib/cli/dual-stack-server';
import { destroyClients } from '../support/clients';
import { WireClient } from '../support/http-wire';
import { Teardown } from '../support/teardown';

/** Answers `hello`; after answering /drain it starts the server's drain in the same turn. */
class DrainAfterAnswerHandler extends CommandRequestHandler {
  override protocolVersion = 'HTTP/1.1';
  override quiet = true;

  override async do_GET(): Promise<void> {
    this.sendResponse(200);
    this.sendHeader('Content-Length', 5);
    await this.endHeaders();
    await this.wfile.write('hello');
  }

  protected override handleOneRequest(): Promise<void> {
    const next = super.handleOneRequest();
    // The connection now waits for its next request (it is idle), and the response to the one
    // before, whose path is still `path`, is not sent yet.
    if (this.path === '/drain') void this.server.connections.drain(5);
    return next;
  }
}

describe('ConnectionTracker.drain()', () => {
  const teardown = new Teardown();
  afterEach(async () => {
    destroyClients();
    await teardown.run();
  });

  it('sends the response an idle keep-alive connection was just given, then closes it', async () => {
    const server = teardown.server(new HTTPDualStackServer(['127.0.0.1', 0], DrainAfterAnswerHandler));
    await server.ready();
    void teardown.serve(server, 0.05);
    const client = await WireClient.open(server.serverAddress);
    client.write('GET /drain HTTP/1.1\r\nHost: t\r\n\r\n');
    const responses = await client.allResponses();
    expect(responses.map((response) => [response.status, response.body.toString()])).to.deep.equal([[200, 'hello']]);
  });
});
