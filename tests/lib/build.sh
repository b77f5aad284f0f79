# Shell helpers to build mcpgw out of tree with autotools (tests/run, deploy/quickstart).
# shellcheck shell=bash
# Needs common.sh and MCPGW_ROOT (the project root).

# build_bootstrap : run autoreconf -fi when ./configure is missing or older
# than configure.ac or Makefile.am.
build_bootstrap() {
	local r=$MCPGW_ROOT
	[ -f "$r/configure.ac" ] || { note "no configure.ac in $r"; return 1; }
	if [ -x "$r/configure" ] && [ "$r/configure" -nt "$r/configure.ac" ] &&
	    { [ ! -f "$r/Makefile.am" ] || [ "$r/Makefile.in" -nt "$r/Makefile.am" ]; }; then
		return 0
	fi
	mkdir -p "$r/m4"
	(cd "$r" && autoreconf -fi)
}

# build_tree DIR [CONFIGURE_ARG...] : configure (again, when the arguments
# changed) and make the programs in DIR, a path relative to the project root
# (build, build-asan). Output goes to stdout.
build_tree() {
	local dir="$MCPGW_ROOT/$1" want have
	shift
	mkdir -p "$dir"
	want=$(printf '%q ' "$@")
	have=$(cat "$dir/.mcpgw-configure-args" 2>/dev/null || echo none)
	if [ ! -f "$dir/Makefile" ] || [ "$want" != "$have" ]; then
		rm -f "$dir/.mcpgw-configure-args"
		(cd "$dir" && "$MCPGW_ROOT/configure" "$@") || return 1
		printf '%s' "$want" >"$dir/.mcpgw-configure-args"
	fi
	make -C "$dir" -j2
}

# build_unit DIR : make the unit test binaries in DIR without running them;
# keeps going past a test that does not compile, so the others still run.
build_unit() {
	make -C "$MCPGW_ROOT/$1" -k -j2 check TESTS=
}

# The configure arguments of the sanitizer build (the contract's).
BUILD_ASAN_ARGS=(CC=clang
    "CFLAGS=-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
    "LDFLAGS=-fsanitize=address,undefined")
