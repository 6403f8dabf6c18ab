#!/usr/bin/env python3
"""Post/Redirect/Get: take the form, then answer 303 See Other with a Location, so the browser
fetches the result with GET (reloading it does not post the form again)."""
import os
import sys
from urllib.parse import parse_qs, urlencode

length = os.environ.get('CONTENT_LENGTH', '')
body = sys.stdin.buffer.read(int(length)) if length.isdigit() else sys.stdin.buffer.read()
firstname = parse_qs(body.decode('utf-8', 'replace')).get('firstname', [''])[0]
print('Status: 303 See Other')
print('Location: /cgi-bin/greet.py?' + urlencode({'firstname': firstname}))
print()
