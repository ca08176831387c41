#!/bin/bash
# Runs a small grid of test/bench/accuracy.sh (one seed, 5 epochs, hidden
# 16, the data sets of Debian's R packages).  Then it checks that every
# cell of the report trained and predicted, so the cell is there and its
# error is a finite number, at most 1 for a classifier.  Prints "N passed,
# M failed" over the cells.  Run as root.  It took 43 s on a 2-core
# Debian 12 virtual machine shared with other work.
#
# Environment: BASE_MODELS as in accuracy.sh (default "dmtl").

set -euo pipefail

test_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
base_models=${BASE_MODELS:-dmtl}
report=$(mktemp /tmp/hgnn-grid.XXXXXX.md)
trap 'rm -f "$report"' EXIT

SEEDS=1 EPOCHS=5 HIDDEN=16 BASE_MODELS="$base_models" \
	DATASETS="vowel1 vowel2 exam contraception" \
	bash "$test_dir/bench/accuracy.sh" "$report"

passed=0
failed=0

# Checks the cell of data set $1 and model $2 in the report of kind $3.
check_cell()
{
	local dataset=$1 model=$2 kind=$3 row error

	# The rows of a data set's table run from its heading to the next one.
	row=$(awk -v heading="## $dataset ($kind)" -v model="$model" -F ' [|] ' '
		$0 == heading { inside = 1; next }
		/^## / { inside = 0 }
		inside && substr($1, 3) == model { print; exit }' "$report")
	if [ -z "$row" ]; then
		echo "FAILED: $dataset $model: no row in the report"
		failed=$((failed + 1))
		return
	fi
	error=$(awk -F ' [|] ' '{ split($3, parts, " "); print parts[1] }' <<<"$row")
	if ! awk -v value="$error" -v kind="$kind" 'BEGIN {
			if (value !~ /^-?[0-9]+(\.[0-9]+)?$/) exit 1
			if (kind == "classification" && (value < 0 || value > 1)) exit 1
		}'; then
		echo "FAILED: $dataset $model: error '$error' is not a finite" \
			"number (in [0, 1] for a classifier): $row"
		failed=$((failed + 1))
		return
	fi
	echo "ok: $dataset $model: error $error"
	passed=$((passed + 1))
}

for dataset in vowel1 vowel2 contraception exam; do
	kind=classification
	[ "$dataset" = exam ] && kind=regression
	for base_model in $base_models; do
		check_cell "$dataset" "$base_model HGNN" "$kind"
		if [ "$kind" = classification ]; then
			check_cell "$dataset" "$base_model HGNN, sigma 1" "$kind"
		fi
		check_cell "$dataset" "$base_model no augmentation" "$kind"
	done
	if [ "$kind" = classification ]; then
		check_cell "$dataset" "sklearn logistic per task" "$kind"
	else
		check_cell "$dataset" "sklearn ridge per task" "$kind"
	fi
	check_cell "$dataset" "sklearn pooled MLP" "$kind"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
