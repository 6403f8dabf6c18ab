#!/bin/sh
# The tutorial's post.py in POSIX sh: read CONTENT_LENGTH bytes of the form from stdin, decode the
# firstname field with awk (+ and %XX), escape it for HTML, and print a header block and the page.
form=$(head -c "${CONTENT_LENGTH:-0}")
firstname=$(printf '%s' "$form" | tr '&' '\n' | sed -n 's/^firstname=//p' | head -n 1 | awk '
  BEGIN { for (i = 0; i < 256; i++) hex[sprintf("%02X", i)] = sprintf("%c", i) }
  {
    gsub(/\+/, " ")
    out = ""
    while (match($0, /%[0-9A-Fa-f][0-9A-Fa-f]/)) {
      out = out substr($0, 1, RSTART - 1) hex[toupper(substr($0, RSTART + 1, 2))]
      $0 = substr($0, RSTART + 3)
    }
    out = out $0
    gsub(/&/, "\\&amp;", out); gsub(/</, "\\&lt;", out); gsub(/>/, "\\&gt;", out)
    gsub(/"/, "\\&quot;", out); gsub(/'\''/, "\\&#x27;", out)
    printf "%s", out
  }')
printf 'Content-Type: text/html; charset=utf-8\n'
printf '\n'
printf '<p>Hello world!</p>\n'
printf '<p>%s</p>\n' "$firstname"
