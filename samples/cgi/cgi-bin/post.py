#!/usr/bin/env python3
"""The tutorial's post.py for Python 3: the cgi module is gone (Python 3.13), so the form is read
from stdin with urllib.parse, and the name is HTML-escaped before it is printed."""
import html
import os
import sys
from urllib.parse import parse_qs

length = os.environ.get('CONTENT_LENGTH', '')
body = sys.stdin.buffer.read(int(length)) if length.isdigit() else sys.stdin.buffer.read()
form = parse_qs(body.decode('utf-8', 'replace'))  # extract the form fields from the request body
# Write to stdout; the server reads the header block, then sends the rest as the response body.
print('Content-Type: text/html; charset=utf-8')  # header: what the body is
print()  # blank line, end of headers
print('<p>Hello world!</p>')  # start of content
print('<p>' + html.escape(form.get('firstname', [''])[0]) + '</p>')
