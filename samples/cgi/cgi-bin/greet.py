#!/usr/bin/env python3
"""Where prg.py redirects to: a GET that reads the name from the query string."""
import html
import os
from urllib.parse import parse_qs

firstname = parse_qs(os.environ.get('QUERY_STRING', '')).get('firstname', [''])[0]
print('Content-Type: text/html; charset=utf-8')
print()
print('<p>Hello, ' + html.escape(firstname) + '!</p>')
