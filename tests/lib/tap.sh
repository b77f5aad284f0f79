# Shell helpers to count TAP results and keep the run's pass/fail totals (tests/run).
# shellcheck shell=bash
# Needs common.sh.

TAP_PASSED=0
TAP_FAILED=0

# tap_result OK|FAIL DESCRIPTION : record one check done by the script
# itself, printed as a TAP-like line.
tap_result() {
	if [ "$1" = OK ]; then
		TAP_PASSED=$((TAP_PASSED + 1))
		printf 'ok - %s\n' "$2"
	else
		TAP_FAILED=$((TAP_FAILED + 1))
		printf 'not ok - %s\n' "$2"
	fi
}

# tap_count FILE EXIT_STATUS NAME : add the TAP lines of FILE to the totals.
# "ok" lines pass, "not ok" lines fail; a line marked "# SKIP" or "# TODO"
# is neither (a skipped test is never counted as a pass). Tests announced by
# a plan ("1..N") but never reported count as failed, and so does a non-zero
# EXIT_STATUS that no failed line explains (a crash).
tap_count() {
	local file=$1 rc=$2 name=$3 counts ok notok skip plan missing
	counts=$(awk '
		/^(not )?ok([ \t]|$)/ && $0 ~ /#[ \t]*([Ss][Kk][Ii][Pp]|[Tt][Oo][Dd][Oo])/ {
			skip++
			next
		}
		/^ok([ \t]|$)/ { ok++ }
		/^not ok([ \t]|$)/ { notok++ }
		/^1\.\.[0-9]+/ && plan == "" { sub(/^1\.\./, ""); plan = $1 + 0 }
		END { printf "%d %d %d %d\n", ok, notok, skip, plan == "" ? -1 : plan }
	' "$file" 2>/dev/null) || counts="0 0 0 -1"
	set -- $counts
	ok=$1 notok=$2 skip=$3 plan=$4
	missing=0
	if [ "$plan" -gt $((ok + notok + skip)) ]; then
		missing=$((plan - ok - notok - skip))
	fi
	if [ "$rc" != 0 ] && [ "$notok" = 0 ] && [ "$missing" = 0 ]; then
		missing=1
	fi
	TAP_PASSED=$((TAP_PASSED + ok))
	TAP_FAILED=$((TAP_FAILED + notok + missing))
	if [ "$rc" != 0 ] || [ $((notok + missing)) != 0 ]; then
		printf '# %s: %d passed, %d failed (exit status %s%s)\n' "$name" \
		    "$ok" $((notok + missing)) "$rc" \
		    "$([ $missing = 0 ] || echo ", $missing not reported")"
	else
		printf '# %s: %d passed%s\n' "$name" "$ok" \
		    "$([ "$skip" = 0 ] || echo ", $skip skipped (not counted)")"
	fi
}
