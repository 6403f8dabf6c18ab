"""The client spec's Python client: http.client against a sockserve server.

Run as `python3 -u http_client.py <port>`. Over ONE HTTPConnection it sends a GET, a POST with a
body, a chunked upload (encode_chunked=True) and another GET, then prints one JSON document: per
request the status, reason, headers, body, and the local port of the connection it went over.
"""

import json
import sys
from http.client import HTTPConnection


def exchange(connection, method, url, **options):
    connection.request(method, url, **options)
    response = connection.getresponse()
    body = response.read()
    return {
        'status': response.status,
        'reason': response.reason,
        'version': response.version,
        'headers': response.getheaders(),
        'body': body.decode('latin-1'),
        'local_port': connection.sock.getsockname()[1] if connection.sock else None,
    }


def chunks():
    yield b'first chunk, '
    yield b'second \x00 chunk, '
    yield b'x' * 5000


def main():
    port = int(sys.argv[1])
    connection = HTTPConnection('127.0.0.1', port, timeout=10)
    results = [
        exchange(connection, 'GET', '/info?step=1'),
        exchange(connection, 'POST', '/upload', body=b'hello from http.client',
                 headers={'Content-Type': 'text/plain'}),
        exchange(connection, 'POST', '/upload', body=chunks(), encode_chunked=True,
                 headers={'Transfer-Encoding': 'chunked'}),
        exchange(connection, 'GET', '/info?step=4'),
    ]
    connection.close()
    print(json.dumps(results))


if __name__ == '__main__':
    main()
