#!/bin/bash
# Measures why HGNN does or does not beat its own base model on vowel and
# Contraception (or any classification set of accuracy.sh), and writes
# the tables as Markdown.  Every variant changes one option against the
# extension's defaults: the kernel width (sigma 1, the prototype's), the
# augmentation (off: the base model alone), the learning-rate schedule
# (the prototype's lr / (1 + epoch)) or the activation (the prototype's
# tanh in place of relu).  The prototype's settings as a whole
# are a row of accuracy.sh.  Needs the extension installed
# (test/setup.sh) and R with mlbench and mlmRev.  Run as root.  Not part of
# CI.
#
# usage: investigate.sh [REPORT]      (default docs/investigation-runs.md)
#
# For every data set, variant and seed it records: the mean per-task test
# error; the mean per-task error on the training rows themselves, scored by
# hgnn_predict_label like new rows (so a model that learned to read the
# label from the class embedding of the row's own class, which training
# appends, shows a training error far above its fit); the kernel width the
# model used; how many of the tasks have distinct stored task embeddings
# (rounded to 4 decimals) and the spread (largest minus smallest weight)
# of the learned task relations, which tell whether the task embedding
# carries anything task-specific; the final training loss; the training
# seconds.
#
# Environment:
#   SEEDS       training seeds (default "1 2 3"); the split is fixed
#   SPLIT_SEED  seed of the md5 splits (default 1)
#   DATASETS    classification data sets of accuracy.sh (default "vowel1
#               vowel2 contraception"); office_surf and landmine need DATA_DIR
#   DATA_DIR    folder of the benchmark CSVs, as in accuracy.sh

set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/datasets.sh"

report=${1:-$repo/docs/investigation-runs.md}
seeds=${SEEDS:-"1 2 3"}
datasets=${DATASETS:-"vowel1 vowel2 contraception"}
command_line=$(format_command "$*" SEEDS SPLIT_SEED DATASETS DATA_DIR)

for value in $seeds; do
	if ! [[ $value =~ ^[0-9]+$ ]]; then
		echo "investigate.sh: invalid seed '$value' in SEEDS: expected" \
			"non-negative integers" >&2
		exit 2
	fi
done
check_dataset_names DATASETS "$datasets"

variants=(
	"defaults|{}"
	"sigma 1|{\"sigma\": 1}"
	"no augmentation|{\"augment\": false}"
	"inverse schedule|{\"lr_schedule\": \"inverse\"}"
	"tanh|{\"activation\": \"tanh\"}"
)

. "$test_dir/pgcluster.sh"
pgcluster_start
export_session_options

run_sql <<'SQL'
CREATE EXTENSION hgnn;
CREATE TABLE inv_result (
	dataset text NOT NULL,
	variant text NOT NULL,
	seed integer NOT NULL,
	test_error double precision NOT NULL,
	train_error double precision NOT NULL,
	sigma double precision,
	n_tasks integer NOT NULL,
	distinct_tasks integer,
	relation_spread double precision,
	final_loss double precision NOT NULL,
	seconds double precision NOT NULL,
	ord serial
);
-- Mean over tasks of the error of hgnn_predict_label with model m on the
-- rows of tab, whose columns are (task, label, features).
CREATE FUNCTION inv_error(m bytea, tab regclass) RETURNS double precision
LANGUAGE plpgsql AS $$
DECLARE
	e double precision;
BEGIN
	EXECUTE format('SELECT avg(err) FROM (SELECT avg((hgnn_predict_label($1,'
				   ' features, task) IS DISTINCT FROM label::text)::int) AS err'
				   ' FROM %s GROUP BY task) s', tab)
	INTO e USING m;
	RETURN e;
END
$$;
SQL
create_dataset_table

# Trains variant $2 (options $3) on classification data set $1 with seed
# $4 and records it.
run_cell()
{
	local dataset=$1 variant=$2 options=$3 seed=$4 line

	line=$(run_sql -v ds="$dataset" -v variant="$variant" \
		-v options="$options" -v seed="$seed" \
		-v train="acc_${dataset}_train" -v test="acc_${dataset}_test" <<'SQL'
CREATE TEMP TABLE cell AS
SELECT hgnn_fit(features, label, task,
				:'options'::jsonb || jsonb_build_object('seed', :'seed'::int))
	   AS m
FROM :"train";
INSERT INTO inv_result (dataset, variant, seed, test_error, train_error,
						sigma, n_tasks, distinct_tasks, relation_spread,
						final_loss, seconds)
SELECT :'ds', :'variant', :'seed',
	   inv_error(m, :'test'), inv_error(m, :'train'),
	   (hgnn_model_info(m) ->> 'sigma')::float8,
	   (hgnn_model_info(m) ->> 'n_tasks')::int,
	   CASE WHEN (hgnn_model_info(m) ->> 'augment')::boolean THEN
		   (SELECT count(DISTINCT (SELECT array_agg(round(x::numeric, 4))
								   FROM unnest(e.embedding) x))
			FROM hgnn_task_embeddings(m) e) END,
	   CASE WHEN (hgnn_model_info(m) ->> 'augment')::boolean THEN
		   (SELECT max(r.weight) - min(r.weight)
			FROM hgnn_task_relations(m) r) END,
	   (hgnn_model_info(m) ->> 'final_loss')::float8,
	   (hgnn_model_info(m) ->> 'train_seconds')::float8
FROM cell
RETURNING format('%s %s seed %s: test %s, train %s, sigma %s, %s distinct'
				 ' task embeddings, relation spread %s, %s s',
				 dataset, variant, seed, round(test_error::numeric, 4),
				 round(train_error::numeric, 4), round(sigma::numeric, 3),
				 coalesce(distinct_tasks::text, '-'),
				 coalesce(round(relation_spread::numeric, 6)::text, '-'),
				 round(seconds::numeric, 1));
SQL
	)
	echo "investigate.sh: $line"
}

write_report()
{
	{
		echo "# Where HGNN's error comes from: measurements"
		echo
		echo "Written by \`test/bench/investigate.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC')."
		echo
		echo "- Command: \`$command_line\`"
		echo "- Machine: $(describe_machine)"
		echo "- hgnn from commit $(describe_run_commit)"
		echo
		echo "Every variant changes one option against the defaults."
		echo "\"test error\" and \"train-row error\" are means over tasks of the"
		echo "error of hgnn_predict_label on the test rows and on the training"
		echo "rows, as mean ± sample standard deviation over the seeds. \"sigma\""
		echo "is the kernel width the model used (the default measures it on the"
		echo "first batch), \"distinct tasks\" the mean number of tasks whose"
		echo "stored task embeddings differ in the first 4 decimals, \"spread\""
		echo "the mean of the largest minus the smallest learned task relation"
		echo "weight (0: every task attends to every task alike), \"loss\" the"
		echo "mean training loss of the last epoch."
		run_sql <<'SQL'
SELECT format(E'\n## %s\n\n%s.\n\n', d.dataset, d.split)
	   || E'| variant | test error | train-row error | sigma | distinct tasks | spread | loss | seconds | seeds |\n'
	   || E'| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n'
	   || string_agg(c.line, E'\n' ORDER BY c.first)
FROM acc_dataset d
JOIN LATERAL (
	SELECT min(r.ord) AS first,
		   format('| %s | %s ± %s | %s ± %s | %s | %s of %s | %s | %s | %s | %s |',
				  r.variant,
				  round(avg(r.test_error)::numeric, 4),
				  coalesce(round(stddev_samp(r.test_error)::numeric, 4)::text, '-'),
				  round(avg(r.train_error)::numeric, 4),
				  coalesce(round(stddev_samp(r.train_error)::numeric, 4)::text, '-'),
				  coalesce(round(avg(r.sigma)::numeric, 3)::text, '-'),
				  coalesce(round(avg(r.distinct_tasks)::numeric, 1)::text, '-'),
				  max(r.n_tasks),
				  coalesce(round(avg(r.relation_spread)::numeric, 6)::text, '-'),
				  round(avg(r.final_loss)::numeric, 4),
				  round(avg(r.seconds)::numeric, 1), count(*)) AS line
	FROM inv_result r WHERE r.dataset = d.dataset
	GROUP BY r.variant
) c ON true
GROUP BY d.dataset, d.split, d.ord
ORDER BY d.ord;
SQL
	} >"$report"
	echo "investigate.sh: wrote $report"
}

mkdir -p "$(dirname "$report")"
for dataset in $datasets; do
	if ! load_dataset "$dataset"; then
		continue
	fi
	if [ "$(dataset_kind "$dataset")" != classification ]; then
		echo "investigate.sh: skipping $dataset: it is not a classification" \
			"data set"
		continue
	fi
	for seed in $seeds; do
		for variant in "${variants[@]}"; do
			run_cell "$dataset" "${variant%%|*}" "${variant#*|}" "$seed"
		done
	done
	write_report
done
