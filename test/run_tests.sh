#!/bin/bash
# Runs every test suite of hgnn.  Run as root on Debian 12:
#   sudo bash test/run_tests.sh
#
# test/setup.sh installs packages and the extension first.  Then eight
# suites run, each even when an earlier one failed:
#   C tests        make -C test: the model math, without a server
#   planted bugs   test/plant_bug.sh: test_grad must fail on each broken
#                  backward function
#   installcheck   pg_regress on sql/ against a throwaway cluster
#   e2e vowel      test/e2e_vowel.sh, in a throwaway cluster of its own
#   e2e exam       test/e2e_exam.sh: regression on the Exam scores, in a
#                  throwaway cluster of its own
#   dump restore   test/dump_restore.sh: pg_dump keeps the model catalog
#   pg_cron        test/cron_retrain.sh: retraining jobs of pg_cron
#   e2e grid       test/e2e_grid.sh: a small grid of test/bench/accuracy.sh,
#                  every cell must train and predict
# The last line counts the suites: "N passed, M failed".  The exit status
# is non-zero when setup or any suite fails.
#
# Environment: SUITE_TIMEOUT, the maximum run time of one suite in seconds
# (default 1200).  A suite past it is stopped and counted as failed, so
# that CI, which stops a run after 90 minutes, still gets the summary.

set -uo pipefail

test_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$test_dir/.." && pwd)
pg_config=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
suites=("C tests" "planted gradient bugs" "installcheck" "e2e vowel"
	"e2e exam" "dump restore" "pg_cron retrain" "e2e grid")
suite_timeout=${SUITE_TIMEOUT:-1200}

passed=0
failed=0
results=()

# Records the outcome of suite $1 from exit status $2.
record()
{
	if [ "$2" -eq 0 ]; then
		passed=$((passed + 1))
		results+=("ok: $1")
	elif [ "$2" -eq 124 ]; then
		failed=$((failed + 1))
		results+=("FAILED: $1 (timed out after $suite_timeout s)")
	else
		failed=$((failed + 1))
		results+=("FAILED: $1 (exit status $2)")
	fi
}

# Runs a command with the suite time limit.  timeout sends SIGTERM to its
# whole process group, so psql and pg_regress stop too and the cluster
# traps get to run.  Exit status 124 means the limit was reached.
run_limited()
{
	timeout -k 60 "$suite_timeout" "$@"
}

banner()
{
	echo
	echo "=== $1 ==="
}

banner "setup"
if ! bash "$test_dir/setup.sh"; then
	echo "FAILED: test/setup.sh, so no suite ran"
	echo "0 passed, ${#suites[@]} failed"
	exit 1
fi

banner "${suites[0]}"
run_limited make -C "$test_dir"
record "${suites[0]}" $?

banner "${suites[1]}"
run_limited bash "$test_dir/plant_bug.sh"
record "${suites[1]}" $?

banner "${suites[2]}"
run_installcheck()
{
	local status diffs

	. "$test_dir/pgcluster.sh"
	pgcluster_start || return 1
	rm -rf "$repo/build/regress"
	run_limited make -C "$repo" installcheck PG_CONFIG="$pg_config" \
		PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER=postgres
	status=$?
	if [ "$status" -ne 0 ]; then
		for diffs in "$repo/build/regress/regression.diffs" \
			"$repo/regression.diffs"; do
			if [ -f "$diffs" ]; then
				echo "--- $diffs"
				cat "$diffs"
			fi
		done
	fi
	pgcluster_stop "$status"
	return "$status"
}
# A subshell, so that the cluster's EXIT trap fires when the suite ends.
(run_installcheck)
record "${suites[2]}" $?

banner "${suites[3]}"
run_limited bash "$test_dir/e2e_vowel.sh"
record "${suites[3]}" $?

banner "${suites[4]}"
run_limited bash "$test_dir/e2e_exam.sh"
record "${suites[4]}" $?

banner "${suites[5]}"
run_limited bash "$test_dir/dump_restore.sh"
record "${suites[5]}" $?

banner "${suites[6]}"
run_limited bash "$test_dir/cron_retrain.sh"
record "${suites[6]}" $?

banner "${suites[7]}"
run_limited bash "$test_dir/e2e_grid.sh"
record "${suites[7]}" $?

banner "summary"
printf '%s\n' "${results[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
