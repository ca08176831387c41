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
# hgnn models, for each base model: HGNN (augment true), HGNN with
# "sigma": 1 (classifiers only) and the model without augmentation
# ("augment": false).  Baselines, through sklearn_baselines.py: a
# logistic regression (Ridge for regression) per task, and one MLP over the
# features plus a one-hot task id.
#
# Environment:
#   SEEDS        training seeds (default "1 2 3 4 5"); the split is fixed
#   SPLIT_SEED   seed of every md5 split (default 1)
#   BASE_MODELS  values of the option base_model (default "dmtl"); dmtl,
#                one output layer per task, is the model of hgnn builds
#                without that option, so for dmtl the option is not passed
#   EPOCHS       epochs of hgnn and maximum iterations of the MLP (default:
#                hgnn's default, 200, which is also the MLP's default)
#   HIDDEN       hidden width of hgnn and of the MLP (default: hgnn's
#                default, 600)
#   DATASETS     data sets to run (default: all of vowel1 vowel2 exam
#                contraception office_surf school sarcos landmine)
#   DATA_DIR     folder of the benchmark CSVs (default ../shared/data
#                relative to the repository); a missing CSV skips its data
#                set with a printed line
#   BLAS_THREADS value of hgnn.blas_threads (default: the GUC's default)

set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
test_dir=$(cd "$bench_dir/.." && pwd)
repo=$(cd "$test_dir/.." && pwd)
report=${1:-$repo/docs/accuracy.md}
seeds=${SEEDS:-"1 2 3 4 5"}
split_seed=${SPLIT_SEED:-1}
base_models=${BASE_MODELS:-dmtl}
datasets=${DATASETS:-"vowel1 vowel2 exam contraception office_surf school sarcos landmine"}
data_dir=${DATA_DIR:-$repo/../shared/data}
python=/usr/bin/python3
# The command of the report: every setting variable that was set, then the
# script and its arguments.
command_line=
for variable in SEEDS SPLIT_SEED BASE_MODELS EPOCHS HIDDEN DATASETS DATA_DIR \
	BLAS_THREADS PGCLUSTER_BIN; do
	if [ -n "${!variable+set}" ]; then
		command_line+="$variable=\"${!variable}\" "
	fi
done
command_line+="bash $0${*:+ $*}"

for value in $seeds $split_seed ${EPOCHS:-} ${HIDDEN:-}; do
	if ! [[ $value =~ ^[0-9]+$ ]]; then
		echo "accuracy.sh: invalid number '$value' in SEEDS, SPLIT_SEED," \
			"EPOCHS or HIDDEN: expected non-negative integers" >&2
		exit 2
	fi
done
for dataset in $datasets; do
	case $dataset in
	vowel1 | vowel2 | exam | contraception | office_surf | school | sarcos | landmine) ;;
	*)
		echo "accuracy.sh: unknown data set '$dataset' in DATASETS:" \
			"expected vowel1, vowel2, exam, contraception, office_surf," \
			"school, sarcos or landmine" >&2
		exit 2
		;;
	esac
done
if ! "$python" -c 'import sklearn' 2>/dev/null; then
	echo "accuracy.sh: $python cannot import sklearn; install Debian's" \
		"python3-sklearn" >&2
	exit 1
fi

work_dir=$(mktemp -d /tmp/hgnn-accuracy.XXXXXX)
PGCLUSTER_ON_EXIT="rm -rf '$work_dir'"
. "$test_dir/pgcluster.sh"
pgcluster_start
if [ -n "${BLAS_THREADS:-}" ]; then
	export PGOPTIONS="${PGOPTIONS:-} -c hgnn.blas_threads=$BLAS_THREADS"
fi
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

run_sql()
{
	psql -X -q -At -v ON_ERROR_STOP=1 "$@"
}

run_sql <<'SQL'
CREATE EXTENSION hgnn;
-- One row per trained model and seed; error is the mean per-task test
-- error or MSE, auc the mean per-task AUC (NULL unless measured).
CREATE TABLE acc_result (
	dataset text NOT NULL,
	model text NOT NULL,
	options text NOT NULL,
	seed integer NOT NULL,
	error double precision,
	auc double precision,
	seconds double precision NOT NULL,
	ord serial
);
-- One row per data set that was loaded: its kind and split.
CREATE TABLE acc_dataset (
	dataset text PRIMARY KEY,
	kind text NOT NULL,
	split text NOT NULL,
	ord serial
);
SQL

# Loads a CSV of columns task,label,f1..fN from the benchmark folder into
# table $1 (id, task text, label, features real[]) with label type $3.
load_csv()
{
	local table=$1 file=$2 label_type=$3

	run_sql -v table="$table" -v label_type="$label_type" <<'SQL'
DROP TABLE IF EXISTS acc_csv_line;
CREATE TABLE acc_csv_line (id serial, line text);
SQL
	# The header goes through too and is dropped below.  Format text with
	# a delimiter that the files never contain reads each line whole.
	run_sql -c "\\copy acc_csv_line (line) FROM '$file' WITH (FORMAT text, DELIMITER E'\\x01')"
	run_sql -v table="$table" -v label_type="$label_type" <<'SQL'
CREATE TABLE :"table" AS
SELECT id - 1 AS id, parts[1] AS task, parts[2]::text::numeric AS label_value,
	   parts[3:cardinality(parts)]::real[] AS features
FROM (SELECT id, string_to_array(line, ',') AS parts
	  FROM acc_csv_line WHERE id > 1) l;
ALTER TABLE :"table" ALTER COLUMN label_value TYPE :label_type;
ALTER TABLE :"table" RENAME COLUMN label_value TO label;
DROP TABLE acc_csv_line;
SQL
}

# Splits table $1 (id, task, label, features) into $1_train and $1_test by
# md5: of each group of n rows (group = task and label for kind
# classification, task for regression), max(1, round(0.7 * n)) train.
split_md5()
{
	local table=$1 kind=$2 group

	group="task, label"
	[ "$kind" = regression ] && group="task"
	run_sql -v table="$table" -v seed="$split_seed" <<SQL
CREATE TABLE acc_split AS
SELECT id,
	   row_number() OVER (PARTITION BY $group
						  ORDER BY md5(id::text || ':' || :'seed'), id)
	   AS group_rank,
	   count(*) OVER (PARTITION BY $group) AS group_size
FROM :"table";
CREATE TABLE ${table}_train AS
SELECT d.* FROM :"table" d JOIN acc_split s USING (id)
WHERE s.group_rank <= greatest(1, round(0.7 * s.group_size)) ORDER BY d.id;
CREATE TABLE ${table}_test AS
SELECT d.* FROM :"table" d JOIN acc_split s USING (id)
WHERE s.group_rank > greatest(1, round(0.7 * s.group_size)) ORDER BY d.id;
DROP TABLE acc_split;
ANALYZE ${table}_train, ${table}_test;
SQL
}

# Records data set $1 of kind $2 whose tables are acc_$1_train and
# acc_$1_test, with the split description $3 extended by counts.
register()
{
	local dataset=$1 kind=$2 description=$3

	run_sql -v ds="$dataset" -v kind="$kind" -v description="$description" \
		-v train="acc_${dataset}_train" -v test="acc_${dataset}_test" <<'SQL'
INSERT INTO acc_dataset (dataset, kind, split)
SELECT :'ds', :'kind',
	   format('%s; %s train / %s test rows, %s tasks, %s features '
			  '(train ids md5 %s)', :'description',
			  (SELECT count(*) FROM :"train"), (SELECT count(*) FROM :"test"),
			  (SELECT count(DISTINCT task) FROM :"train"),
			  (SELECT cardinality(features) FROM :"train" LIMIT 1),
			  (SELECT left(md5(string_agg(id::text, ',' ORDER BY id)), 12)
			   FROM :"train"));
SELECT split FROM acc_dataset WHERE dataset = :'ds';
SQL
}

# Loads data set $1 into acc_$1_train and acc_$1_test with the columns
# (id, task, label, features), or prints why it is skipped and fails.
load_dataset()
{
	local dataset=$1 file

	case $dataset in
	vowel1 | vowel2)
		if ! run_sql -c 'SELECT 1 FROM vowel LIMIT 0' >/dev/null 2>&1; then
			bash "$test_dir/data/load_vowel.sh" "$split_seed"
		fi
		local suffix=
		[ "$dataset" = vowel2 ] && suffix=2
		run_sql <<SQL
CREATE VIEW acc_${dataset}_train AS
SELECT id, speaker AS task, vowel AS label, features FROM vowel_train$suffix;
CREATE VIEW acc_${dataset}_test AS
SELECT id, speaker AS task, vowel AS label, features FROM vowel_test$suffix;
SQL
		if [ "$dataset" = vowel1 ]; then
			register vowel1 classification "test/data/load_vowel.sh split 1:\
 70% of each (speaker, vowel) group of 6 rows trains (4 rows),\
 split seed $split_seed"
		else
			register vowel2 classification "test/data/load_vowel.sh split 2:\
 2 rows of each (speaker, vowel) group of 6 train, split seed $split_seed"
		fi
		;;
	exam)
		bash "$test_dir/data/load_exam.sh" "$split_seed"
		run_sql <<'SQL'
CREATE VIEW acc_exam_train AS
SELECT id, school AS task, normexam AS label, features FROM exam_train;
CREATE VIEW acc_exam_test AS
SELECT id, school AS task, normexam AS label, features FROM exam_test;
SQL
		register exam regression "test/data/load_exam.sh: 70% of each school\
 trains, target normexam, split seed $split_seed"
		;;
	contraception)
		bash "$test_dir/data/load_contraception.sh" "$split_seed"
		run_sql <<'SQL'
CREATE VIEW acc_contraception_train AS
SELECT id, district AS task, use AS label, features FROM contraception_train;
CREATE VIEW acc_contraception_test AS
SELECT id, district AS task, use AS label, features FROM contraception_test;
SQL
		register contraception classification \
			"test/data/load_contraception.sh: max(1, round(70%)) of each\
 (district, use) group trains, split seed $split_seed"
		;;
	office_surf | school | sarcos | landmine)
		case $dataset in
		office_surf) file=office_caltech10_surf.csv ;;
		school) file=school.csv ;;
		sarcos) file=sarcos_inv_test.csv ;;
		landmine) file=landmine.csv ;;
		esac
		if [ ! -r "$data_dir/$file" ]; then
			echo "accuracy.sh: skipping $dataset: $data_dir/$file not found"
			return 1
		fi
		case $dataset in
		office_surf | landmine)
			load_csv "acc_$dataset" "$data_dir/$file" integer
			split_md5 "acc_$dataset" classification
			;;
		*)
			load_csv "acc_$dataset" "$data_dir/$file" "double precision"
			split_md5 "acc_$dataset" regression
			;;
		esac
		if [ "$dataset" = office_surf ]; then
			# SURF histograms: every row is divided by its sum, then every
			# feature is z-scored with the training rows' mean and
			# population standard deviation (1 where that is 0).
			run_sql <<'SQL'
CREATE TABLE acc_office_norm AS
SELECT d.id, f.i, f.v / nullif(sum(f.v) OVER (PARTITION BY d.id), 0) AS v
FROM acc_office_surf d, unnest(d.features) WITH ORDINALITY f(v, i);
CREATE TABLE acc_office_stat AS
SELECT n.i, avg(n.v) AS mean, coalesce(nullif(stddev_pop(n.v), 0), 1) AS sd
FROM acc_office_norm n JOIN acc_office_surf_train t USING (id)
GROUP BY n.i;
CREATE TABLE acc_office_z AS
SELECT n.id, array_agg(((coalesce(n.v, 0) - s.mean) / s.sd)::real
					   ORDER BY n.i) AS features
FROM acc_office_norm n JOIN acc_office_stat s USING (i)
GROUP BY n.id;
UPDATE acc_office_surf_train t SET features = z.features
FROM acc_office_z z WHERE z.id = t.id;
UPDATE acc_office_surf_test t SET features = z.features
FROM acc_office_z z WHERE z.id = t.id;
DROP TABLE acc_office_norm, acc_office_stat, acc_office_z;
SQL
		fi
		local what="max(1, round(70%)) of each (task, class) group trains"
		[ "$dataset" = school ] || [ "$dataset" = sarcos ] &&
			what="max(1, round(70%)) of each task trains"
		[ "$dataset" = office_surf ] &&
			what="$what; rows divided by their sum, then features\
 z-scored with the training rows' statistics"
		local kind=classification
		[ "$dataset" = school ] || [ "$dataset" = sarcos ] && kind=regression
		register "$dataset" "$kind" "$file, md5 split: $what, split seed $split_seed"
		;;
	esac
}

# Trains and scores one hgnn cell: data set $1, model name $2, options $3
# (JSON without the seed), seed $4, AUC wanted when $5 is "auc".
run_hgnn_cell()
{
	local dataset=$1 model=$2 options=$3 seed=$4 want_auc=$5 kind
	local start end result

	kind=$(run_sql -v ds="$dataset" \
		<<<"SELECT kind FROM acc_dataset WHERE dataset = :'ds'")
	start=$(date +%s.%N)
	result=$(run_sql -v train="acc_${dataset}_train" \
		-v test="acc_${dataset}_test" -v kind="$kind" -v want_auc="$want_auc" \
		-v options="$options" -v seed="$seed" <<'SQL'
CREATE TEMP TABLE cell_model AS
SELECT hgnn_fit(features, label, task,
				:'options'::jsonb || jsonb_build_object('seed', :'seed'::int))
	   AS model
FROM :"train";
CREATE TEMP TABLE cell_prediction AS
SELECT t.task, t.label::text AS label,
	   CASE WHEN :'kind' = 'regression'
			THEN hgnn_predict(m.model, t.features, t.task) END AS value,
	   CASE WHEN :'kind' = 'classification'
			THEN hgnn_predict_label(m.model, t.features, t.task) END
	   AS predicted,
	   CASE WHEN :'want_auc' = 'auc'
			THEN hgnn_predict_proba(m.model, t.features, t.task,
									(SELECT max(label) FROM :"train")) END
	   AS score
FROM :"test" t, cell_model m;
-- AUC of one task is the Mann-Whitney statistic with tied scores given
-- their mean rank; tasks whose test rows have one class have none.
WITH per_task AS (
	SELECT task,
		   CASE WHEN :'kind' = 'regression'
				THEN avg((value - label::float8) ^ 2)
				ELSE avg((predicted IS DISTINCT FROM label)::int) END AS error
	FROM cell_prediction GROUP BY task
), ranked AS (
	SELECT task, label = (SELECT max(label)::text FROM :"train") AS positive,
		   rank() OVER (PARTITION BY task ORDER BY score)
		   + (count(*) OVER (PARTITION BY task, score) - 1) / 2.0 AS r
	FROM cell_prediction WHERE :'want_auc' = 'auc'
), auc AS (
	SELECT task,
		   (sum(r) FILTER (WHERE positive)
			- count(*) FILTER (WHERE positive)
			  * (count(*) FILTER (WHERE positive) + 1) / 2.0)
		   / (count(*) FILTER (WHERE positive)
			  * count(*) FILTER (WHERE NOT positive)) AS auc
	FROM ranked GROUP BY task
	HAVING count(*) FILTER (WHERE positive) > 0
		AND count(*) FILTER (WHERE NOT positive) > 0
)
SELECT (SELECT avg(error) FROM per_task) || '|'
	   || coalesce((SELECT avg(auc)::text FROM auc), '');
SQL
	)
	end=$(date +%s.%N)
	run_sql -v ds="$dataset" -v model="$model" -v options="$options" \
		-v seed="$seed" -v result="$result" -v seconds="$(echo "$end - $start" | bc)" <<'SQL'
INSERT INTO acc_result (dataset, model, options, seed, error, auc, seconds)
VALUES (:'ds', :'model', :'options', :'seed',
		nullif(split_part(:'result', '|', 1), '')::float8,
		nullif(split_part(:'result', '|', 2), '')::float8, :'seconds');
SQL
	echo "accuracy.sh: $dataset $model seed $seed: $result" \
		"($(echo "$end - $start" | bc) s)"
}

# Exports the split of data set $1 and scores the scikit-learn baselines.
run_sklearn_cells()
{
	local dataset=$1 seed=$2 want_auc=$3 kind mode name error auc seconds
	local hidden=${HIDDEN:-600} epochs=${EPOCHS:-200}

	kind=$(run_sql -v ds="$dataset" \
		<<<"SELECT kind FROM acc_dataset WHERE dataset = :'ds'")
	for part in train test; do
		if [ ! -f "$work_dir/$dataset.$part" ]; then
			run_sql -c "\\copy (SELECT id, task, label, array_to_string(features, ',') FROM acc_${dataset}_$part ORDER BY id) TO '$work_dir/$dataset.$part'"
		fi
	done
	mode=$kind
	[ "$want_auc" = auc ] && mode=classification_auc
	"$python" "$bench_dir/sklearn_baselines.py" "$mode" \
		"$work_dir/$dataset.train" "$work_dir/$dataset.test" "$seed" \
		"$hidden" "$epochs" >"$work_dir/sklearn.out"
	while IFS='|' read -r name error auc seconds; do
		local options="default options"
		case $name in
		"logistic per task")
			options="LogisticRegression(max_iter=1000); a task with one"
			options+=" training class predicts it"
			;;
		"ridge per task") options="Ridge(alpha=1)" ;;
		"pooled MLP") options="hidden_layer_sizes=($hidden,), activation=tanh, max_iter=$epochs" ;;
		esac
		run_sql -v ds="$dataset" -v model="sklearn $name" \
			-v options="$options" -v seed="$seed" -v error="$error" \
			-v auc="$auc" -v seconds="$seconds" <<'SQL'
INSERT INTO acc_result (dataset, model, options, seed, error, auc, seconds)
VALUES (:'ds', :'model', :'options', :'seed', nullif(:'error', '')::float8,
		nullif(:'auc', '')::float8, :'seconds');
SQL
		echo "accuracy.sh: $dataset sklearn $name seed $seed: $error|$auc ($seconds s)"
	done <"$work_dir/sklearn.out"
}

common_options=$(run_sql -v epochs="${EPOCHS:-}" -v hidden="${HIDDEN:-}" <<'SQL'
SELECT jsonb_strip_nulls(jsonb_build_object(
		   'epochs', nullif(:'epochs', '')::int,
		   'hidden', nullif(:'hidden', '')::int))::text
SQL
)

# Writes the report from acc_result and acc_dataset, so every number in it
# comes from this run.  It is rewritten after every data set, so a run
# that is stopped early leaves the data sets that finished.
write_report()
{
	local cpu_model memory

	cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	memory=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	mkdir -p "$(dirname "$report")"
	{
		echo "# Test accuracy of hgnn and baselines"
		echo
		echo "Written by \`test/bench/accuracy.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC')."
		echo
		echo "- Command: \`$command_line\`"
		echo "- Machine: $(nproc) CPUs ($cpu_model), $memory memory, $(uname -sr)"
		echo "- hgnn from commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown), scikit-learn $("$python" -c 'import sklearn; print(sklearn.__version__)')"
		echo
		echo "Each cell trains once per seed on one fixed split. \"error\" is the"
		echo "mean over tasks of the test error rate (classification) or of the"
		echo "test mean squared error in the units of the label (regression),"
		echo "given as mean ± sample standard deviation over the seeds. \"AUC\""
		echo "is the mean per-task ROC AUC of label 1 over the tasks whose test"
		echo "rows have both classes. \"seconds\" is the mean wall time of"
		echo "training and scoring one model. Options not listed are defaults."
		run_sql <<'SQL'
SELECT format(E'\n## %s (%s)\n\nSplit: %s.\n\n', d.dataset, d.kind, d.split)
	   || CASE WHEN bool_or(r.auc IS NOT NULL)
			   THEN E'| model | options | error | AUC | seconds | seeds |\n| --- | --- | --- | --- | --- | --- |\n'
			   ELSE E'| model | options | error | seconds | seeds |\n| --- | --- | --- | --- | --- |\n' END
	   || string_agg(c.line, E'\n' ORDER BY c.first)
FROM acc_dataset d
JOIN acc_result r USING (dataset)
JOIN LATERAL (
	SELECT min(x.ord) AS first,
		   format('| %s | %s | %s ± %s |%s %s | %s |', x.model, x.options,
				  round(avg(x.error)::numeric, 4),
				  coalesce(round(stddev_samp(x.error)::numeric, 4)::text, '-'),
				  CASE WHEN bool_or(x2.has_auc)
					   THEN format(' %s ± %s |',
								   round(avg(x.auc)::numeric, 4),
								   coalesce(round(stddev_samp(x.auc)::numeric, 4)::text, '-'))
					   ELSE '' END,
				  round(avg(x.seconds)::numeric, 1), count(*)) AS line
	FROM acc_result x,
		 LATERAL (SELECT bool_or(auc IS NOT NULL) AS has_auc
				  FROM acc_result WHERE dataset = d.dataset) x2
	WHERE x.dataset = d.dataset
	GROUP BY x.model, x.options
) c ON true
WHERE r.ord = (SELECT min(ord) FROM acc_result WHERE dataset = d.dataset)
GROUP BY d.dataset, d.kind, d.split, d.ord
ORDER BY d.ord;
SQL
	} >"$report"
	echo "accuracy.sh: wrote $report"
}

for dataset in $datasets; do
	if ! load_dataset "$dataset"; then
		continue
	fi
	want_auc=
	[ "$dataset" = landmine ] && want_auc=auc
	kind=$(run_sql -v ds="$dataset" \
		<<<"SELECT kind FROM acc_dataset WHERE dataset = :'ds'")
	for seed in $seeds; do
		for base_model in $base_models; do
			base=$common_options
			if [ "$base_model" != dmtl ]; then
				base=$(run_sql -v base="$base" -v bm="$base_model" \
					<<<"SELECT (:'base'::jsonb || jsonb_build_object('base_model', :'bm'))::text")
			fi
			variants=("HGNN|{\"augment\": true}")
			if [ "$kind" = classification ]; then
				variants+=("HGNN, sigma 1|{\"augment\": true, \"sigma\": 1}")
			fi
			variants+=("no augmentation|{\"augment\": false}")
			for variant in "${variants[@]}"; do
				options=$(run_sql -v base="$base" -v extra="${variant#*|}" \
					<<<"SELECT (:'base'::jsonb || :'extra'::jsonb)::text")
				run_hgnn_cell "$dataset" "$base_model ${variant%%|*}" \
					"$options" "$seed" "$want_auc"
			done
		done
		run_sklearn_cells "$dataset" "$seed" "$want_auc"
	done
	write_report
done


