#!/usr/bin/env node
// The tutorial's post.py in Node.js: read the form from stdin, print a header block, then the page.
/* global process, Buffer, URLSearchParams */
'use strict';
const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', () => {
  const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
  const escape = (text) =>
    text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' })[c]);
  process.stdout.write('Content-Type: text/html; charset=utf-8\n');
  process.stdout.write('\n');
  process.stdout.write('<p>Hello world!</p>\n');
  process.stdout.write(`<p>${escape(form.get('firstname') ?? '')}</p>\n`);
});
