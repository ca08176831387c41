# datasets.sh: the data sets of test/bench/accuracy.sh and tune.sh, the
# scoring of one model on them, and a pool that runs cells in parallel.
#
# Source it from a script in test/bench.  It reads the environment
# variables SPLIT_SEED (seed of every md5 split, default 1) and DATA_DIR
# (folder of the benchmark CSVs, default ../shared/data relative to the
# repository) and sets bench_dir, test_dir, repo, split_seed, data_dir,
# dataset_names, script_name and prototype_options.  The functions that
# run SQL need the server of test/pgcluster.sh (PGHOST and PGPORT set).
#
# Every data set becomes two tables or views acc_NAME_train and
# acc_NAME_test with the columns (id, task, label, features real[]), and
# one row of acc_dataset (create_dataset_table) with its kind and split.

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
test_dir=$(cd "$bench_dir/.." && pwd)
repo=$(cd "$test_dir/.." && pwd)
split_seed=${SPLIT_SEED:-1}
data_dir=${DATA_DIR:-$repo/../shared/data}
dataset_names="vowel1 vowel2 exam contraception office_surf school sarcos landmine"
script_name=$(basename "$0")
# The training options of the HGNN prototype, all seven written out, so that
# a change of the extension's defaults does not change what they mean.
prototype_options='{"activation": "tanh", "hidden": 600, "weight_decay": 0.2, "weight_decay_scale": "none", "learning_rate": 0.02, "lr_schedule": "inverse", "epochs": 200, "batch_per_group": 32}'
# Background cells queued by queue_job, each a command line quoted for eval.
queued_jobs=()

if ! [[ $split_seed =~ ^[0-9]+$ ]]; then
	echo "$script_name: invalid SPLIT_SEED '$split_seed': expected a" \
		"non-negative integer" >&2
	exit 2
fi

run_sql()
{
	psql -X -q -At -v ON_ERROR_STOP=1 "$@"
}

# Exports PGOPTIONS for every later session: hgnn.blas_threads from
# BLAS_THREADS when that is set, and no NOTICEs.
export_session_options()
{
	if [ -n "${BLAS_THREADS:-}" ]; then
		export PGOPTIONS="${PGOPTIONS:-} -c hgnn.blas_threads=$BLAS_THREADS"
	fi
	export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
}

# Exits with status 2 unless every word of $2 is a data set name; $1 names
# the variable that the list came from.
check_dataset_names()
{
	local variable=$1 list=$2 dataset

	for dataset in $list; do
		if ! [[ " $dataset_names " == *" $dataset "* ]]; then
			echo "$script_name: unknown data set '$dataset' in $variable:" \
				"expected vowel1, vowel2, exam, contraception, office_surf," \
				"school, sarcos or landmine" >&2
			exit 2
		fi
	done
}

# Prints the setting variables among $2... that are set, as VAR="value",
# then "bash" and the script with its arguments, which are in $1.
format_command()
{
	local arguments=$1 variable line=
	shift

	for variable in "$@"; do
		if [ -n "${!variable+set}" ]; then
			line+="$variable=\"${!variable}\" "
		fi
	done
	echo "${line}bash $0${arguments:+ $arguments}"
}

# Prints the CPUs, memory and kernel of this machine on one line.
describe_machine()
{
	local cpu_model memory

	cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	memory=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	echo "$(nproc) CPUs ($cpu_model), $memory memory, $(uname -sr)"
}

# Prints the short commit of the repository, with "-dirty" when a tracked
# file outside docs/ has changes, or "unknown" outside git.  The reports
# under docs/ are left out because the runs rewrite them.
describe_commit()
{
	local commit

	if ! commit=$(git -C "$repo" rev-parse --short=7 HEAD 2>/dev/null); then
		echo unknown
		return
	fi
	if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no \
		-- . ':(exclude)docs' 2>/dev/null)" ]; then
		commit+=-dirty
	fi
	echo "$commit"
}

# The commit of the run, taken when the script starts.  A report is
# rewritten after every data set, and HEAD can move during a long run.
run_commit=$(describe_commit)

# Prints run_commit, and the commit at the time of the call when HEAD
# moved or the tree changed since the start, so a report names both.
describe_run_commit()
{
	local now

	now=$(describe_commit)
	if [ "$now" = "$run_commit" ]; then
		echo "$run_commit"
	else
		echo "$run_commit at the start, $now when this report was written"
	fi
}

# Prints the seconds since $1, a time printed by date +%s.%N.
elapsed_seconds()
{
	awk -v start="$1" -v end="$(date +%s.%N)" \
		'BEGIN { printf "%.3f\n", end - start }'
}

# Creates acc_dataset, which register fills.
create_dataset_table()
{
	run_sql <<'SQL'
-- One row per data set that was loaded: its kind and split.
CREATE TABLE acc_dataset (
	dataset text PRIMARY KEY,
	kind text NOT NULL,
	split text NOT NULL,
	ord serial
);
SQL
}

# Prints the kind of loaded data set $1: classification or regression.
dataset_kind()
{
	run_sql -v ds="$1" <<<"SELECT kind FROM acc_dataset WHERE dataset = :'ds'"
}

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

# Splits table or view $1 (id, task, label, features) of kind $2 into the
# new tables $4 and $5 by md5 with seed $3: of each group of n rows (group
# = task and label for kind classification, task for regression),
# max(1, round(0.7 * n)) go to $4 and the rest to $5.
split_md5()
{
	local table=$1 kind=$2 seed=$3 first=$4 second=$5 group

	group="task, label"
	[ "$kind" = regression ] && group="task"
	run_sql -v table="$table" -v seed="$seed" -v first="$first" \
		-v second="$second" <<SQL
CREATE TABLE acc_split AS
SELECT id,
	   row_number() OVER (PARTITION BY $group
						  ORDER BY md5(id::text || ':' || :'seed'), id)
	   AS group_rank,
	   count(*) OVER (PARTITION BY $group) AS group_size
FROM :"table";
CREATE TABLE :"first" AS
SELECT d.* FROM :"table" d JOIN acc_split s USING (id)
WHERE s.group_rank <= greatest(1, round(0.7 * s.group_size)) ORDER BY d.id;
CREATE TABLE :"second" AS
SELECT d.* FROM :"table" d JOIN acc_split s USING (id)
WHERE s.group_rank > greatest(1, round(0.7 * s.group_size)) ORDER BY d.id;
DROP TABLE acc_split;
ANALYZE :"first", :"second";
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
			echo "$script_name: skipping $dataset: $data_dir/$file not found"
			return 1
		fi
		local kind=classification
		[ "$dataset" = school ] || [ "$dataset" = sarcos ] && kind=regression
		if [ "$kind" = classification ]; then
			load_csv "acc_$dataset" "$data_dir/$file" integer
		else
			load_csv "acc_$dataset" "$data_dir/$file" "double precision"
		fi
		split_md5 "acc_$dataset" "$kind" "$split_seed" \
			"acc_${dataset}_train" "acc_${dataset}_test"
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
		[ "$kind" = regression ] &&
			what="max(1, round(70%)) of each task trains"
		[ "$dataset" = office_surf ] &&
			what="$what; rows divided by their sum, then features\
 z-scored with the training rows' statistics"
		register "$dataset" "$kind" "$file, md5 split: $what, split seed $split_seed"
		;;
	esac
}

# Trains hgnn_fit on table $1 with options $4 (a JSON object without the
# seed) and seed $5, scores table $2 of kind $3, and prints
# "error|auc".  error is the mean over tasks of the error rate
# (classification) or of the MSE in the units of the label (regression).
# auc, empty unless $6 is "auc", is the mean per-task ROC AUC of the
# largest training label.  Every session is its own, so several calls can
# run at once.
score_hgnn_model()
{
	local train=$1 test=$2 kind=$3 options=$4 seed=$5 want_auc=$6

	run_sql -v train="$train" -v test="$test" -v kind="$kind" \
		-v want_auc="$want_auc" -v options="$options" -v seed="$seed" <<'SQL'
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
SELECT coalesce((SELECT avg(error)::text FROM per_task), '') || '|'
	   || coalesce((SELECT avg(auc)::text FROM auc), '');
SQL
}

# Queues the command $@ for run_queued_jobs.
queue_job()
{
	queued_jobs+=("$(printf '%q ' "$@")")
}

# Runs the queued commands, at most $1 at once, each in a background
# subshell whose psql sessions are its own, and empties the queue.  After
# a command fails it starts no new one, waits for those still running and
# returns 1.
run_queued_jobs()
{
	local limit=$1 running=0 failed=0 job

	for job in "${queued_jobs[@]}"; do
		while [ "$running" -ge "$limit" ]; do
			wait -n || failed=$((failed + 1))
			running=$((running - 1))
		done
		[ "$failed" -eq 0 ] || break
		eval "$job" &
		running=$((running + 1))
	done
	while [ "$running" -gt 0 ]; do
		wait -n || failed=$((failed + 1))
		running=$((running - 1))
	done
	queued_jobs=()
	if [ "$failed" -ne 0 ]; then
		echo "$script_name: $failed cell(s) failed; see the messages above" >&2
		return 1
	fi
}
