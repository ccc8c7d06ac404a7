#!/bin/sh
# Render docs/deploy/nginx.conf for one site and print it.
#   SERVER_NAME=vigil.example.gov.cn TLS_CERT=/etc/ssl/vigil/fullchain.pem TLS_KEY=/etc/ssl/vigil/key.pem \
#       HTTP_LISTEN=80 sh docs/deploy/render-nginx.sh 127.0.0.1:8001 127.0.0.1:8002 \
#       > /etc/nginx/conf.d/vigil.conf && nginx -t && systemctl reload nginx
# Arguments: the web processes (host:port, one per `vigil-web@PORT`). Environment (defaults):
#   SERVER_NAME  the public host name (_ = any name; then remove Debian's default site, see README)
#   TLS_CERT, TLS_KEY  certificate chain and key (PEM); none = plain http
#   LISTEN       what the Vigil server listens on (443 ssl with TLS, else 80; e.g. 127.0.0.1:8080)
#   HTTP_LISTEN  with TLS: also listen here for plain http and redirect it to https (none = no redirect)
#   LOG_DIR      the access log's directory (/var/log/nginx)
#   TEMPLATE     the template (nginx.conf beside this script)
set -eu
if [ $# -eq 0 ]; then
    echo "usage: $0 HOST:PORT [HOST:PORT...]   (the web processes behind nginx)" >&2
    exit 2
fi
tls_cert="${TLS_CERT:-}" tls_key="${TLS_KEY:-}"
if { [ -n "$tls_cert" ] && [ -z "$tls_key" ]; } || { [ -z "$tls_cert" ] && [ -n "$tls_key" ]; }; then
    echo "render-nginx.sh: set both TLS_CERT and TLS_KEY, or neither" >&2
    exit 2
fi
if [ -n "$tls_cert" ]; then tls=1; listen="${LISTEN:-443 ssl}"; else tls=0; listen="${LISTEN:-80}"; fi
http_listen="${HTTP_LISTEN:-}"
if [ -n "$http_listen" ] && [ "$tls" = 0 ]; then
    echo "render-nginx.sh: HTTP_LISTEN redirects to https, so it needs TLS_CERT and TLS_KEY" >&2
    exit 2
fi
awk -v name="${SERVER_NAME:-_}" -v listen="$listen" -v logdir="${LOG_DIR:-/var/log/nginx}" -v servers="$*" \
    -v tls="$tls" -v cert="$tls_cert" -v key="$tls_key" -v http_listen="$http_listen" '
    # index/substr, not gsub: a value holding & or \ is copied as it is.
    function put(line, placeholder, value,    at) {
        while ((at = index(line, placeholder)) > 0)
            line = substr(line, 1, at - 1) value substr(line, at + length(placeholder))
        return line
    }
    /@WEB_SERVERS@/ {
        indent = $0; sub(/@WEB_SERVERS@.*/, "", indent)
        n = split(servers, s, " ")
        for (i = 1; i <= n; i++) print indent "server " s[i] " max_fails=3 fail_timeout=10s;"
        next
    }
    /^[ \t]*@TLS@/ { if (!tls) next; sub(/@TLS@/, "") }
    /^@REDIRECT@/ { if (http_listen == "") next; sub(/@REDIRECT@/, "") }
    {
        line = put($0, "@SERVER_NAME@", name); line = put(line, "@HTTP_LISTEN@", http_listen)
        line = put(line, "@LISTEN@", listen); line = put(line, "@LOG_DIR@", logdir)
        line = put(line, "@TLS_CERT@", cert); line = put(line, "@TLS_KEY@", key)
        print line
        if (line !~ /^[ \t]*#/ && line ~ /@[A-Z_]+@/) left = 1  # a comment may name a marker
    }
    END { if (left) { print "render-nginx.sh: the template has a placeholder this script does not know" > "/dev/stderr"; exit 1 } }
' "${TEMPLATE:-$(dirname "$0")/nginx.conf}"
