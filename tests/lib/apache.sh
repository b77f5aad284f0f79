# Shell helpers to start and stop Apache + mod_fcgid with the shipped deploy/apache/mcpgw.conf.
# shellcheck shell=bash
# Needs common.sh and MCPGW_ROOT (the project root). Must run as root: Apache
# switches its children to www-data, who must reach the responder binary,
# RUN_DIR and the config (see the header of the shipped file).

# apache_start RUN_DIR LOG_DIR PORT FCGI CONFIG [DEFINE...] : check and start
# a daemonized Apache on 127.0.0.1:PORT serving every path through FCGI.
# Each DEFINE ("NAME value") is passed as -C 'Define NAME value', e.g.
# "MCPGW_ASAN_OPTIONS detect_leaks=1". Pid file: RUN_DIR/httpd.pid. The
# UI's static files come from MCPGW_UI_DIR (a shell variable; default: the
# source tree's src/ui), which www-data must be able to read.
apache_start() {
	local run=$1 logs=$2 port=$3 fcgi=$4 conf=$5 d i
	shift 5
	local shipped="$MCPGW_ROOT/deploy/apache/mcpgw.conf"
	local user=www-data ui=${MCPGW_UI_DIR:-$MCPGW_ROOT/src/ui}
	local args=(-f "$shipped"
	    -C "Define MCPGW_LISTEN 127.0.0.1" -C "Define MCPGW_PORT $port"
	    -C "Define MCPGW_FCGI $fcgi" -C "Define MCPGW_CONFIG $conf"
	    -C "Define MCPGW_LOG_DIR $logs" -C "Define MCPGW_RUN_DIR $run"
	    -C "Define MCPGW_UI_DIR $ui")
	for d in "$@"; do
		args+=(-C "Define $d")
	done
	for d in "$run" "$fcgi" "$conf" "$logs" "$ui"; do
		no_space "an Apache path" "$d"
	done
	mkdir -p "$run" "$logs"
	[ ${#run} -le 80 ] || die "Apache run directory path too long: $run"
	reachable_by "$user" -x "$run" ||
		die "$user cannot reach $run: use a world-traversable directory"
	reachable_by "$user" -x "$fcgi" ||
		die "$user cannot execute $fcgi: copy it to a world-traversable directory"
	reachable_by "$user" -r "$conf" ||
		die "$user cannot read $conf"
	reachable_by "$user" -r "$ui/index.html" ||
		die "$user cannot read $ui/index.html (MCPGW_UI_DIR)"
	stop_pidfile "$run/httpd.pid"
	if ! (apache2 "${args[@]}" -t && apache2 "${args[@]}" -k start) \
	    </dev/null >>"$logs/apache.out" 2>&1; then
		cat "$logs/apache.out" >&2
		die "Apache did not start"
	fi
	for i in $(seq 1 100); do
		[ -s "$run/httpd.pid" ] && return 0
		sleep 0.1
	done
	tail -20 "$logs/error.log" >&2
	die "Apache wrote no pid file"
}

# apache_stop RUN_DIR : stop the Apache of RUN_DIR, its children and their
# responders.
apache_stop() {
	stop_pidfile "$1/httpd.pid" 20
}
