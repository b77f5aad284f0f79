# Shell helpers to start and stop lighttpd with the shipped deploy/lighttpd/mcpgw.conf.
# shellcheck shell=bash
# Needs common.sh and MCPGW_ROOT (the project root).

# lighttpd_start RUN_DIR LOG_DIR PORT FCGI CONFIG [THREADS] : check and start
# a daemonized lighttpd on 127.0.0.1:PORT serving every path through FCGI.
# Its pid file is RUN_DIR/lighttpd.pid; the responder's stderr goes to
# LOG_DIR/mcpgw.log. ASAN_OPTIONS, UBSAN_OPTIONS and LSAN_OPTIONS of the
# caller's environment reach the responder. The UI's static files come from
# MCPGW_UI_DIR (a shell variable; default: the source tree's src/ui).
lighttpd_start() {
	local run=$1 logs=$2 port=$3 fcgi=$4 conf=$5 threads=${6:-4}
	local shipped="$MCPGW_ROOT/deploy/lighttpd/mcpgw.conf"
	mkdir -p "$run" "$logs"
	[ ${#run} -le 90 ] || die "lighttpd run directory path too long: $run"
	[ -x "$fcgi" ] || die "no executable responder: $fcgi"
	stop_pidfile "$run/lighttpd.pid"
	if ! (
		export MCPGW_LISTEN=127.0.0.1 MCPGW_PORT="$port" MCPGW_FCGI="$fcgi"
		export MCPGW_CONFIG="$conf" MCPGW_THREADS="$threads"
		export MCPGW_LOG_DIR="$logs" MCPGW_RUN_DIR="$run"
		export MCPGW_UI_DIR="${MCPGW_UI_DIR:-$MCPGW_ROOT/src/ui}"
		lighttpd -tt -f "$shipped" && lighttpd -f "$shipped"
	) </dev/null >>"$logs/lighttpd.out" 2>&1; then
		cat "$logs/lighttpd.out" >&2
		die "lighttpd did not start"
	fi
}

# lighttpd_stop RUN_DIR : stop the lighttpd of RUN_DIR and its responders.
lighttpd_stop() {
	stop_pidfile "$1/lighttpd.pid"
}
