#!/bin/bash
# Loads mlbench's vowel data into the database that PGHOST, PGPORT, PGUSER
# and PGDATABASE name, and splits it into training and test tables.
#
# usage: load_vowel.sh [SPLIT_SEED]      (default 1)
#
# Tables, all with columns (id, speaker, vowel, features real[9]):
#   vowel          all 990 rows; speaker 0..14 is the task, vowel the label
#   vowel_train    split 1: 4 of the 6 rows of each (speaker, vowel) group
#   vowel_test     split 1: the other 2 rows of each group
#   vowel_train2   split 2 ("hard"): 2 rows of each group
#   vowel_test2    split 2: the other 4 rows of each group
# vowel_split(id, group_rank, group_size) records the ranking behind both.
#
# Inside each group the rows are ranked by md5(id || ':' || SPLIT_SEED), so
# a seed gives the same split on every machine and PostgreSQL version.
# Split 1 trains on the first round(0.7 * group size) rows and split 2 on
# the first 2.  The script fails unless every count matches.

set -euo pipefail

split_seed=${1:-1}
if ! [[ $split_seed =~ ^[0-9]+$ ]]; then
	echo "load_vowel.sh: invalid split seed '$split_seed': expected a" \
		"non-negative integer" >&2
	exit 2
fi

data_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

# vowel_csv is a plain table, not a temporary one, because the COPY runs in
# a psql session of its own to read the CSV from standard input.
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
DROP TABLE IF EXISTS vowel, vowel_split, vowel_train, vowel_test,
	vowel_train2, vowel_test2, vowel_csv CASCADE;

CREATE TABLE vowel_csv (
	id integer,
	speaker integer,
	vowel text,
	f1 real, f2 real, f3 real, f4 real, f5 real,
	f6 real, f7 real, f8 real, f9 real
);
SQL

Rscript "$data_dir/vowel.R" |
	psql -X -q -v ON_ERROR_STOP=1 \
		-c '\copy vowel_csv FROM STDIN WITH (FORMAT csv, HEADER true)'

psql -X -q -v ON_ERROR_STOP=1 -v seed="$split_seed" <<'SQL'
CREATE TABLE vowel (
	id integer PRIMARY KEY,
	speaker integer NOT NULL,
	vowel text NOT NULL,
	features real[] NOT NULL
);
INSERT INTO vowel
SELECT id, speaker, vowel, ARRAY[f1, f2, f3, f4, f5, f6, f7, f8, f9]
FROM vowel_csv
ORDER BY id;
DROP TABLE vowel_csv;

CREATE TABLE vowel_split AS
SELECT id,
	   row_number() OVER (PARTITION BY speaker, vowel
						  ORDER BY md5(id::text || ':' || :'seed'), id)
	   AS group_rank,
	   count(*) OVER (PARTITION BY speaker, vowel) AS group_size
FROM vowel;

CREATE TABLE vowel_train AS
SELECT v.* FROM vowel v JOIN vowel_split s USING (id)
WHERE s.group_rank <= round(0.7 * s.group_size)
ORDER BY v.id;

CREATE TABLE vowel_test AS
SELECT v.* FROM vowel v JOIN vowel_split s USING (id)
WHERE s.group_rank > round(0.7 * s.group_size)
ORDER BY v.id;

CREATE TABLE vowel_train2 AS
SELECT v.* FROM vowel v JOIN vowel_split s USING (id)
WHERE s.group_rank <= 2
ORDER BY v.id;

CREATE TABLE vowel_test2 AS
SELECT v.* FROM vowel v JOIN vowel_split s USING (id)
WHERE s.group_rank > 2
ORDER BY v.id;

ANALYZE vowel, vowel_train, vowel_test, vowel_train2, vowel_test2;

DO $$
DECLARE
	n_rows bigint;
	n_groups bigint;
	n_bad_groups bigint;
	n_features_bad bigint;
	n_train bigint;
	n_test bigint;
	n_train2 bigint;
	n_test2 bigint;
	n_train_groups bigint;
	n_train2_groups bigint;
BEGIN
	SELECT count(*) INTO n_rows FROM vowel;
	SELECT count(*) INTO n_features_bad FROM vowel
	WHERE cardinality(features) <> 9
		OR EXISTS (SELECT 1 FROM unnest(features) f WHERE f IS NULL);
	SELECT count(*), count(*) FILTER (WHERE n <> 6)
	INTO n_groups, n_bad_groups
	FROM (SELECT count(*) AS n FROM vowel GROUP BY speaker, vowel) g;
	SELECT count(*) INTO n_train FROM vowel_train;
	SELECT count(*) INTO n_test FROM vowel_test;
	SELECT count(*) INTO n_train2 FROM vowel_train2;
	SELECT count(*) INTO n_test2 FROM vowel_test2;

	-- every group must be in every training table with its share of rows
	SELECT count(*) INTO n_train_groups
	FROM (SELECT 1 FROM vowel_train GROUP BY speaker, vowel
		  HAVING count(*) = 4) g;
	SELECT count(*) INTO n_train2_groups
	FROM (SELECT 1 FROM vowel_train2 GROUP BY speaker, vowel
		  HAVING count(*) = 2) g;

	IF n_rows <> 990 OR n_features_bad <> 0 OR n_groups <> 165
		OR n_bad_groups <> 0 OR n_train <> 660 OR n_test <> 330
		OR n_train2 <> 330 OR n_test2 <> 660
		OR n_train_groups <> 165 OR n_train2_groups <> 165 THEN
		RAISE EXCEPTION 'vowel split has unexpected counts: % rows (expected 990), % rows without 9 features, % (speaker, vowel) groups (expected 165), % groups not of 6 rows, split 1 % train / % test (expected 660 / 330), split 2 % train / % test (expected 330 / 660), % and % groups with 4 and 2 training rows (expected 165 each)',
			n_rows, n_features_bad, n_groups, n_bad_groups,
			n_train, n_test, n_train2, n_test2,
			n_train_groups, n_train2_groups;
	END IF;
END
$$;

-- The fingerprint is the md5 of the training ids of each split, for
-- comparing splits across machines.
SELECT format('vowel: %s rows, 15 speakers x 11 vowels; split seed %s; '
			  'split 1 %s train / %s test (train ids md5 %s); '
			  'split 2 %s train / %s test (train ids md5 %s)',
			  (SELECT count(*) FROM vowel), :'seed',
			  (SELECT count(*) FROM vowel_train),
			  (SELECT count(*) FROM vowel_test),
			  (SELECT left(md5(string_agg(id::text, ',' ORDER BY id)), 12)
			   FROM vowel_train),
			  (SELECT count(*) FROM vowel_train2),
			  (SELECT count(*) FROM vowel_test2),
			  (SELECT left(md5(string_agg(id::text, ',' ORDER BY id)), 12)
			   FROM vowel_train2)) AS summary
\gset
\echo :summary
SQL
