#!/bin/bash
# Loads mlmRev's Exam data into the database that PGHOST, PGPORT, PGUSER
# and PGDATABASE name, and splits it into training and test tables.
#
# usage: load_exam.sh [SPLIT_SEED]      (default 1)
#
# Tables, all with columns (id, school, normexam, features real[15]):
#   exam           all 4,059 students.  school 1..65 is the task and
#                  normexam the regression target.  features are in the
#                  order that test/data/exam.R writes them.
#   exam_train     round(0.7 * school size) students of each school
#   exam_test      the other students of each school
# exam_split(id, school_rank, school_size) records the ranking behind them.
#
# Inside each school the rows are ranked by md5(id || ':' || SPLIT_SEED),
# so a seed gives the same split on every machine and PostgreSQL version.
# Every school has at least 2 students, so every school is in both tables.
# The script fails unless every count matches.

set -euo pipefail

split_seed=${1:-1}
if ! [[ $split_seed =~ ^[0-9]+$ ]]; then
	echo "load_exam.sh: invalid split seed '$split_seed': expected a" \
		"non-negative integer" >&2
	exit 2
fi

data_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

# exam_csv is a plain table, not a temporary one, because the COPY runs in
# a psql session of its own to read the CSV from standard input.
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
DROP TABLE IF EXISTS exam, exam_split, exam_train, exam_test, exam_csv
	CASCADE;

CREATE TABLE exam_csv (
	id integer,
	school integer,
	normexam double precision,
	schgend_mixed real, schgend_boys real, schgend_girls real,
	schavg real,
	vr_bottom25 real, vr_mid50 real, vr_top25 real,
	intake_bottom25 real, intake_mid50 real, intake_top25 real,
	standlrt real,
	sex_f real, sex_m real,
	type_mxd real, type_sngl real
);
SQL

Rscript "$data_dir/exam.R" |
	psql -X -q -v ON_ERROR_STOP=1 \
		-c '\copy exam_csv FROM STDIN WITH (FORMAT csv, HEADER true)'

psql -X -q -v ON_ERROR_STOP=1 -v seed="$split_seed" <<'SQL'
CREATE TABLE exam (
	id integer PRIMARY KEY,
	school integer NOT NULL,
	normexam double precision NOT NULL,
	features real[] NOT NULL
);
INSERT INTO exam
SELECT id, school, normexam,
	   ARRAY[schgend_mixed, schgend_boys, schgend_girls, schavg,
			 vr_bottom25, vr_mid50, vr_top25,
			 intake_bottom25, intake_mid50, intake_top25, standlrt,
			 sex_f, sex_m, type_mxd, type_sngl]
FROM exam_csv
ORDER BY id;
DROP TABLE exam_csv;

CREATE TABLE exam_split AS
SELECT id,
	   row_number() OVER (PARTITION BY school
						  ORDER BY md5(id::text || ':' || :'seed'), id)
	   AS school_rank,
	   count(*) OVER (PARTITION BY school) AS school_size
FROM exam;

CREATE TABLE exam_train AS
SELECT e.* FROM exam e JOIN exam_split s USING (id)
WHERE s.school_rank <= round(0.7 * s.school_size)
ORDER BY e.id;

CREATE TABLE exam_test AS
SELECT e.* FROM exam e JOIN exam_split s USING (id)
WHERE s.school_rank > round(0.7 * s.school_size)
ORDER BY e.id;

ANALYZE exam, exam_train, exam_test;

DO $$
DECLARE
	n_rows bigint;
	n_schools bigint;
	n_small_schools bigint;
	n_features_bad bigint;
	n_train bigint;
	n_test bigint;
	n_train_expected bigint;
	n_train_schools bigint;
	n_test_schools bigint;
	n_bad_share bigint;
BEGIN
	SELECT count(*), count(DISTINCT school) INTO n_rows, n_schools FROM exam;
	SELECT count(*) INTO n_features_bad FROM exam
	WHERE cardinality(features) <> 15
		OR EXISTS (SELECT 1 FROM unnest(features) f WHERE f IS NULL);
	SELECT count(*) INTO n_small_schools
	FROM (SELECT 1 FROM exam GROUP BY school HAVING count(*) < 2) s;
	SELECT count(*) INTO n_train FROM exam_train;
	SELECT count(*) INTO n_test FROM exam_test;
	SELECT sum(round(0.7 * n)) INTO n_train_expected
	FROM (SELECT count(*) AS n FROM exam GROUP BY school) s;
	SELECT count(DISTINCT school) INTO n_train_schools FROM exam_train;
	SELECT count(DISTINCT school) INTO n_test_schools FROM exam_test;

	-- every school must train on its share of rows
	SELECT count(*) INTO n_bad_share
	FROM (SELECT school, count(*) AS n FROM exam GROUP BY school) a
	LEFT JOIN (SELECT school, count(*) AS n FROM exam_train GROUP BY school) t
		USING (school)
	WHERE t.n IS DISTINCT FROM round(0.7 * a.n);

	IF n_rows <> 4059 OR n_schools <> 65 OR n_features_bad <> 0
		OR n_small_schools <> 0 OR n_train <> n_train_expected
		OR n_train + n_test <> 4059
		OR n_train_schools <> 65 OR n_test_schools <> 65
		OR n_bad_share <> 0 THEN
		RAISE EXCEPTION 'exam split has unexpected counts: % rows (expected 4059), % schools (expected 65), % rows without 15 features, % schools of fewer than 2 students, % train / % test (expected % / %), % and % schools in train and test (expected 65 each), % schools without round(0.7 * size) training rows',
			n_rows, n_schools, n_features_bad, n_small_schools,
			n_train, n_test, n_train_expected, 4059 - n_train_expected,
			n_train_schools, n_test_schools, n_bad_share;
	END IF;
END
$$;

-- The fingerprint is the md5 of the training ids, for comparing splits
-- across machines.
SELECT format('exam: %s students in %s schools; split seed %s; '
			  '%s train / %s test (train ids md5 %s)',
			  (SELECT count(*) FROM exam),
			  (SELECT count(DISTINCT school) FROM exam), :'seed',
			  (SELECT count(*) FROM exam_train),
			  (SELECT count(*) FROM exam_test),
			  (SELECT left(md5(string_agg(id::text, ',' ORDER BY id)), 12)
			   FROM exam_train)) AS summary
\gset
\echo :summary
SQL
