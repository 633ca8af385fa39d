# shellcheck shell=bash
# Shared by the bench/run* scripts (sourced after test/lib.sh): timing,
# medians and ratios, and writing one's own section of bench/results.md.

now() { date +%s.%N; }
# timed VAR COMMAND...: runs the command, appends its wall time to the array VAR.
timed() {
	local var=$1 t0 t1
	shift
	t0=$(now)
	"$@"
	t1=$(now)
	eval "$var+=(\$(echo \"$t1 - $t0\" | bc -l))"
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
ratio() { echo "scale=3; $1 / $2" | bc -l | sed 's/^\./0./'; }
fmt() { printf '%.2f' "$1"; }
mib() { echo "scale=1; $1 / 1048576" | bc -l | sed 's/^\./0./'; }
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# write_section FILE HEADING SECTION: puts the text of the file SECTION, which
# starts with the line HEADING, into FILE in place of the section that starts
# with HEADING and runs to the next heading (of any level), or appends it. So
# each script rewrites its own section of results.md and leaves the others'.
write_section() {
	local out=$1 heading=$2 section=$3
	if [ ! -s "$out" ]; then
		cp "$section" "$out"
		return
	fi
	awk -v h="$heading" -v s="$section" '
		function put(line) { while ((getline line < s) > 0) print line; close(s); done = 1 }
		$0 == h { put(); skip = 1; next }
		skip && /^#/ { print ""; skip = 0 }
		!skip { print }
		END { if (!done) { print ""; put() } }' "$out" >"$out.new"
	mv "$out.new" "$out"
}
