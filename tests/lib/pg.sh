# Shell helpers to create, start and stop a private PostgreSQL cluster (tests/run, deploy/quickstart).
# shellcheck shell=bash
# Needs common.sh. The cluster runs as the postgres user, so its directory
# must be reachable by postgres (not under a mode-700 /root).

# pg_bindir : the newest installed PostgreSQL server's bin directory.
pg_bindir() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	[ -n "$d" ] && [ -x "$d/pg_ctl" ] || die "no PostgreSQL server in /usr/lib/postgresql (run deploy/install-deps)"
	echo "$d"
}

# pg_init DIR [SETTING=VALUE...] : make DIR (owned by postgres, mode 700) and
# a cluster in DIR/data with superuser "postgres" and trust authentication,
# unless one is there already. Each SETTING is appended to postgresql.conf
# when the cluster is created.
pg_init() {
	local dir=$1 bin s
	shift
	bin=$(pg_bindir)
	mkdir -p "$dir"
	chown postgres:postgres "$dir"
	chmod 700 "$dir"
	reachable_by postgres -w "$dir" ||
		die "the postgres user cannot reach $dir (is a parent directory mode 700?)"
	[ -f "$dir/data/PG_VERSION" ] && return 0
	(cd / && runuser -u postgres -- "$bin/initdb" -D "$dir/data" -U postgres \
	    -A trust -E UTF8 --no-locale) >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; die "initdb failed in $dir"; }
	for s in "$@"; do
		printf '%s\n' "$s" >>"$dir/data/postgresql.conf"
	done
}

# pg_running DIR : true when the cluster in DIR/data runs.
pg_running() {
	local pid
	[ -f "$1/data/postmaster.pid" ] || return 1
	pid=$(head -1 "$1/data/postmaster.pid")
	pid_alive "$pid"
}

# pg_start DIR PORT LOGFILE LISTEN : start the cluster in DIR/data on PORT,
# its socket in DIR, listening on TCP address LISTEN ('' = socket only).
# The server's output is appended to LOGFILE, opened here (by the caller's
# user), so LOGFILE may live where postgres itself cannot write.
pg_start() {
	local dir=$1 port=$2 logfile=$3 listen=$4 bin
	bin=$(pg_bindir)
	no_space "the PostgreSQL directory" "$dir"
	pg_running "$dir" && return 0
	[ ${#dir} -le 90 ] || die "socket directory path too long (over 90 bytes): $dir"
	(cd / && runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -w -t 60 \
	    -o "-p $port -k $dir -c listen_addresses='$listen'" start) \
	    </dev/null >>"$logfile" 2>&1 ||
		{ tail -20 "$logfile" >&2; die "PostgreSQL did not start (log: $logfile)"; }
}

# pg_stop DIR : stop the cluster in DIR/data if it runs (fast shutdown).
pg_stop() {
	local bin
	pg_running "$1" || return 0
	bin=$(pg_bindir)
	(cd / && runuser -u postgres -- "$bin/pg_ctl" -D "$1/data" -m fast -w -t 60 stop) \
	    </dev/null >/dev/null 2>&1 ||
		stop_tree "$(head -1 "$1/data/postmaster.pid")" 30
}

# pg_psql DSN ARGS... : psql as the caller, quiet, stop on the first error.
pg_psql() {
	local dsn=$1
	shift
	"$(pg_bindir)/psql" -X -q -v ON_ERROR_STOP=1 "$dsn" "$@"
}

# pg_createdb DSN NAME : create database NAME (owned by the DSN's user)
# unless it exists; DSN names any existing database, e.g. dbname=postgres.
pg_createdb() {
	local n
	n=$(pg_psql "$1" -At -c "SELECT 1 FROM pg_database WHERE datname = '$2'") ||
		die "cannot connect to PostgreSQL ($1)"
	[ "$n" = 1 ] && return 0
	pg_psql "$1" -c "CREATE DATABASE \"$2\"" >/dev/null
}
