#!/bin/sh
# Runs the MCP client (src/mcp.c, through tests/backends/probe-dev.c) against
# real and synthetic backends and checks each outcome. Not part of make
# check: a developer tool for the prober's client.
#
# usage: tests/backends/probe-scenarios.sh [PROBE_DEV_BINARY]
#   (default /tmp/probe-dev; build it as probe-dev.c's comment says)
# env: WRAP   command prefix for every probe, e.g. "valgrind -q
#             --leak-check=full --error-exitcode=99"
#      LOGDIR where backend logs go (default: a new temporary directory).
#             gate-*.log files hold credentials on purpose.
# Needs node and tests/node_modules (server-everything). Prints TAP and a
# final "N passed, M failed" line; exit status 1 on any failure.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
PROBE=${1:-/tmp/probe-dev}
WRAP=${WRAP:-}
LOGDIR=${LOGDIR:-$(mktemp -d /tmp/probe-scenarios.XXXXXX)}
PIDS=""
N=0
FAILED=0

cleanup() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
}
trap cleanup EXIT INT TERM

# start NAME CMD...: runs CMD in the background; its first stdout line is
# the port. Sets the variable port_NAME.
start() {
	name=$1
	shift
	"$@" >"$LOGDIR/$name.out" 2>"$LOGDIR/$name.err" &
	PIDS="$PIDS $!"
	i=0
	while [ ! -s "$LOGDIR/$name.out" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	eval "port_$name=$(head -n 1 "$LOGDIR/$name.out")"
}

# check NAME JQ_FILTER PROBE_ARGS...: the filter must print true.
check() {
	name=$1
	filter=$2
	shift 2
	N=$((N + 1))
	out=$($WRAP "$PROBE" "$@" 2>"$LOGDIR/probe-$N.err")
	rc=$?
	if [ $rc -eq 0 ] && [ "$(printf '%s\n' "$out" | tail -n 1 |
	    jq -r "$filter" 2>/dev/null)" = true ]; then
		echo "ok $N - $name"
	else
		FAILED=$((FAILED + 1))
		echo "not ok $N - $name"
		echo "#   rc=$rc output: $(printf '%s' "$out" | tail -n 1)"
		sed 's/^/#   stderr: /' "$LOGDIR/probe-$N.err" | head -n 20
	fi
}

# ok NAME CONDITION_COMMAND...: a plain assertion.
ok() {
	name=$1
	shift
	N=$((N + 1))
	if "$@"; then
		echo "ok $N - $name"
	else
		FAILED=$((FAILED + 1))
		echo "not ok $N - $name"
	fi
}

node_bin=${NODE:-node}
start se $node_bin "$HERE/launch.mjs" streamableHttp
start sse $node_bin "$HERE/launch.mjs" sse
start gb $node_bin "$HERE/gate.mjs" --upstream "http://127.0.0.1:$port_se" \
    --scheme bearer --credential 's3cret-bearer' \
    --log "$LOGDIR/gate-bearer.log"
start gk $node_bin "$HERE/gate.mjs" --upstream "http://127.0.0.1:$port_se" \
    --scheme api_key --header X-My-Custom-Key --credential 'k3y-abc-123' \
    --log "$LOGDIR/gate-apikey.log"
start gs $node_bin "$HERE/gate.mjs" --upstream "http://127.0.0.1:$port_sse" \
    --scheme bearer --credential 'legacy-tok' --log "$LOGDIR/gate-sse.log"
start nt $node_bin "$HERE/notools.mjs" notools --log "$LOGDIR/notools.log"
start mt $node_bin "$HERE/notools.mjs" manytools
start mts $node_bin "$HERE/notools.mjs" manytools --reply sse
start rp $node_bin "$HERE/notools.mjs" repeat
start hg $node_bin "$HERE/notools.mjs" huge
start hang $node_bin "$HERE/notools.mjs" hang
start html $node_bin "$HERE/notools.mjs" html
start f5 $node_bin "$HERE/notools.mjs" fail500
start lg $node_bin "$HERE/notools.mjs" legacy --endpoint rel
start lgo $node_bin "$HERE/notools.mjs" legacy --endpoint other-origin
L=http://127.0.0.1
EVERYTHING='["echo","get-annotated-message","get-env","get-resource-links","get-resource-reference","get-structured-content","get-sum","get-tiny-image","gzip-file-as-resource","simulate-research-query","toggle-simulated-logging","toggle-subscriber-updates","trigger-long-running-operation"]'
HEALTHY13='.status == "healthy" and .detail == null and .num_tools == 13 and (.tool_names | sort) == '$EVERYTHING

check "server-everything streamableHttp: healthy, its 13 tools" \
    "$HEALTHY13 and .legacy == false and .protocol_version == \"2025-06-18\" and .server_info.version == \"2.0.0\"" \
    "$L:$port_se"
check "same with the /mcp endpoint given" "$HEALTHY13" "$L:$port_se/mcp"
export PROBE_AUTH_VALUE='Bearer s3cret-bearer'
check "bearer gate, right token: healthy with 13 tools" "$HEALTHY13" \
    -H Authorization "$L:$port_gb/"
export PROBE_AUTH_VALUE='Bearer wrong-token'
check "bearer gate, wrong token: auth_failed naming HTTP 401" \
    '.status == "auth_failed" and .http_status == 401 and (.detail | startswith("Failed to fetch tools: credential rejected by the backend (HTTP 401")) and (.detail | contains("PATCH /api/servers/bsrv/auth-credential")) and (.detail | contains("wrong-token") | not)' \
    -H Authorization -P /bsrv "$L:$port_gb/"
unset PROBE_AUTH_VALUE
check "bearer gate, no credential stored: auth_failed" \
    '.status == "auth_failed" and (.detail | contains("none is stored"))' \
    "$L:$port_gb/"
export PROBE_AUTH_VALUE='k3y-abc-123'
check "api_key gate, X-My-Custom-Key: healthy with 13 tools" "$HEALTHY13" \
    -H X-My-Custom-Key "$L:$port_gk/"
check "api_key gate, key in the wrong header: auth_failed" \
    '.status == "auth_failed" and .http_status == 401' \
    -H X-API-Key "$L:$port_gk/"
unset PROBE_AUTH_VALUE
check "server-everything sse (legacy HTTP+SSE): healthy, 13 tools" \
    "$HEALTHY13 and .legacy == true" "$L:$port_sse"
export PROBE_AUTH_VALUE='Bearer legacy-tok'
check "legacy server behind the bearer gate: healthy" \
    "$HEALTHY13 and .legacy == true" -H Authorization "$L:$port_gs/"
unset PROBE_AUTH_VALUE
check "legacy mini server, relative endpoint, reply before 202" \
    '.status == "healthy" and .legacy == true and .num_tools == 3' \
    "$L:$port_lg/"
check "legacy endpoint on another origin refused" \
    '.status == "unhealthy" and (.detail | contains("another origin"))' \
    "$L:$port_lgo/"
check "closed port: unhealthy, backend unreachable" \
    '.status == "unhealthy" and .detail == "Failed to fetch tools: backend unreachable (connection refused to 127.0.0.1:9)"' \
    "$L:9/"
check "no tools capability: the no-standard-tools/list detail" \
    '.status == "healthy" and .tools_ok == false and .num_tools == 0 and (.detail | startswith("Failed to fetch tools: the server does not implement the standard MCP tools/list method"))' \
    "$L:$port_nt/"
check "120 tools over pages of 50 (JSON replies)" \
    '.status == "healthy" and .num_tools == 120 and (.tool_names | unique | length) == 120 and .tool_names[119] == "tool-0119"' \
    "$L:$port_mt/"
check "120 tools over pages of 50 (SSE replies, priming, open streams)" \
    '.status == "healthy" and .num_tools == 120 and .latency_ms < 2500' \
    "$L:$port_mts/"
check "repeated cursor stops the pagination" \
    '.status == "healthy" and .num_tools == 2 and (.detail | contains("repeated"))' \
    "$L:$port_rp/"
check "5 MiB reply refused" \
    '.status == "unhealthy" and (.detail | contains("exceeded the 4 MiB limit"))' \
    "$L:$port_hg/"
check "169.254.169.254 refused by the socket policy" \
    '.status == "unhealthy" and (.detail | contains("outbound address policy")) and (.detail | contains("link-local"))' \
    http://169.254.169.254/latest/
check "localhost refused with deny_private" \
    '.status == "unhealthy" and (.detail | contains("loopback"))' \
    -d "http://localhost:$port_se/"
check "silent backend: times out within timeout_ms (1500)" \
    '.status == "unhealthy" and (.detail | contains("within the 1500 ms probe timeout")) and .latency_ms >= 1500 and .latency_ms < 2500' \
    -t 1500 "$L:$port_hang/"
check "HTML server: not MCP" \
    '.status == "unhealthy" and (.detail | contains("not an MCP server"))' \
    "$L:$port_html/"
check "HTTP 500: unhealthy naming the status" \
    '.status == "unhealthy" and .http_status == 500 and (.detail | contains("HTTP 500"))' \
    "$L:$port_f5/"
check "unresolvable host" \
    '.status == "unhealthy" and (.detail | contains("does not resolve"))' \
    -t 3000 http://no-such-host.invalid/
check "invalid URL" \
    '.status == "unhealthy" and (.detail | contains("URL is invalid"))' \
    ftp://example.com/

# What the gates saw: exactly the stored credential, nothing else.
gate_ok() { # log header value
	jq -e -s --arg h "$2" --arg v "$3" \
	    'map(select(.auth_ok)) | length > 0 and
	     all(.[]; .received == {($h): $v})' "$1" >/dev/null
}
ok "bearer gate received exactly the stored credential" \
    gate_ok "$LOGDIR/gate-bearer.log" authorization 'Bearer s3cret-bearer'
ok "api_key gate received exactly the stored key, only in its header" \
    gate_ok "$LOGDIR/gate-apikey.log" x-my-custom-key 'k3y-abc-123'
ok "legacy gate received the credential on GET and POSTs" \
    gate_ok "$LOGDIR/gate-sse.log" authorization 'Bearer legacy-tok'
session_ok() { # log
	jq -e -s 'length == 3 and .[0].rpc == "initialize" and
	    .[0].session == null and all(.[1:][]; .session != null and
	    .protocol_version == "2025-06-18") and .[2].method == "DELETE"' \
	    "$1" >/dev/null
}
ok "notools server got session id and version after initialize, and a DELETE" \
    session_ok "$LOGDIR/notools.log"

# Concurrency: 200 probes, 64 at once, against one server-everything.
N=$((N + 1))
bench=$($WRAP "$PROBE" -n 200 -j 64 "$L:$port_se/" 2>/dev/null | tail -n 1)
case $bench in
*"healthy=200 "*) echo "ok $N - 200 probes at concurrency 64: $bench" ;;
*)
	FAILED=$((FAILED + 1))
	echo "not ok $N - 200 probes at concurrency 64: $bench"
	;;
esac

echo "1..$N"
echo "$((N - FAILED)) passed, $FAILED failed"
echo "# logs in $LOGDIR"
[ $FAILED -eq 0 ]
