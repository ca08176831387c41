#!/bin/bash
# Loads mlmRev's Contraception data into the database that PGHOST, PGPORT,
# PGUSER and PGDATABASE name, and splits it into training and test tables.
#
# usage: load_contraception.sh [SPLIT_SEED]      (default 1)
#
# Tables, all with columns (id, district, use, features real[7]):
#   contraception        all 1,934 women.  district (60 values) is the task
#                        and use ('N' or 'Y') the label.  features are in
#                        the order that test/data/contraception.R writes
#                        them.
#   contraception_train  of each (district, use) group of n rows, the first
#                        max(1, round(0.7 * n)) rows
#   contraception_test   the other rows
# contraception_split(id, group_rank, group_size) records the ranking.
#
# Inside each group the rows are ranked by md5(id || ':' || SPLIT_SEED), so
# a seed gives the same split on every machine and PostgreSQL version.  A
# group of one row goes to training, so every group trains on at least one
# row, and the groups of 1 row have no test row.  The script fails unless
# every count matches.

set -euo pipefail

split_seed=${1:-1}
if ! [[ $split_seed =~ ^[0-9]+$ ]]; then
	echo "load_contraception.sh: invalid split seed '$split_seed':" \
		"expected a non-negative integer" >&2
	exit 2
fi

data_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

# contraception_csv is a plain table, not a temporary one, because the COPY
# runs in a psql session of its own to read the CSV from standard input.
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
DROP TABLE IF EXISTS contraception, contraception_split, contraception_train,
	contraception_test, contraception_csv CASCADE;

CREATE TABLE contraception_csv (
	id integer,
	district integer,
	use text,
	age real,
	livch_0 real, livch_1 real, livch_2 real, livch_3plus real,
	urban_n real, urban_y real
);
SQL

Rscript "$data_dir/contraception.R" |
	psql -X -q -v ON_ERROR_STOP=1 \
		-c '\copy contraception_csv FROM STDIN WITH (FORMAT csv, HEADER true)'

psql -X -q -v ON_ERROR_STOP=1 -v seed="$split_seed" <<'SQL'
CREATE TABLE contraception (
	id integer PRIMARY KEY,
	district integer NOT NULL,
	use text NOT NULL,
	features real[] NOT NULL
);
INSERT INTO contraception
SELECT id, district, use,
	   ARRAY[age, livch_0, livch_1, livch_2, livch_3plus, urban_n, urban_y]
FROM contraception_csv
ORDER BY id;
DROP TABLE contraception_csv;

CREATE TABLE contraception_split AS
SELECT id,
	   row_number() OVER (PARTITION BY district, use
						  ORDER BY md5(id::text || ':' || :'seed'), id)
	   AS group_rank,
	   count(*) OVER (PARTITION BY district, use) AS group_size
FROM contraception;

CREATE TABLE contraception_train AS
SELECT c.* FROM contraception c JOIN contraception_split s USING (id)
WHERE s.group_rank <= greatest(1, round(0.7 * s.group_size))
ORDER BY c.id;

CREATE TABLE contraception_test AS
SELECT c.* FROM contraception c JOIN contraception_split s USING (id)
WHERE s.group_rank > greatest(1, round(0.7 * s.group_size))
ORDER BY c.id;

ANALYZE contraception, contraception_train, contraception_test;

DO $$
DECLARE
	n_rows bigint;
	n_districts bigint;
	n_groups bigint;
	n_features_bad bigint;
	n_labels_bad bigint;
	n_train bigint;
	n_test bigint;
	n_train_expected bigint;
	n_train_districts bigint;
	n_bad_share bigint;
BEGIN
	SELECT count(*), count(DISTINCT district)
	INTO n_rows, n_districts FROM contraception;
	SELECT count(*) INTO n_features_bad FROM contraception
	WHERE cardinality(features) <> 7
		OR EXISTS (SELECT 1 FROM unnest(features) f WHERE f IS NULL);
	SELECT count(*) INTO n_labels_bad FROM contraception
	WHERE use NOT IN ('N', 'Y');
	SELECT count(*) INTO n_groups
	FROM (SELECT 1 FROM contraception GROUP BY district, use) g;
	SELECT count(*) INTO n_train FROM contraception_train;
	SELECT count(*) INTO n_test FROM contraception_test;
	SELECT sum(greatest(1, round(0.7 * n))) INTO n_train_expected
	FROM (SELECT count(*) AS n FROM contraception GROUP BY district, use) g;
	SELECT count(DISTINCT district) INTO n_train_districts
	FROM contraception_train;

	-- every group must train on its share of rows
	SELECT count(*) INTO n_bad_share
	FROM (SELECT district, use, count(*) AS n
		  FROM contraception GROUP BY district, use) a
	LEFT JOIN (SELECT district, use, count(*) AS n
			   FROM contraception_train GROUP BY district, use) t
		USING (district, use)
	WHERE t.n IS DISTINCT FROM greatest(1, round(0.7 * a.n));

	IF n_rows <> 1934 OR n_districts <> 60 OR n_features_bad <> 0
		OR n_labels_bad <> 0 OR n_train <> n_train_expected
		OR n_train + n_test <> 1934 OR n_train_districts <> 60
		OR n_bad_share <> 0 THEN
		RAISE EXCEPTION 'contraception split has unexpected counts: % rows (expected 1934), % districts (expected 60), % rows without 7 features, % labels other than N and Y, % train / % test (expected % / %), % districts in train (expected 60), % (district, use) groups without max(1, round(0.7 * size)) training rows',
			n_rows, n_districts, n_features_bad, n_labels_bad,
			n_train, n_test, n_train_expected, 1934 - n_train_expected,
			n_train_districts, n_bad_share;
	END IF;
END
$$;

-- The fingerprint is the md5 of the training ids, for comparing splits
-- across machines.
SELECT format('contraception: %s women in %s districts, %s (district, use) '
			  'groups, %s districts of one class; split seed %s; '
			  '%s train / %s test, %s districts in test '
			  '(train ids md5 %s)',
			  (SELECT count(*) FROM contraception),
			  (SELECT count(DISTINCT district) FROM contraception),
			  (SELECT count(*) FROM (SELECT 1 FROM contraception
									 GROUP BY district, use) g),
			  (SELECT count(*) FROM (SELECT 1 FROM contraception
									 GROUP BY district
									 HAVING count(DISTINCT use) = 1) d),
			  :'seed',
			  (SELECT count(*) FROM contraception_train),
			  (SELECT count(*) FROM contraception_test),
			  (SELECT count(DISTINCT district) FROM contraception_test),
			  (SELECT left(md5(string_agg(id::text, ',' ORDER BY id)), 12)
			   FROM contraception_train)) AS summary
\gset
\echo :summary
SQL
