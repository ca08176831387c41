#!/bin/bash
# Trains HGNN and its baseline on the vowel data and prints their test
# errors.  Run as root on Debian 12: sudo bash test/main_job.sh
#
# test/setup.sh installs packages and the extension, and a throwaway
# cluster starts.  test/data/load_vowel.sh loads and splits mlbench's vowel
# data.  hgnn_train fits HGNN and the baseline ("augment": false, which
# drops both attention graphs) on split 1 (4 training rows per speaker and
# vowel) and on split 2 (2 rows), and hgnn_predict_label scores the test
# rows.  The output is the test error of every speaker (task) and, per
# split and model, the mean test error and
# hgnn_model_info(model)->'train_seconds'.
#
# Environment:
#   SEED          training seed (default 1)
#   SPLIT_SEED    seed of the train/test split (default 1)
#   HGNN_OPTIONS  JSON object of extra hgnn_train options, for example
#                 '{"epochs": 50}'; unset, the extension's defaults apply
#   BLAS_THREADS  value of hgnn.blas_threads (default: the GUC's default)

set -euo pipefail

test_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
seed=${SEED:-1}
split_seed=${SPLIT_SEED:-1}
extra_options=${HGNN_OPTIONS:-"{}"}

if ! [[ $seed =~ ^[0-9]+$ ]]; then
	echo "main_job.sh: invalid SEED '$seed': expected a non-negative" \
		"integer" >&2
	exit 2
fi

bash "$test_dir/setup.sh"

. "$test_dir/pgcluster.sh"
pgcluster_start
if [ -n "${BLAS_THREADS:-}" ]; then
	export PGOPTIONS="${PGOPTIONS:-} -c hgnn.blas_threads=$BLAS_THREADS"
fi

psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION hgnn'
bash "$test_dir/data/load_vowel.sh" "$split_seed"
psql -X -q -v ON_ERROR_STOP=1 -f "$test_dir/data/vowel_eval.sql"

# psql interpolates variables only in scripts, so the queries that need
# them come on standard input.
options=$(psql -X -At -v ON_ERROR_STOP=1 -v extra="$extra_options" \
	-v seed="$seed" <<'SQL'
SELECT (:'extra'::jsonb || jsonb_build_object('seed', :'seed'::int))::text
SQL
)
echo "main_job: hgnn_train options $options (baseline adds \"augment\": false)"

for split in 1 2; do
	for kind in hgnn baseline; do
		echo "main_job: training $kind on split $split"
		psql -X -q -At -v ON_ERROR_STOP=1 -v split="$split" \
			-v kind="$kind" -v options="$options" >/dev/null \
			<<<"SELECT vowel_run('main', :'split', :'kind', :'options')"
	done
done

psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
\pset footer off
\echo
\echo Test error per speaker (task); split 1 trains on 4 rows per speaker and vowel, split 2 on 2
SELECT speaker,
	   round(max(n_errors::numeric / n_test)
			 FILTER (WHERE split = 1 AND kind = 'hgnn'), 3) AS "split 1 hgnn",
	   round(max(n_errors::numeric / n_test)
			 FILTER (WHERE split = 1 AND kind = 'baseline'), 3)
	   AS "split 1 baseline",
	   round(max(n_errors::numeric / n_test)
			 FILTER (WHERE split = 2 AND kind = 'hgnn'), 3) AS "split 2 hgnn",
	   round(max(n_errors::numeric / n_test)
			 FILTER (WHERE split = 2 AND kind = 'baseline'), 3)
	   AS "split 2 baseline"
FROM vowel_result
WHERE run = 'main'
GROUP BY speaker
ORDER BY speaker;

\echo Mean test error over the 15 speakers, and training time
SELECT split, kind AS model,
	   round(mean_test_error::numeric, 4) AS "mean test error",
	   n_test AS "test rows",
	   n_unlabeled AS "rows without label",
	   round(train_seconds::numeric, 1) AS "train seconds",
	   round(final_loss::numeric, 4) AS "final loss",
	   model_id AS "model id"
FROM vowel_summary
WHERE run = 'main'
ORDER BY split, kind DESC;
SQL
