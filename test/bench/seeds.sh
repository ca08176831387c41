#!/bin/bash
# Measures the spread of HGNN's and the baseline's test error over seeds on
# the vowel data.  Needs the extension installed (test/setup.sh); run as
# root.  Not part of CI: with the default options it trains 20 models.
#
# For each seed it trains HGNN and the "augment": false baseline on both
# splits of test/data/load_vowel.sh with hgnn_train, then prints the mean
# test error over the speakers per seed, and the mean and sample standard
# deviation over the seeds.
#
# Environment:
#   SEEDS         seeds to run (default "1 2 3 4 5")
#   SPLIT_SEED    fixes the train/test split for every seed; unset, each
#                 seed also draws its own split, so the spread includes the
#                 choice of training rows
#   HGNN_OPTIONS  JSON object of extra hgnn_train options (default {})
#   BLAS_THREADS  value of hgnn.blas_threads (default: the GUC's default)

set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
test_dir=$(cd "$bench_dir/.." && pwd)
seeds=${SEEDS:-"1 2 3 4 5"}
extra_options=${HGNN_OPTIONS:-"{}"}

for seed in $seeds; do
	if ! [[ $seed =~ ^[0-9]+$ ]]; then
		echo "seeds.sh: invalid seed '$seed' in SEEDS: expected" \
			"non-negative integers" >&2
		exit 2
	fi
done

. "$test_dir/pgcluster.sh"
pgcluster_start
if [ -n "${BLAS_THREADS:-}" ]; then
	export PGOPTIONS="${PGOPTIONS:-} -c hgnn.blas_threads=$BLAS_THREADS"
fi

psql -X -q -v ON_ERROR_STOP=1 <<<'CREATE EXTENSION hgnn'
psql -X -q -v ON_ERROR_STOP=1 -f "$test_dir/data/vowel_eval.sql"
loaded_split=
for seed in $seeds; do
	split_seed=${SPLIT_SEED:-$seed}
	if [ "$split_seed" != "$loaded_split" ]; then
		# Reloading drops the vowel tables; vowel_result keeps its rows.
		bash "$test_dir/data/load_vowel.sh" "$split_seed"
		loaded_split=$split_seed
	fi

	options=$(psql -X -At -v ON_ERROR_STOP=1 -v extra="$extra_options" \
		-v seed="$seed" \
		<<<"SELECT (:'extra'::jsonb || jsonb_build_object('seed', :'seed'::int))::text")
	for split in 1 2; do
		for kind in hgnn baseline; do
			start=$(date +%s)
			psql -X -q -At -v ON_ERROR_STOP=1 -v run="seed $seed" \
				-v split="$split" -v kind="$kind" -v options="$options" \
				>/dev/null \
				<<<"SELECT vowel_run(:'run', :'split', :'kind', :'options')"
			echo "seeds.sh: seed $seed split $split $kind done in" \
				"$(($(date +%s) - start)) s"
		done
	done
done

psql -X -q -v ON_ERROR_STOP=1 -v extra="$extra_options" <<'SQL'
\pset footer off
\echo
\echo Mean test error over the 15 speakers per seed; options :extra
WITH per_seed AS (
	SELECT run, split, kind, mean_test_error, train_seconds
	FROM vowel_summary
	WHERE run LIKE 'seed %'
), by_seed AS (
	SELECT replace(run, 'seed ', '')::int AS seed,
		   max(mean_test_error) FILTER (WHERE split = 1 AND kind = 'hgnn')
		   AS s1_hgnn,
		   max(mean_test_error) FILTER (WHERE split = 1 AND kind = 'baseline')
		   AS s1_baseline,
		   max(mean_test_error) FILTER (WHERE split = 2 AND kind = 'hgnn')
		   AS s2_hgnn,
		   max(mean_test_error) FILTER (WHERE split = 2 AND kind = 'baseline')
		   AS s2_baseline,
		   sum(train_seconds) AS seconds
	FROM per_seed
	GROUP BY run
)
SELECT CASE section WHEN 0 THEN seed::text WHEN 1 THEN 'mean' ELSE 'sd' END
	   AS seed,
	   round(s1_hgnn::numeric, 4) AS "split 1 hgnn",
	   round(s1_baseline::numeric, 4) AS "split 1 baseline",
	   round(s2_hgnn::numeric, 4) AS "split 2 hgnn",
	   round(s2_baseline::numeric, 4) AS "split 2 baseline",
	   round(seconds::numeric, 1) AS "train seconds, 4 models"
FROM (SELECT 0 AS section, seed, s1_hgnn, s1_baseline, s2_hgnn,
			 s2_baseline, seconds
	  FROM by_seed
	  UNION ALL
	  SELECT 1, NULL, avg(s1_hgnn), avg(s1_baseline), avg(s2_hgnn),
			 avg(s2_baseline), avg(seconds)
	  FROM by_seed
	  UNION ALL
	  SELECT 2, NULL, stddev_samp(s1_hgnn), stddev_samp(s1_baseline),
			 stddev_samp(s2_hgnn), stddev_samp(s2_baseline),
			 stddev_samp(seconds)
	  FROM by_seed) r
ORDER BY section, seed;
SQL
