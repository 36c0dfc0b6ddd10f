#!/usr/bin/env bash
# Two app replicas and nginx in front of them, all on loopback, with sticky sessions:
#   bash deploy/run_local.sh            # then open http://127.0.0.1:8600/
# Ports: BINCLF_PROXY_PORT (8600), BINCLF_REPLICA_PORTS ("8601 8602"). Ctrl-C (or SIGTERM) stops all three.
# Both replicas share one cookie secret (STREAMLIT_SERVER_COOKIE_SECRET; a random one if unset).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v nginx >/dev/null || { echo "nginx is not installed: apt-get install -y nginx" >&2; exit 1; }
PROXY_PORT="${BINCLF_PROXY_PORT:-8600}"
read -r -a REPLICA_PORTS <<< "${BINCLF_REPLICA_PORTS:-8601 8602}"
export STREAMLIT_SERVER_COOKIE_SECRET="${STREAMLIT_SERVER_COOKIE_SECRET:-$(python -c 'import secrets; print(secrets.token_hex(32))')}"
PREFIX="$(mktemp -d -t binclf-nginx-XXXXXX)"
PIDS=()

stop() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    [ -f "$PREFIX/nginx.pid" ] && kill "$(cat "$PREFIX/nginx.pid")" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$PREFIX"
}
trap stop EXIT INT TERM

REPLICAS=""
for port in "${REPLICA_PORTS[@]}"; do
    python -m streamlit run app.py --server.address 127.0.0.1 --server.port "$port" --server.headless true \
        > "$PREFIX/replica-$port.log" 2>&1 &
    PIDS+=("$!")
    REPLICAS+="        server 127.0.0.1:$port;"$'\n'
done

python - "$PREFIX" "$PROXY_PORT" "$REPLICAS" <<'PY'
import sys
from pathlib import Path
prefix, port, replicas = sys.argv[1:]
text = Path("deploy/nginx.conf").read_text()
text = text.replace("__PREFIX__", prefix).replace("__LISTEN__", f"127.0.0.1:{port}").replace("__REPLICAS__", replicas.rstrip())
Path(prefix, "nginx.conf").write_text(text)
PY
nginx -p "$PREFIX" -c "$PREFIX/nginx.conf" -g "daemon off;" &
NGINX="$!"
PIDS+=("$NGINX")

for port in "${REPLICA_PORTS[@]}"; do
    for _ in $(seq 120); do
        curl -fs "http://127.0.0.1:$port/_stcore/health" >/dev/null 2>&1 && break
        sleep 0.5
    done
done
kill -0 "$NGINX" 2>/dev/null || { echo "nginx did not start: see the lines above" >&2; exit 1; }
echo "ready: http://127.0.0.1:$PROXY_PORT/ (replicas on ${REPLICA_PORTS[*]})"
wait -n "${PIDS[@]}"
