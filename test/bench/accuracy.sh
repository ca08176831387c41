#!/bin/bash
# Measures the test accuracy of hgnn and of scikit-learn baselines on a grid
# of data sets, base models and seeds, and writes the report as Markdown.
# Needs the extension installed (test/setup.sh), /usr/bin/python3 with
# Debian's python3-sklearn, and R with mlbench and mlmRev.  Run as root.
# Not part of CI: the default grid trains hundreds of models.
#
# usage: accuracy.sh [REPORT]      (default docs/accuracy.md)
#
# Every cell is one data set and one model, trained once per seed on the
# same split.  Its score is the mean over tasks of the test error
# (classification) or of the test MSE in the units of the label
# (regression).  The report gives the mean and sample standard deviation
# of the score over the seeds, and the mean wall time of training plus
# scoring.  For landmine it also gives the mean per-task ROC AUC of label 1.
#
# hgnn cells, for each base model except stl: HGNN (augment true), HGNN
# with "sigma": 1 (dmtl classifiers only) and the model without
# augmentation ("augment": false).  Base model stl is one cell, "stl",
# because it rejects augment true.  The cell "dmtl HGNN, prototype
# settings" trains with the prototype's options (prototype_options of
# datasets.sh).  Baselines, through sklearn_baselines.py: a logistic
# regression (Ridge for regression) per task, and one MLP with
# scikit-learn's default options (max_iter 1000) over the features plus a
# one-hot task id.
#
# Environment:
#   SEEDS            training seeds (default "1 2 3 4 5"); the split is fixed
#   SPLIT_SEED       seed of every md5 split (default 1)
#   BASE_MODELS      values of the option base_model (default "dmtl tnrmtl
#                    dmtrl_laf dmtrl_tucker dmtrl_tt stl"); dmtl, one output
#                    layer per task, is the model of hgnn builds without
#                    that option, so for dmtl the option is not passed
#   PROTOTYPE_SEEDS  seeds of the prototype cell (default "1 2"); empty
#                    leaves the cell out.  With hidden 600 it is the slowest.
#   EPOCHS, HIDDEN   when set and not empty, the epochs and hidden width of
#                    every hgnn cell, the prototype cell too; else each
#                    cell uses the extension's defaults or its own options
#   DATASETS         data sets to run (default: all of vowel1 vowel2 exam
#                    contraception office_surf school sarcos landmine)
#   DATA_DIR         folder of the benchmark CSVs (default ../shared/data
#                    relative to the repository); a missing CSV skips its
#                    data set with a printed line
#   JOBS             hgnn cells trained at once, each in its own sessions
#                    (default 2)
#   BLAS_THREADS     value of hgnn.blas_threads (default: the GUC's default)

set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/datasets.sh"

report=${1:-$repo/docs/accuracy.md}
seeds=${SEEDS:-"1 2 3 4 5"}
base_models=${BASE_MODELS:-"dmtl tnrmtl dmtrl_laf dmtrl_tucker dmtrl_tt stl"}
prototype_seeds=${PROTOTYPE_SEEDS-"1 2"}
datasets=${DATASETS:-$dataset_names}
jobs=${JOBS:-2}
python=/usr/bin/python3
command_line=$(format_command "$*" SEEDS SPLIT_SEED BASE_MODELS \
	PROTOTYPE_SEEDS EPOCHS HIDDEN DATASETS DATA_DIR JOBS BLAS_THREADS \
	PGCLUSTER_BIN)

# Seeds go to SQL as integer; nine digits keep them in its range.
for value in $seeds $prototype_seeds; do
	if ! [[ $value =~ ^[0-9]{1,9}$ ]]; then
		echo "accuracy.sh: invalid seed '$value' in SEEDS or" \
			"PROTOTYPE_SEEDS: expected integers from 0 to 999999999" >&2
		exit 2
	fi
done
if [ -z "${seeds// /}" ]; then
	echo "accuracy.sh: SEEDS has no seed" >&2
	exit 2
fi
for value in ${EPOCHS:-} ${HIDDEN:-} $jobs; do
	if ! [[ $value =~ ^[1-9][0-9]{0,5}$ ]]; then
		echo "accuracy.sh: invalid number '$value' in EPOCHS, HIDDEN or" \
			"JOBS: expected integers from 1 to 999999" >&2
		exit 2
	fi
done
for base_model in $base_models; do
	case $base_model in
	dmtl | tnrmtl | dmtrl_laf | dmtrl_tucker | dmtrl_tt | stl) ;;
	*)
		echo "accuracy.sh: unknown base model '$base_model' in" \
			"BASE_MODELS: expected dmtl, tnrmtl, dmtrl_laf, dmtrl_tucker," \
			"dmtrl_tt or stl" >&2
		exit 2
		;;
	esac
done
check_dataset_names DATASETS "$datasets"
if ! "$python" -c 'import sklearn' 2>/dev/null; then
	echo "accuracy.sh: $python cannot import sklearn; install Debian's" \
		"python3-sklearn" >&2
	exit 1
fi

work_dir=$(mktemp -d /tmp/hgnn-accuracy.XXXXXX)
PGCLUSTER_ON_EXIT="rm -rf '$work_dir'"
. "$test_dir/pgcluster.sh"
pgcluster_start
export_session_options

run_sql <<'SQL'
CREATE EXTENSION hgnn;
-- One row per trained model and seed; error is the mean per-task test
-- error or MSE, auc the mean per-task AUC (NULL unless measured).
-- position orders the models of a data set in the report.
CREATE TABLE acc_result (
	dataset text NOT NULL,
	model text NOT NULL,
	options text NOT NULL,
	seed integer NOT NULL,
	error double precision,
	auc double precision,
	seconds double precision NOT NULL,
	position integer NOT NULL
);
SQL
create_dataset_table

# Trains and scores one hgnn cell: data set $1, model name $2, options $3
# (JSON without the seed), seed $4, AUC wanted when $5 is "auc", report
# position $6.
run_hgnn_cell()
{
	local dataset=$1 model=$2 options=$3 seed=$4 want_auc=$5 position=$6
	local kind start seconds result

	kind=$(dataset_kind "$dataset")
	start=$(date +%s.%N)
	if ! result=$(score_hgnn_model "acc_${dataset}_train" \
		"acc_${dataset}_test" "$kind" "$options" "$seed" "$want_auc"); then
		echo "accuracy.sh: $dataset $model $options seed $seed: training" \
			"or scoring failed" >&2
		return 1
	fi
	seconds=$(elapsed_seconds "$start")
	run_sql -v ds="$dataset" -v model="$model" -v options="$options" \
		-v seed="$seed" -v result="$result" -v seconds="$seconds" \
		-v position="$position" <<'SQL'
INSERT INTO acc_result (dataset, model, options, seed, error, auc, seconds,
						position)
VALUES (:'ds', :'model', :'options', :'seed',
		nullif(split_part(:'result', '|', 1), '')::float8,
		nullif(split_part(:'result', '|', 2), '')::float8, :'seconds',
		:'position');
SQL
	echo "accuracy.sh: $dataset $model seed $seed: $result ($seconds s)"
}

# Scores the scikit-learn baselines on the split of data set $1 that
# export_split wrote, with seed $2, AUC wanted when $3 is "auc", at report
# positions from $4 on.
run_sklearn_cells()
{
	local dataset=$1 seed=$2 want_auc=$3 position=$4 kind mode
	local name error auc seconds options

	kind=$(dataset_kind "$dataset")
	mode=$kind
	[ "$want_auc" = auc ] && mode=classification_auc
	"$python" "$bench_dir/sklearn_baselines.py" "$mode" \
		"$work_dir/$dataset.train" "$work_dir/$dataset.test" "$seed" \
		>"$work_dir/sklearn.out"
	while IFS='|' read -r name error auc seconds; do
		case $name in
		"logistic per task")
			options="LogisticRegression(max_iter=1000); a task with one"
			options+=" training class predicts it"
			;;
		"ridge per task") options="Ridge(alpha=1)" ;;
		"pooled MLP")
			if [ "$kind" = regression ]; then
				options="MLPRegressor(max_iter=1000), other options default"
			else
				options="MLPClassifier(max_iter=1000), other options default"
			fi
			;;
		*) options="default options" ;;
		esac
		run_sql -v ds="$dataset" -v model="sklearn $name" \
			-v options="$options" -v seed="$seed" -v error="$error" \
			-v auc="$auc" -v seconds="$seconds" -v position="$position" <<'SQL'
INSERT INTO acc_result (dataset, model, options, seed, error, auc, seconds,
						position)
VALUES (:'ds', :'model', :'options', :'seed', nullif(:'error', '')::float8,
		nullif(:'auc', '')::float8, :'seconds', :'position');
SQL
		echo "accuracy.sh: $dataset sklearn $name seed $seed: $error|$auc ($seconds s)"
		position=$((position + 1))
	done <"$work_dir/sklearn.out"
}

# Writes the training and test rows of data set $1 as the tab-separated
# files that sklearn_baselines.py reads.
export_split()
{
	local dataset=$1 part

	for part in train test; do
		run_sql -c "\\copy (SELECT id, task, label, array_to_string(features, ',') FROM acc_${dataset}_$part ORDER BY id) TO '$work_dir/$dataset.$part'"
	done
}

# The options that EPOCHS and HIDDEN set in every hgnn cell, as JSON.
common_options=$(run_sql -v epochs="${EPOCHS:-}" -v hidden="${HIDDEN:-}" <<'SQL'
SELECT jsonb_strip_nulls(jsonb_build_object(
		   'epochs', nullif(:'epochs', '')::int,
		   'hidden', nullif(:'hidden', '')::int))::text
SQL
)

# Prints setting $1 of the hgnn cells for the report: value $2 in every
# cell, or, when $2 is empty, each cell's own option or the default.
describe_setting()
{
	local name=$1 value=$2

	if [ -n "$value" ]; then
		echo "$name $value in every hgnn cell"
	else
		echo "$name from each cell's options, else the extension's default"
	fi
}

# Writes the report from acc_result and acc_dataset, so every number in it
# comes from this run.  It is rewritten after every data set, so a run
# that is stopped early leaves the data sets that finished.
write_report()
{
	mkdir -p "$(dirname "$report")"
	{
		echo "# Test accuracy of hgnn and baselines"
		echo
		echo "Written by \`test/bench/accuracy.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC')."
		echo
		echo "- Command: \`$command_line\`"
		echo "- Machine: $(describe_machine)"
		echo "- hgnn from commit $(describe_run_commit), scikit-learn $("$python" -c 'import sklearn; print(sklearn.__version__)')"
		echo "- hgnn settings: $(describe_setting epochs "${EPOCHS:-}"); $(describe_setting hidden "${HIDDEN:-}")"
		echo "- At most $jobs hgnn cells trained at once (JOBS)"
		echo
		echo "Each cell trains once per seed on one fixed split. \"error\" is the"
		echo "mean over tasks of the test error rate (classification) or of the"
		echo "test mean squared error in the units of the label (regression),"
		echo "given as mean ± sample standard deviation over the seeds. \"AUC\""
		echo "is the mean per-task ROC AUC of label 1 over the tasks whose test"
		echo "rows have both classes. \"seconds\" is the mean wall time of"
		echo "training and scoring one model; cells that ran at the same time"
		echo "shared the CPUs. hgnn options not listed are the extension's"
		echo "defaults, and \"stl\" is base model stl, which trains without"
		echo "augmentation. The prototype row has the training options of the"
		echo "HGNN prototype, written out in full."
		echo
		echo "The baselines standardize the features with the training rows'"
		echo "mean and standard deviation. \"sklearn logistic per task\" fits"
		echo "one scikit-learn LogisticRegression (L2, C = 1) on each task's"
		echo "training rows, and \"sklearn ridge per task\" one Ridge"
		echo "(alpha = 1). \"sklearn pooled MLP\" fits one MLPClassifier"
		echo "(MLPRegressor) on all rows, over the features and a one-hot task"
		echo "id, with scikit-learn's default options and max_iter = 1000: one"
		echo "hidden layer of 100 ReLU units, Adam, L2 penalty 0.0001."
		run_sql <<'SQL'
WITH has_auc AS (
	SELECT dataset, bool_or(auc IS NOT NULL) AS has_auc
	FROM acc_result GROUP BY dataset
), line AS (
	SELECT x.dataset, min(x.position) AS first,
		   format('| %s | %s | %s ± %s |%s %s | %s |', x.model, x.options,
				  round(avg(x.error)::numeric, 4),
				  coalesce(round(stddev_samp(x.error)::numeric, 4)::text, '-'),
				  CASE WHEN h.has_auc
					   THEN format(' %s ± %s |',
								   round(avg(x.auc)::numeric, 4),
								   coalesce(round(stddev_samp(x.auc)::numeric, 4)::text, '-'))
					   ELSE '' END,
				  round(avg(x.seconds)::numeric, 1), count(*)) AS line
	FROM acc_result x JOIN has_auc h USING (dataset)
	GROUP BY x.dataset, x.model, x.options, h.has_auc
)
SELECT format(E'\n## %s (%s)\n\nSplit: %s.\n\n', d.dataset, d.kind, d.split)
	   || CASE WHEN h.has_auc
			   THEN E'| model | options | error | AUC | seconds | seeds |\n| --- | --- | --- | --- | --- | --- |\n'
			   ELSE E'| model | options | error | seconds | seeds |\n| --- | --- | --- | --- | --- |\n' END
	   || string_agg(l.line, E'\n' ORDER BY l.first, l.line)
FROM acc_dataset d
JOIN has_auc h USING (dataset)
JOIN line l USING (dataset)
GROUP BY d.dataset, d.kind, d.split, d.ord, h.has_auc
ORDER BY d.ord;
SQL
	} >"$report"
	echo "accuracy.sh: wrote $report"
}

loaded=0
for dataset in $datasets; do
	if ! load_dataset "$dataset"; then
		continue
	fi
	loaded=$((loaded + 1))
	want_auc=
	[ "$dataset" = landmine ] && want_auc=auc
	kind=$(dataset_kind "$dataset")

	# The cells of this data set as "model|options", in report order.
	cells=()
	for base_model in $base_models; do
		if [ "$base_model" = stl ]; then
			cells+=("stl|{\"base_model\": \"stl\", \"augment\": false}")
			continue
		fi
		prefix=
		[ "$base_model" != dmtl ] &&
			prefix="\"base_model\": \"$base_model\", "
		cells+=("$base_model HGNN|{$prefix\"augment\": true}")
		if [ "$base_model" = dmtl ] && [ "$kind" = classification ]; then
			cells+=("dmtl HGNN, sigma 1|{\"augment\": true, \"sigma\": 1}")
		fi
		cells+=("$base_model no augmentation|{$prefix\"augment\": false}")
	done

	# The slow prototype cells go first into the queue, so that no lane is
	# left with one of them at the end.
	position=${#cells[@]}
	for seed in $prototype_seeds; do
		options=$(run_sql -v extra="$prototype_options" -v common="$common_options" \
			<<<"SELECT (:'extra'::jsonb || '{\"augment\": true}' || :'common'::jsonb)::text")
		queue_job run_hgnn_cell "$dataset" "dmtl HGNN, prototype settings" \
			"$options" "$seed" "$want_auc" "$position"
	done
	for seed in $seeds; do
		for index in "${!cells[@]}"; do
			options=$(run_sql -v common="$common_options" \
				-v extra="${cells[index]#*|}" \
				<<<"SELECT (:'common'::jsonb || :'extra'::jsonb)::text")
			queue_job run_hgnn_cell "$dataset" "${cells[index]%%|*}" \
				"$options" "$seed" "$want_auc" "$index"
		done
	done
	run_queued_jobs "$jobs"

	export_split "$dataset"
	for seed in $seeds; do
		run_sklearn_cells "$dataset" "$seed" "$want_auc" $((position + 1))
	done
	write_report
done
if [ "$loaded" -eq 0 ]; then
	echo "accuracy.sh: no data set of DATASETS ($datasets) was loaded, so" \
		"no report was written" >&2
	exit 1
fi
