/**
 * A check before an HTTP row is measured: one GET must answer the expected status and body, so
 * that a misconfigured server (a 403 from file permissions, a 404 from a wrong root, a CGI
 * script that did not run) fails the bench instead of being measured as fast.
 */
import * as http from 'node:http';

/** What every request of a scenario should get. */
export interface ExpectedResponse {
  readonly status: number;
  readonly body: Buffer;
}

/** GET `path` from 127.0.0.1:`port` once; rejects saying what differs from `expected`. */
export function probe(port: number, path: string, expected: ExpectedResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const body = Buffer.concat(chunks);
        if (response.statusCode !== expected.status) {
          reject(new Error(`GET ${path} answered ${response.statusCode}, expected ${expected.status}`));
        } else if (!body.equals(expected.body)) {
          const shown = body.length > 200 ? `${body.length} bytes` : JSON.stringify(body.toString('latin1'));
          reject(new Error(`GET ${path} answered a different body (${shown}), expected ${expected.body.length} bytes`));
        } else {
          resolve();
        }
      });
    });
    request.setTimeout(10_000, () => request.destroy(new Error(`GET ${path} timed out`)));
    request.on('error', reject);
  });
}
