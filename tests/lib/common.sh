# Shell helpers shared by tests/run and deploy/quickstart: messages, ports, processes, waiting.
# shellcheck shell=bash
# Sourced by bash scripts; defines functions only. Callers set PROG for messages.

# die MESSAGE... : print to stderr and exit 1.
die() {
	printf '%s: %s\n' "${PROG:-mcpgw}" "$*" >&2
	exit 1
}

# note MESSAGE... : a progress line on stderr.
note() {
	printf '%s: %s\n' "${PROG:-mcpgw}" "$*" >&2
}

# abs_dir DIR : the absolute, symlink-free path of an existing directory.
abs_dir() {
	(cd "$1" && pwd -P)
}

# no_space WHAT PATH : refuse paths the daemons' option strings cannot carry.
no_space() {
	case $2 in
	*[[:space:]]*) die "$1 must not contain white space: '$2'" ;;
	esac
}

# port_in_use PORT : true when something listens on TCP PORT (any address).
port_in_use() {
	if command -v ss >/dev/null 2>&1; then
		[ -n "$(ss -Htln "sport = :$1" 2>/dev/null)" ] && return 0
	fi
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# free_port : print a TCP port nobody listens on, never the same twice per
# shell. Picks from 20000-32767, below Linux's ephemeral range.
MCPGW_PORTS_GIVEN=" "
free_port() {
	local p i
	for i in $(seq 1 200); do
		p=$((20000 + RANDOM % 12768))
		case $MCPGW_PORTS_GIVEN in *" $p "*) continue ;; esac
		port_in_use "$p" && continue
		MCPGW_PORTS_GIVEN="$MCPGW_PORTS_GIVEN$p "
		echo "$p"
		return 0
	done
	die "no free TCP port found"
}

# pid_start PID : the process start time (a PID plus this identifies one
# process, even after PID reuse); fails when no such live process exists.
# Zombies count as gone.
pid_start() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	set -- $s
	[ "$1" != Z ] || return 1
	echo "${20}"
}

# pid_alive PID : true while the process runs (not a zombie).
pid_alive() {
	pid_start "$1" >/dev/null
}

# pid_tree PID : print "pid:starttime" for PID and all its descendants.
pid_tree() {
	local all p t
	all=$(ps -e -o pid=,ppid= 2>/dev/null) || return 0
	local queue="$1" next
	while [ -n "$queue" ]; do
		next=""
		for p in $queue; do
			t=$(pid_start "$p") && echo "$p:$t"
			next="$next $(echo "$all" | awk -v pp="$p" '$2 == pp { print $1 }')"
		done
		queue=$(echo $next)
	done
}

# stop_tree PID [SECONDS] : SIGTERM the process, wait for it, then end any of
# its former descendants still running (TERM, then KILL). Only processes that
# are still the very same ones (same start time) are signalled.
stop_tree() {
	local pid=$1 wait=${2:-15} tree e p t i
	pid_alive "$pid" || return 0
	tree=$(pid_tree "$pid")
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 1 $((wait * 10))); do
		pid_alive "$pid" || break
		sleep 0.1
	done
	for sig in TERM KILL; do
		local left=""
		for e in $tree; do
			p=${e%%:*} t=${e##*:}
			[ "$(pid_start "$p" 2>/dev/null)" = "$t" ] || continue
			kill -"$sig" "$p" 2>/dev/null
			left="$left $e"
		done
		[ -n "$left" ] || return 0
		tree=$left
		for i in $(seq 1 30); do
			local any=0
			for e in $tree; do
				p=${e%%:*} t=${e##*:}
				[ "$(pid_start "$p" 2>/dev/null)" = "$t" ] && any=1
			done
			[ $any = 1 ] || return 0
			sleep 0.1
		done
	done
}

# stop_pidfile FILE [SECONDS] : stop_tree the PID in FILE, if any, then
# remove FILE.
stop_pidfile() {
	local pid
	[ -f "$1" ] || return 0
	pid=$(cat "$1" 2>/dev/null)
	case $pid in
	'' | *[!0-9]*) ;;
	*) stop_tree "$pid" "${2:-15}" ;;
	esac
	rm -f "$1"
}

# wait_http URL SECONDS [PIDFILE] : wait until URL answers 200. Gives up
# early when PIDFILE is given and its process has gone.
wait_http() {
	local url=$1 secs=$2 pidfile=${3:-} i code
	for i in $(seq 1 $((secs * 5))); do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" 2>/dev/null)
		[ "$code" = 200 ] && return 0
		if [ -n "$pidfile" ] && [ $i -gt 10 ]; then
			pid_alive "$(cat "$pidfile" 2>/dev/null || echo 0)" || return 1
		fi
		sleep 0.2
	done
	return 1
}

# reachable_by USER TEST PATH : run test(1) TEST on PATH as USER (e.g. -x, -r).
reachable_by() {
	(cd / && runuser -u "$1" -- test "$2" "$3") 2>/dev/null
}

# random_secret : 32 random bytes, base64 (44 characters).
random_secret() {
	head -c 32 /dev/urandom | base64 -w0
	echo
}

# random_password : 18 random bytes as 24 URL-safe characters.
random_password() {
	head -c 18 /dev/urandom | base64 -w0 | tr '+/' '-_'
	echo
}
