#!/bin/bash
# Runs a small grid of test/bench/accuracy.sh on the data sets of Debian's
# R packages, with one seed, 5 epochs and hidden 16.  It has every cell of
# the full grid: each base model with and without augmentation, stl,
# sigma 1, the prototype settings and both baselines.  Then it checks that
# every cell of the report trained and predicted: the row is there, its
# error is a finite number, at most 1 for a classifier, and it ran one
# seed.  Last, it checks that the same checks flag a planted report with
# one row missing and one error NaN.  Prints "N passed, M failed" over the
# cells and the planted report.  Run as root.
#
# Environment: BASE_MODELS and JOBS as in accuracy.sh (default all six
# base models, and 2).

set -euo pipefail

test_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
base_models=${BASE_MODELS:-"dmtl tnrmtl dmtrl_laf dmtrl_tucker dmtrl_tt stl"}
report=$(mktemp /tmp/hgnn-grid.XXXXXX.md)
planted=$(mktemp /tmp/hgnn-grid-planted.XXXXXX.md)
trap 'rm -f "$report" "$planted"' EXIT

SEEDS=1 PROTOTYPE_SEEDS=1 EPOCHS=5 HIDDEN=16 BASE_MODELS="$base_models" \
	DATASETS="vowel1 vowel2 exam contraception" \
	bash "$test_dir/bench/accuracy.sh" "$report"

passed=0
failed=0
# The cells that check_report found wrong, one "data set: model" a line.
failed_cells=

# Prints the model names that the report must have for a data set of kind
# $1, one a line.
expected_models()
{
	local kind=$1 base_model

	for base_model in $base_models; do
		if [ "$base_model" = stl ]; then
			echo "stl"
			continue
		fi
		echo "$base_model HGNN"
		if [ "$base_model" = dmtl ] && [ "$kind" = classification ]; then
			echo "dmtl HGNN, sigma 1"
		fi
		echo "$base_model no augmentation"
	done
	echo "dmtl HGNN, prototype settings"
	if [ "$kind" = classification ]; then
		echo "sklearn logistic per task"
	else
		echo "sklearn ridge per task"
	fi
	echo "sklearn pooled MLP"
}

# Checks the cell of data set $2 and model $3 of kind $4 in report $1.
# Counts it in passed or failed and prints why, unless $5 is "quiet".
check_cell()
{
	local file=$1 dataset=$2 model=$3 kind=$4 quiet=${5:-} row error seeds
	local problem=

	# The rows of a data set's table run from its heading to the next one.
	row=$(awk -v heading="## $dataset ($kind)" -v model="$model" -F ' [|] ' '
		$0 == heading { inside = 1; next }
		/^## / { inside = 0 }
		inside && substr($1, 3) == model { print; exit }' "$file")
	if [ -z "$row" ]; then
		problem="no row in the report"
	else
		error=$(awk -F ' [|] ' '{ split($3, parts, " "); print parts[1] }' <<<"$row")
		seeds=$(awk -F ' [|] ' '{ sub(/ [|]$/, "", $NF); print $NF }' <<<"$row")
		if ! awk -v value="$error" -v kind="$kind" 'BEGIN {
				if (value !~ /^-?[0-9]+(\.[0-9]+)?$/) exit 1
				if (kind == "classification" && (value < 0 || value > 1)) exit 1
			}'; then
			problem="error '$error' is not a finite number (in [0, 1] for a"
			problem+=" classifier): $row"
		elif [ "$seeds" != 1 ]; then
			problem="expected 1 seed, found '$seeds': $row"
		fi
	fi
	if [ -n "$problem" ]; then
		[ "$quiet" = quiet ] || echo "FAILED: $dataset $model: $problem"
		failed=$((failed + 1))
		failed_cells+="$dataset: $model"$'\n'
	else
		[ "$quiet" = quiet ] || echo "ok: $dataset $model: error $error"
		passed=$((passed + 1))
	fi
}

# Checks every expected cell of report $1; $2 as in check_cell.
check_report()
{
	local file=$1 quiet=${2:-} dataset kind model

	for dataset in vowel1 vowel2 contraception exam; do
		kind=classification
		[ "$dataset" = exam ] && kind=regression
		while IFS= read -r model; do
			check_cell "$file" "$dataset" "$model" "$kind" "$quiet"
		done < <(expected_models "$kind")
	done
}

check_report "$report"
grid_passed=$passed
grid_failed=$failed

# The planted report drops the stl row of vowel2 (or, without stl, the
# logistic row) and makes the error of exam's first hgnn row NaN.  Its
# checks must fail on exactly those two cells.
missing_model=$(expected_models classification | grep -x stl || true)
[ -n "$missing_model" ] || missing_model="sklearn logistic per task"
nan_model=$(expected_models regression | head -n 1)
awk -v missing="$missing_model" -v nan_model="$nan_model" -F ' [|] ' '
	/^## / { dataset = $0 }
	dataset == "## vowel2 (classification)" && substr($1, 3) == missing { next }
	dataset == "## exam (regression)" && substr($1, 3) == nan_model {
		sub(/ [|] [^|]* ± [^|]* [|]/, " | NaN ± NaN |")
	}
	{ print }' "$report" >"$planted"
passed=0
failed=0
failed_cells=
check_report "$planted" quiet
expected_cells="vowel2: $missing_model"$'\n'"exam: $nan_model"$'\n'
if [ "$failed_cells" = "$expected_cells" ]; then
	echo "ok: planted report: the checks flag its missing and NaN cells"
	grid_passed=$((grid_passed + 1))
else
	echo "FAILED: planted report: expected the checks to flag exactly"
	printf '%s' "$expected_cells"
	echo "but they flagged:"
	printf '%s' "$failed_cells"
	grid_failed=$((grid_failed + 1))
fi

echo "$grid_passed passed, $grid_failed failed"
[ "$grid_failed" -eq 0 ]
