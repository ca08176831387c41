#!/bin/bash
# Checks that pg_dump keeps the hgnn catalog: the model versions, their
# metrics and the deployment history are restored into a new database,
# where prediction by name gives the same values and training, deployment
# and rollback go on.  Both the custom format (pg_restore) and the plain
# SQL format (psql) are restored.
#
#   bash test/dump_restore.sh
#
# Needs the extension installed (test/setup.sh).  Starts its own cluster
# with test/pgcluster.sh and ends with "N passed, M failed".

set -uo pipefail

test_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$test_dir/pgcluster.sh"

passed=0
failed=0

# Records check $1: passes when the expected value $2 equals the actual $3.
check()
{
	if [ "$2" = "$3" ]; then
		passed=$((passed + 1))
		echo "ok: $1"
	else
		failed=$((failed + 1))
		echo "FAILED: $1: expected '$2', got '$3'"
	fi
}

# Runs SQL $2 in database $1 and prints the result unaligned.
query()
{
	psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}

finish()
{
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

pgcluster_start || exit 1
dump_dir=$PGCLUSTER_DIR/dump

# The catalog as text: every column of every version (the model as its
# md5), every deployment row, and the view of the versions.
catalog_sql="
SELECT md5(string_agg(m::text, '|' ORDER BY m.id))
FROM (SELECT id, name, version, created_at, source, options, metrics,
             md5(model) AS model, features_column, label_column,
             task_column, test_metrics, loss_curve
      FROM hgnn_models) m;
SELECT md5(string_agg(d::text, '|' ORDER BY d.id)) FROM hgnn_deployments d;
SELECT md5(string_agg(v::text, '|' ORDER BY v.name, v.version))
FROM hgnn_model_versions v;"

# Predictions by name of every model, as one md5.
predictions_sql="
SELECT md5(string_agg(hgnn_predict_proba('forest', features, site)::text ||
                      hgnn_predict_label('grove', features, site),
                      '|' ORDER BY id))
FROM trees;"

if ! psql -X -q -v ON_ERROR_STOP=1 -d postgres >/dev/null <<'SQL'
CREATE DATABASE source;
\c source
CREATE EXTENSION hgnn;
CREATE TABLE trees AS
SELECT i AS id,
       (ARRAY['north', 'south', 'west'])[i % 3 + 1] AS site,
       (ARRAY['ash', 'elm', 'oak'])[(i / 3) % 3 + 1] AS tree,
       ARRAY[(i / 3) % 3 + 0.4 * sin(i * 1.7),
             -((i / 3) % 3) + 0.4 * cos(i * 2.3) + 0.2 * (i % 3),
             sin(i * 0.9)]::real[] AS features
FROM generate_series(1, 360) AS i;
-- forest: version 1 deployed, version 2 never, version 3 deployed and
-- rolled back, so version 1 is deployed and the history has three rows
SELECT hgnn_train('forest', 'trees', 'features', 'tree', 'site',
                  '{"hidden": 8, "epochs": 5, "seed": 1,
                    "test_fraction": 0.2}');
SELECT hgnn_train('forest', 'trees', 'features', 'tree', 'site',
                  '{"hidden": 8, "epochs": 5, "seed": 2,
                    "deploy": "never"}');
SELECT hgnn_train('forest', 'trees', 'features', 'tree', 'site',
                  '{"hidden": 8, "epochs": 5, "seed": 3}');
SELECT hgnn_rollback('forest');
SELECT hgnn_train('grove', 'trees', 'features', 'tree', 'site',
                  '{"hidden": 8, "epochs": 5, "seed": 4}');
SQL
then
	echo "FAILED: setting up the source database"
	failed=$((failed + 1))
	finish
fi

source_catalog=$(query source "$catalog_sql")
source_predictions=$(query source "$predictions_sql")
check "source has 4 versions" 4 "$(query source 'SELECT count(*) FROM hgnn_models')"
check "source deploys forest version 1" 1 \
	"$(query source "SELECT deployed_version FROM hgnn_model_list WHERE name = 'forest'")"

mkdir -p "$dump_dir"
chmod 777 "$dump_dir"
"$PGCLUSTER_BIN/pg_dump" -Fc -d source -f "$dump_dir/source.dump"
check "pg_dump custom format" 0 $?
"$PGCLUSTER_BIN/pg_dump" -Fp -d source -f "$dump_dir/source.sql"
check "pg_dump plain format" 0 $?
check "plain dump has the hgnn_deployments rows" 1 \
	"$(grep -c '^COPY public.hgnn_deployments ' "$dump_dir/source.sql")"

query postgres 'CREATE DATABASE from_custom' >/dev/null
"$PGCLUSTER_BIN/pg_restore" -d from_custom --exit-on-error \
	"$dump_dir/source.dump"
check "pg_restore into a new database" 0 $?
query postgres 'CREATE DATABASE from_plain' >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d from_plain -f "$dump_dir/source.sql" \
	>/dev/null
check "psql restores the plain dump" 0 $?

# the version that CREATE EXTENSION installs, from hgnn.control
default_version=$(sed -n "s/^default_version = '\(.*\)'$/\1/p" \
	"$(dirname "${BASH_SOURCE[0]}")/../hgnn.control")
for db in from_custom from_plain; do
	check "$db: extension version" "$default_version" \
		"$(query "$db" "SELECT extversion FROM pg_extension WHERE extname = 'hgnn'")"
	check "$db: catalog rows equal" "$source_catalog" \
		"$(query "$db" "$catalog_sql")"
	check "$db: predictions by name equal" "$source_predictions" \
		"$(query "$db" "$predictions_sql")"
	check "$db: forest version 1 deployed" 1 \
		"$(query "$db" "SELECT deployed_version FROM hgnn_model_list WHERE name = 'forest'")"

	# the sequences were restored: new rows get new ids
	check "$db: training gets the next id" 5 \
		"$(query "$db" "SELECT hgnn_train('forest', 'trees', 'features', 'tree', 'site', '{\"hidden\": 8, \"epochs\": 2, \"deploy\": \"never\"}')")"
	check "$db: training gets the next version" 4 \
		"$(query "$db" "SELECT max(version) FROM hgnn_models WHERE name = 'forest'")"
	check "$db: deploy gets a new id" 1 \
		"$(query "$db" "SELECT (hgnn_deploy('forest', 4) > (SELECT max(id) FROM hgnn_deployments WHERE version <> 4))::int")"
	check "$db: rollback to the restored deployment" 1 \
		"$(query "$db" "SELECT hgnn_rollback('forest')")"
	check "$db: predictions by name after rollback" "$source_predictions" \
		"$(query "$db" "$predictions_sql")"
	check "$db: rollback through the restored history" \
		"hgnn model \"forest\" has no deployment before version 1" \
		"$(query "$db" "SELECT hgnn_rollback('forest')" 2>&1 |
			sed -n 's/^ERROR:  //p')"
done

finish
