#!/bin/bash
# Chooses hgnn's default training options by validation inside the
# training rows, and writes the ranking of the candidates as Markdown.
# Needs the extension installed (test/setup.sh) and R with mlbench and
# mlmRev.  Run as root.  Not part of CI: the default grid trains 204
# models.
#
# usage: tune.sh [REPORT]      (default docs/defaults.md)
#
# Each data set is split into training and test rows as accuracy.sh splits
# it, and only the training rows are used.  They are split again by md5
# with TUNE_SPLIT_SEED.  Of each (task, label) group (classification) or
# task (regression) of n rows, max(1, round(0.7 n)) train and the rest
# validate.  Every candidate trains with hgnn_fit on the inner training
# rows once per seed and is scored on the validation rows as accuracy.sh
# scores test rows: the mean over tasks of the error rate, or of the MSE
# in the units of the label.
#
# Ranking: on each data set, a candidate's relative score is its mean
# validation error over the seeds divided by the smallest such mean of any
# candidate.  Its overall score for a model kind is the mean of its
# relative scores over the data sets of that kind, and the lowest overall
# score wins, one winner per kind, because the extension has defaults per
# kind; a tie goes to the candidate listed first (the prototype, then the
# grid in the order of the variables below).
#
# Candidates: the prototype's options (prototype_options of datasets.sh),
# and every combination of the values of TUNE_ACTIVATION, TUNE_HIDDEN,
# TUNE_WEIGHT_DECAY, TUNE_DECAY_SCALE, TUNE_LEARNING_RATE, TUNE_SCHEDULE,
# TUNE_EPOCHS and TUNE_BATCH.  Every candidate sets all eight options, so
# a change of the extension's defaults does not change what it means.  A
# combination equal to an earlier candidate is left out.
#
# Environment:
#   TUNE_DATASETS       data sets (default "vowel1 vowel2 contraception
#                       office_surf landmine exam"); the names of
#                       accuracy.sh.  office_surf and landmine are read
#                       from DATA_DIR, and skipped with a printed line
#                       when absent
#   TUNE_SEEDS          training seeds (default "1 2")
#   TUNE_ACTIVATION     values of activation (default "tanh relu")
#   TUNE_HIDDEN         values of hidden (default "64 256")
#   TUNE_WEIGHT_DECAY   values of weight_decay (default "0.0001 0.001 0.01
#                       0.1")
#   TUNE_DECAY_SCALE    values of weight_decay_scale, none or rows
#                       (default "none").  With rows, weight_decay is
#                       divided by the mean training rows per task
#   TUNE_LEARNING_RATE  values of learning_rate (default "0.03"; 0.003
#                       lost on every classification set of an earlier
#                       grid, see docs/defaults.md)
#   TUNE_SCHEDULE       values of lr_schedule, constant or inverse
#                       (default "constant")
#   TUNE_EPOCHS         values of epochs (default "200")
#   TUNE_BATCH          values of batch_per_group (default "32")
#   TUNE_JOBS           trainings run at once, each in its own sessions of
#                       one cluster (default 2)
#   TUNE_SPLIT_SEED     seed of the inner md5 split (default 2)
#   SPLIT_SEED          seed of the outer split, as in accuracy.sh
#                       (default 1)
#   DATA_DIR            folder of the benchmark CSVs, as in accuracy.sh
#   BLAS_THREADS        value of hgnn.blas_threads (default: the GUC's
#                       default)
#
# Exits with status 1, after the running trainings end, when a training
# fails or its validation error is NULL, NaN or infinite.

set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/datasets.sh"

report=${1:-$repo/docs/defaults.md}
tune_datasets=${TUNE_DATASETS:-"vowel1 vowel2 contraception office_surf landmine exam"}
tune_seeds=${TUNE_SEEDS:-"1 2"}
tune_activation=${TUNE_ACTIVATION:-"tanh relu"}
tune_hidden=${TUNE_HIDDEN:-"64 256"}
tune_weight_decay=${TUNE_WEIGHT_DECAY:-"0.0001 0.001 0.01 0.1"}
tune_decay_scale=${TUNE_DECAY_SCALE:-none}
tune_learning_rate=${TUNE_LEARNING_RATE:-0.03}
tune_schedule=${TUNE_SCHEDULE:-constant}
tune_epochs=${TUNE_EPOCHS:-200}
tune_batch=${TUNE_BATCH:-32}
tune_jobs=${TUNE_JOBS:-2}
tune_split_seed=${TUNE_SPLIT_SEED:-2}
command_line=$(format_command "$*" TUNE_DATASETS TUNE_SEEDS TUNE_ACTIVATION TUNE_HIDDEN \
	TUNE_WEIGHT_DECAY TUNE_DECAY_SCALE TUNE_LEARNING_RATE TUNE_SCHEDULE TUNE_EPOCHS \
	TUNE_BATCH TUNE_JOBS TUNE_SPLIT_SEED SPLIT_SEED DATA_DIR BLAS_THREADS \
	PGCLUSTER_BIN)

# Exits with status 2 unless every word of $3 matches the regular
# expression $2.  $1 is the variable's name and $4 the expected values,
# both for the error message.
check_values()
{
	local variable=$1 pattern=$2 list=$3 expected=$4 value

	for value in $list; do
		if ! [[ $value =~ $pattern ]]; then
			echo "tune.sh: invalid value '$value' in $variable: expected" \
				"$expected" >&2
			exit 2
		fi
	done
}

positive_integer='^[1-9][0-9]{0,5}$'
# A JSON number without a sign: the options take no negative values.
number='^(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$'
# Seeds go to SQL as integer; nine digits keep them in its range.
check_values TUNE_SEEDS '^[0-9]{1,9}$' "$tune_seeds" \
	"integers from 0 to 999999999"
check_values TUNE_SPLIT_SEED '^[0-9]+$' "$tune_split_seed" \
	"a non-negative integer"
check_values TUNE_JOBS "$positive_integer" "$tune_jobs" "a positive integer"
check_values TUNE_HIDDEN "$positive_integer" "$tune_hidden" \
	"positive integers"
check_values TUNE_EPOCHS "$positive_integer" "$tune_epochs" \
	"positive integers"
check_values TUNE_BATCH "$positive_integer" "$tune_batch" \
	"positive integers"
check_values TUNE_WEIGHT_DECAY "$number" "$tune_weight_decay" \
	"non-negative numbers such as 0.001 or 1e-3"
check_values TUNE_LEARNING_RATE "$number" "$tune_learning_rate" \
	"non-negative numbers such as 0.001 or 1e-3"
check_values TUNE_SCHEDULE '^(constant|inverse)$' "$tune_schedule" \
	"constant or inverse"
check_values TUNE_ACTIVATION '^(tanh|relu)$' "$tune_activation" \
	"tanh or relu"
check_values TUNE_DECAY_SCALE '^(none|rows)$' "$tune_decay_scale" \
	"none or rows"
check_dataset_names TUNE_DATASETS "$tune_datasets"
# An empty list would make an empty grid and a report without candidates.
for variable in TUNE_DATASETS TUNE_SEEDS TUNE_ACTIVATION TUNE_HIDDEN TUNE_WEIGHT_DECAY \
	TUNE_DECAY_SCALE TUNE_LEARNING_RATE TUNE_SCHEDULE TUNE_EPOCHS TUNE_BATCH; do
	if [ -n "${!variable+set}" ] && [ -z "${!variable// /}" ]; then
		echo "tune.sh: $variable has no value" >&2
		exit 2
	fi
done
for value in $tune_learning_rate; do
	if ! awk -v v="$value" 'BEGIN { exit !(v > 0 && v <= 10) }'; then
		echo "tune.sh: invalid value '$value' in TUNE_LEARNING_RATE:" \
			"expected a number above 0 and at most 10" >&2
		exit 2
	fi
done

. "$test_dir/pgcluster.sh"
pgcluster_start
export_session_options

create_dataset_table
run_sql <<'SQL'
CREATE EXTENSION hgnn;
-- The candidates in the order of the report's tie-break.  spec compares
-- the options as JSON, so 0.01 and 0.010 are one candidate.
CREATE TABLE tune_candidate (
	candidate serial PRIMARY KEY,
	options text NOT NULL,
	spec jsonb NOT NULL UNIQUE
);
-- One row per data set: the sizes of its inner split.
CREATE TABLE tune_split (
	dataset text PRIMARY KEY,
	train_rows bigint NOT NULL,
	validation_rows bigint NOT NULL,
	validation_tasks bigint NOT NULL
);
-- One row per training: error is the mean per-task validation error or
-- MSE, seconds the wall time of training and scoring.
CREATE TABLE tune_result (
	dataset text NOT NULL,
	candidate integer NOT NULL REFERENCES tune_candidate,
	seed integer NOT NULL,
	error double precision NOT NULL,
	seconds double precision NOT NULL
);
-- The mean error of every candidate on every data set over the seeds, and
-- the relative score: that error divided by the data set's smallest.
CREATE VIEW tune_scored AS
SELECT dataset, candidate, avg(error) AS error,
	   avg(error) / min(avg(error)) OVER (PARTITION BY dataset) AS relative
FROM tune_result GROUP BY dataset, candidate;
-- The overall score of every candidate for each model kind, the mean of
-- its relative scores over the data sets of that kind, and the mean
-- seconds of its trainings on them.
CREATE VIEW tune_ranked AS
SELECT d.kind, c.candidate, c.options, avg(s.relative) AS overall,
	   (SELECT avg(r.seconds) FROM tune_result r JOIN acc_dataset rd
			USING (dataset)
		WHERE r.candidate = c.candidate AND rd.kind = d.kind) AS seconds
FROM tune_candidate c JOIN tune_scored s USING (candidate)
JOIN acc_dataset d USING (dataset)
GROUP BY d.kind, c.candidate, c.options;
SQL

# Adds the candidate of options $1 (a JSON object) unless it is there.
add_candidate()
{
	run_sql -v options="$1" <<'SQL'
INSERT INTO tune_candidate (options, spec)
VALUES (:'options', :'options'::jsonb) ON CONFLICT (spec) DO NOTHING;
SQL
}

# The grid candidates, with the keys in the order of prototype_options.
candidate_format='{"activation": "%s", "hidden": %s, "weight_decay": %s, "weight_decay_scale": "%s", "learning_rate": %s, "lr_schedule": "%s", "epochs": %s, "batch_per_group": %s}'
add_candidate "$prototype_options"
for activation in $tune_activation; do
	for hidden in $tune_hidden; do
		for weight_decay in $tune_weight_decay; do
			for decay_scale in $tune_decay_scale; do
				for learning_rate in $tune_learning_rate; do
					for schedule in $tune_schedule; do
						for epochs in $tune_epochs; do
							for batch in $tune_batch; do
								add_candidate "$(printf "$candidate_format" \
									"$activation" "$hidden" "$weight_decay" \
									"$decay_scale" "$learning_rate" \
									"$schedule" "$epochs" "$batch")"
							done
						done
					done
				done
			done
		done
	done
done
candidates=$(run_sql <<<"SELECT candidate FROM tune_candidate ORDER BY candidate")
echo "tune.sh: $(wc -w <<<"$candidates") candidates"

# Splits the training rows of loaded data set $1 into tune_$1_train and
# tune_$1_validation and records the sizes.  The test rows are not read.
split_training_rows()
{
	local dataset=$1

	split_md5 "acc_${dataset}_train" "$(dataset_kind "$dataset")" \
		"$tune_split_seed" "tune_${dataset}_train" \
		"tune_${dataset}_validation"
	run_sql -v ds="$dataset" -v train="tune_${dataset}_train" \
		-v validation="tune_${dataset}_validation" <<'SQL'
INSERT INTO tune_split
SELECT :'ds', (SELECT count(*) FROM :"train"),
	   (SELECT count(*) FROM :"validation"),
	   (SELECT count(DISTINCT task) FROM :"validation");
SQL
}

# Trains candidate $2 with seed $3 on the inner training rows of data set
# $1, scores the validation rows and records the result.  Fails unless the
# error is a finite number.
run_tune_cell()
{
	local dataset=$1 candidate=$2 seed=$3 kind options start seconds result

	kind=$(dataset_kind "$dataset")
	options=$(run_sql -v candidate="$candidate" \
		<<<"SELECT options FROM tune_candidate WHERE candidate = :'candidate'")
	start=$(date +%s.%N)
	if ! result=$(score_hgnn_model "tune_${dataset}_train" \
		"tune_${dataset}_validation" "$kind" "$options" "$seed" ""); then
		echo "tune.sh: $dataset candidate $candidate $options seed $seed:" \
			"training or scoring failed" >&2
		return 1
	fi
	seconds=$(elapsed_seconds "$start")
	result=${result%%|*}
	# PostgreSQL prints a float8 as digits with an optional exponent, or
	# as NaN or Infinity; an empty result is NULL.
	if ! [[ $result =~ ^-?[0-9]+(\.[0-9]+)?(e[-+][0-9]+)?$ ]]; then
		echo "tune.sh: $dataset candidate $candidate $options seed $seed:" \
			"validation error is '${result:-NULL}', not a finite number" >&2
		return 1
	fi
	run_sql -v ds="$dataset" -v candidate="$candidate" -v seed="$seed" \
		-v error="$result" -v seconds="$seconds" <<'SQL'
INSERT INTO tune_result (dataset, candidate, seed, error, seconds)
VALUES (:'ds', :'candidate', :'seed', :'error', :'seconds');
SQL
	echo "tune.sh: $dataset candidate $candidate seed $seed: error" \
		"$result ($seconds s)"
}

# Writes the report from the tables, so every number in it comes from this
# run.  It is rewritten after every data set, so a run that is stopped
# early leaves the data sets that finished.  Fails when the smallest mean
# error of a data set is 0, because the relative scores divide by it.
write_report()
{
	local zero_best

	zero_best=$(run_sql <<'SQL'
SELECT string_agg(DISTINCT dataset, ', ') FROM (
	SELECT dataset FROM tune_result
	GROUP BY dataset, candidate HAVING avg(error) <= 0
) z
SQL
	)
	if [ -n "$zero_best" ]; then
		echo "tune.sh: a candidate has mean validation error 0 on" \
			"$zero_best, so relative scores are undefined there" >&2
		return 1
	fi
	mkdir -p "$(dirname "$report")"
	{
		echo "# Validation of hgnn's default training options"
		echo
		echo "Written by \`test/bench/tune.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC')."
		echo
		echo "- Command: \`$command_line\`"
		echo "- Machine: $(describe_machine)"
		echo "- hgnn from commit $(describe_run_commit)"
		echo "- Seeds: $tune_seeds; at most $tune_jobs trainings at once (TUNE_JOBS)"
		echo "- Data sets finished: $(run_sql <<<"SELECT string_agg(dataset, ' ' ORDER BY ord) FROM acc_dataset WHERE dataset IN (SELECT dataset FROM tune_result)") (TUNE_DATASETS: $tune_datasets)"
		echo
		echo "Only the training rows of each data set's split are used, the"
		echo "split of accuracy.sh with split seed $split_seed; its test rows"
		echo "are never read. The training rows are split again: in each"
		echo "(task, label) group (classification) or task (regression) of n"
		echo "rows, ranked by md5(id || ':' || $tune_split_seed), the first"
		echo "max(1, round(0.7 n)) rows train and the rest validate."
		echo
		echo "\"error\" is the mean over tasks of the validation error rate"
		echo "(classification) or of the validation mean squared error in the"
		echo "units of the label (regression), averaged over the seeds. In"
		echo "brackets is the relative score: the error divided by the"
		echo "smallest error of any candidate on that data set. \"overall\" is"
		echo "the mean of the relative scores over the data sets of one model"
		echo "kind, so each kind has its own table and winner. Each table is"
		echo "sorted by it; the lowest wins, a tie going to the"
		echo "candidate added first. \"seconds\" is the mean wall time of"
		echo "training and scoring one model while up to $tune_jobs ran at once."
		echo
		echo "## Data sets"
		echo
		run_sql <<'SQL'
SELECT format('- %s (%s): %s. Inner split: %s train / %s validation rows, '
			  '%s tasks with validation rows.', d.dataset, d.kind, d.split,
			  s.train_rows, s.validation_rows, s.validation_tasks)
FROM acc_dataset d JOIN tune_split s USING (dataset)
WHERE d.dataset IN (SELECT dataset FROM tune_result)
ORDER BY d.ord;
SQL
		echo
		for kind in classification regression; do
			if [ -z "$(run_sql -v kind="$kind" <<<"SELECT 1 FROM tune_ranked WHERE kind = :'kind' LIMIT 1")" ]; then
				continue
			fi
			echo "## Candidates for $kind"
			echo
			run_sql -v kind="$kind" <<'SQL'
SELECT '| options | '
	   || string_agg(dataset || ' error', ' | ' ORDER BY ord)
	   || E' | overall | seconds |\n| --- | '
	   || string_agg('---', ' | ')
	   || ' | --- | --- |'
FROM acc_dataset
WHERE kind = :'kind' AND dataset IN (SELECT dataset FROM tune_result);
SELECT format('| `%s` | %s | %s | %s |', k.options,
			  (SELECT string_agg(format('%s (%s)', round(s.error::numeric, 4),
										round(s.relative::numeric, 3)),
								 ' | ' ORDER BY d.ord)
			   FROM tune_scored s JOIN acc_dataset d USING (dataset)
			   WHERE s.candidate = k.candidate AND d.kind = :'kind'),
			  round(k.overall::numeric, 4), round(k.seconds::numeric, 1))
FROM tune_ranked k WHERE k.kind = :'kind' ORDER BY k.overall, k.candidate;
SQL
			echo
			echo "The winner for $kind:"
			echo
			echo '```json'
			run_sql -v kind="$kind" <<<"SELECT options FROM tune_ranked WHERE kind = :'kind' ORDER BY overall, candidate LIMIT 1"
			echo '```'
			echo
		done
	} >"$report"
	echo "tune.sh: wrote $report"
}

finished=0
for dataset in $tune_datasets; do
	if ! load_dataset "$dataset"; then
		continue
	fi
	split_training_rows "$dataset"
	# The first candidate, the prototype with hidden 600, is the slowest,
	# so it is queued first and no lane is left with it alone at the end.
	for candidate in $candidates; do
		for seed in $tune_seeds; do
			queue_job run_tune_cell "$dataset" "$candidate" "$seed"
		done
	done
	run_queued_jobs "$tune_jobs"
	write_report
	finished=$((finished + 1))
done
if [ "$finished" -eq 0 ]; then
	echo "tune.sh: no data set of TUNE_DATASETS ($tune_datasets) was" \
		"loaded, so no report was written" >&2
	exit 1
fi
