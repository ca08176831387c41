#!/bin/bash
# Checks nightly-style retraining with pg_cron: two jobs scheduled every
# minute run hgnn_train with {"deploy": "if_better"}.  One retrains a model
# whose deployed version learned a corrupted label column, and its better
# new version is deployed.  The other retrains a good model on the
# corrupted column, and its worse new version is kept back.
#
#   bash test/cron_retrain.sh
#
# Needs the extension and Debian's postgresql-15-cron installed
# (test/setup.sh).  Starts its own cluster with test/pgcluster.sh, with
# pg_cron preloaded and running jobs in background workers, so no job
# opens a network connection.  A job runs at the start of the next minute,
# so the script waits up to CRON_TIMEOUT seconds (default 150) for both
# runs.  It ends with "N passed, M failed".

set -uo pipefail

test_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$test_dir/pgcluster.sh"

cron_timeout=${CRON_TIMEOUT:-150}
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

query()
{
	psql -X -q -At -v ON_ERROR_STOP=1 -d postgres -c "$1"
}

finish()
{
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

pgcluster_start \
	"shared_preload_libraries = 'pg_cron'" \
	"cron.database_name = 'postgres'" \
	"cron.use_background_workers = on" \
	"cron.max_running_jobs = 4" \
	"max_worker_processes = 16" || exit 1

# noisy_label is a class drawn by a hash of the row, unrelated to the
# features, so a model trained on it has a high held-out error.  Every
# training has a fixed seed and split, so the outcome is deterministic.
if ! psql -X -q -v ON_ERROR_STOP=1 -d postgres >/dev/null <<'SQL'
CREATE EXTENSION pg_cron;
CREATE EXTENSION hgnn;
CREATE TABLE cron_rows AS
SELECT i AS id,
       (ARRAY['north', 'south', 'west'])[i % 3 + 1] AS site,
       (ARRAY['ash', 'elm', 'oak'])[(i / 3) % 3 + 1] AS tree,
       (ARRAY['ash', 'elm', 'oak'])[get_byte(decode(md5(i::text), 'hex'), 0) % 3 + 1]
           AS noisy_tree,
       ARRAY[(i / 3) % 3 + 0.4 * sin(i * 1.7),
             -((i / 3) % 3) + 0.4 * cos(i * 2.3) + 0.2 * (i % 3),
             sin(i * 0.9)]::real[] AS features
FROM generate_series(1, 360) AS i;
SELECT hgnn_train('improving', 'cron_rows', 'features', 'noisy_tree', 'site',
                  '{"hidden": 8, "epochs": 8, "seed": 1, "test_fraction": 0.25}');
SELECT hgnn_train('steady', 'cron_rows', 'features', 'tree', 'site',
                  '{"hidden": 8, "epochs": 8, "seed": 1, "test_fraction": 0.25}');
SELECT cron.schedule('hgnn-improving', '* * * * *', $job$
    SELECT hgnn_train('improving', 'cron_rows', 'features', 'tree', 'site',
                      '{"hidden": 8, "epochs": 8, "seed": 1,
                        "test_fraction": 0.25, "deploy": "if_better"}')
$job$);
SELECT cron.schedule('hgnn-steady', '* * * * *', $job$
    SELECT hgnn_train('steady', 'cron_rows', 'features', 'noisy_tree', 'site',
                      '{"hidden": 8, "epochs": 8, "seed": 1,
                        "test_fraction": 0.25, "deploy": "if_better"}')
$job$);
SQL
then
	echo "FAILED: setting up the models and the cron jobs"
	failed=$((failed + 1))
	finish
fi
check "two jobs scheduled" 2 "$(query 'SELECT count(*) FROM cron.job')"

# Waits until every job has a finished run, or the timeout passes.
finished_sql="SELECT count(DISTINCT jobid) FROM cron.job_run_details
              WHERE status IN ('succeeded', 'failed')"
waited=0
while [ "$waited" -lt "$cron_timeout" ]; do
	if [ "$(query "$finished_sql")" = 2 ]; then
		break
	fi
	sleep 5
	waited=$((waited + 5))
done
echo "waited $waited s for the cron runs"
query "SELECT cron.unschedule(jobname) FROM cron.job" >/dev/null

check "both jobs succeeded" 2 \
	"$(query "SELECT count(DISTINCT jobid) FROM cron.job_run_details WHERE status = 'succeeded'")"
check "no job failed" 0 \
	"$(query "SELECT count(*) FROM cron.job_run_details WHERE status = 'failed'")"
query "SELECT jobid, status, return_message FROM cron.job_run_details
       WHERE status <> 'succeeded'"

# A job that ran twice before the unschedule trained the same model again,
# so only the first run's versions are checked.
check "improving: a new version exists" 2 \
	"$(query "SELECT count(*) FROM hgnn_models WHERE name = 'improving' AND version <= 2")"
check "improving: the better version is deployed" 2 \
	"$(query "SELECT version FROM hgnn_deployment_history WHERE name = 'improving' AND version = 2 AND action = 'train'")"
check "improving: the deployed version learned the trees" tree \
	"$(query "SELECT m.label_column FROM hgnn_model_list l JOIN hgnn_models m ON m.name = l.name AND m.version = l.deployed_version WHERE l.name = 'improving'")"
check "improving: the reason names the comparison" 1 \
	"$(query "SELECT count(*) FROM hgnn_deployments WHERE name = 'improving' AND version = 2 AND reason LIKE 'held-out error % is at least as good as % of version 1'")"
check "improving: deployed by the job's user" postgres \
	"$(query "SELECT deployed_by FROM hgnn_deployments WHERE name = 'improving' AND version = 2")"

check "steady: a new version exists" 2 \
	"$(query "SELECT count(*) FROM hgnn_models WHERE name = 'steady' AND version <= 2")"
check "steady: the worse version is kept back" 1 \
	"$(query "SELECT deployed_version FROM hgnn_model_list WHERE name = 'steady'")"
check "steady: no deployment of a newer version" 0 \
	"$(query "SELECT count(*) FROM hgnn_deployments WHERE name = 'steady' AND version > 1")"
check "steady: the new version's held-out error is higher" t \
	"$(query "SELECT (n.test_metrics ->> 'error')::float8 > (o.test_metrics ->> 'error')::float8 FROM hgnn_models n, hgnn_models o WHERE n.name = 'steady' AND n.version = 2 AND o.name = 'steady' AND o.version = 1")"

finish
