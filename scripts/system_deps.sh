#!/bin/sh
# What the tests need from the machine: Debian's Chromium (browser tests, never a browser
# download), CJK fonts, nginx, and PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 running.
# Under CI=true a missing piece is an error; elsewhere a warning (those tests then skip).
set -u
fail() {
    if [ "${CI:-}" = true ]; then echo "vigil: $1" >&2; exit 1; fi
    echo "vigil: warning: $1" >&2
}
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi; }

if [ ! -x /usr/bin/chromium ] || ! ls /usr/share/fonts/opentype/noto/NotoSansCJK* >/dev/null 2>&1; then
    echo "vigil: installing chromium and fonts-noto-cjk from Debian" >&2
    { as_root apt-get update -q && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q chromium fonts-noto-cjk; } \
        >/tmp/vigil-apt.log 2>&1 || fail "could not install chromium/fonts-noto-cjk (see /tmp/vigil-apt.log)"
fi
# pdftotext (poppler-utils): the document tests read the Chinese back out of rendered PDFs.
command -v pdftotext >/dev/null || { as_root apt-get update -q && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q poppler-utils; } >>/tmp/vigil-apt.log 2>&1 || fail "could not install poppler-utils (see /tmp/vigil-apt.log)"

# nginx: tests/deploy runs the documented reverse-proxy config (docs/deploy/nginx.conf) in front of two web processes.
[ -x /usr/sbin/nginx ] || { as_root apt-get update -q && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q nginx; } >>/tmp/vigil-apt.log 2>&1 || fail "could not install nginx (see /tmp/vigil-apt.log)"

port_open() { python3 -c "import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(('127.0.0.1', $1)))"; }

if ! port_open 5432; then
    echo "vigil: starting PostgreSQL" >&2
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql 2>/dev/null | head -n1)" main start >/dev/null 2>&1 || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do port_open 5432 && break; sleep 1; done
    port_open 5432 || fail "PostgreSQL is not reachable on 127.0.0.1:5432"
fi
if ! port_open 6379; then
    echo "vigil: starting Redis" >&2
    as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null 2>&1 || true
    for _ in 1 2 3 4 5; do port_open 6379 && break; sleep 1; done
    port_open 6379 || fail "Redis is not reachable on 127.0.0.1:6379"
fi
exit 0
