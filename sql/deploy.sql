-- Deployment: hgnn_train's deploy and test_fraction options, hgnn_deploy,
-- hgnn_rollback, prediction by name through the deployment, the catalog
-- views, and dropping models and versions.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS hgnn;
CREATE EXTENSION IF NOT EXISTS dblink;
RESET client_min_messages;
\set SHOW_CONTEXT never

-- 3 tasks x 3 classes x 40 rows.  noisy_label is a class drawn by a hash
-- of the row, unrelated to the features.
CREATE TABLE dep_rows AS
SELECT i AS id,
       (ARRAY['north', 'south', 'west'])[i % 3 + 1] AS site,
       (ARRAY['ash', 'elm', 'oak'])[(i / 3) % 3 + 1] AS tree,
       (ARRAY['ash', 'elm', 'oak'])[get_byte(decode(md5(i::text), 'hex'), 0) % 3 + 1]
           AS noisy_tree,
       ARRAY[(i / 3) % 3 + 0.4 * sin(i * 1.7),
             -((i / 3) % 3) + 0.4 * cos(i * 2.3) + 0.2 * (i % 3),
             sin(i * 0.9)]::real[] AS features
FROM generate_series(1, 360) AS i;

CREATE TABLE dep_options AS
SELECT '{"hidden": 8, "gat_hidden": 4, "task_embedding": 4,
         "class_embedding": 4, "epochs": 8, "batch_per_group": 8,
         "learning_rate": 0.05,
         "lr_schedule": "inverse", "weight_decay": 0.01, "seed": 3}'::jsonb AS o;

-- weights hash of the model that a name predicts with, and of one version
CREATE FUNCTION dep_hash(model_name text) RETURNS text
LANGUAGE sql STABLE
AS $$ SELECT hgnn_model_info(model_name) ->> 'weights_hash' $$;
CREATE FUNCTION dep_version_hash(model_name text, model_version int)
RETURNS text
LANGUAGE sql STABLE
AS $$
SELECT hgnn_model_info(model) ->> 'weights_hash' FROM hgnn_models
WHERE name = model_name AND version = model_version
$$;

-- the deployments table and its sequence are dumped with the data
SELECT unnest(extconfig)::regclass AS dumped
FROM pg_extension WHERE extname = 'hgnn' ORDER BY 1;

----------------------------------------------------------------------
-- deploy: always (the default) and never
----------------------------------------------------------------------

SELECT hgnn_train('forest', 'dep_rows', 'features', 'tree', 'site',
                  (SELECT o FROM dep_options)) > 0 AS trained;
SELECT hgnn_train('forest', 'dep_rows', 'features', 'tree', 'site',
                  (SELECT o || '{"deploy": "never", "seed": 4}'
                   FROM dep_options)) > 0 AS trained;
SELECT name, version, action, current, deployed_by = current_user AS by_me,
       rolled_back_at IS NULL AS active, reason
FROM hgnn_deployment_history WHERE name = 'forest';

-- version 2 is newer, but version 1 is deployed and used by name
SELECT dep_hash('forest') = dep_version_hash('forest', 1) AS uses_v1,
       dep_version_hash('forest', 1) <> dep_version_hash('forest', 2)
           AS versions_differ;
SELECT bool_and(hgnn_predict_proba('forest', features, site) =
                hgnn_predict_proba(m.model, features, site)) AS same_proba
FROM dep_rows, hgnn_models m WHERE m.name = 'forest' AND m.version = 1;

----------------------------------------------------------------------
-- hgnn_deploy and hgnn_rollback
----------------------------------------------------------------------

SELECT hgnn_deploy('forest', 2) > 0 AS deployed;
SELECT dep_hash('forest') = dep_version_hash('forest', 2) AS uses_v2;
SELECT bool_and(hgnn_predict_label('forest', features, site) =
                hgnn_predict_label(m.model, features, site)) AS same_label
FROM dep_rows, hgnn_models m WHERE m.name = 'forest' AND m.version = 2;

-- deploying the deployed version adds no row
SELECT hgnn_deploy('forest', 2) =
       (SELECT max(id) FROM hgnn_deployments WHERE name = 'forest')
       AS same_row;
SELECT count(*) AS deployments FROM hgnn_deployments WHERE name = 'forest';

SELECT hgnn_rollback('forest') AS now_deployed;
SELECT dep_hash('forest') = dep_version_hash('forest', 1) AS uses_v1;
SELECT name, version, action, current, rolled_back_at IS NOT NULL AS rolled_back,
       rolled_back_by = current_user AS by_me
FROM hgnn_deployment_history WHERE name = 'forest';

-- nothing was deployed before version 1
SELECT hgnn_rollback('forest');

-- a rollback steps back through the history: 1, 2, 1 back to 2 then to 1
SELECT hgnn_deploy('forest', 2) > 0 AS deployed;
SELECT hgnn_train('forest', 'dep_rows', 'features', 'tree', 'site',
                  (SELECT o || '{"seed": 5}' FROM dep_options)) > 0
       AS trained;
SELECT version FROM hgnn_deployment_history
WHERE name = 'forest' AND current;
SELECT hgnn_rollback('forest') AS now_deployed;
SELECT hgnn_rollback('forest') AS now_deployed;
SELECT dep_hash('forest') = dep_version_hash('forest', 1) AS uses_v1;

-- a rollback inside a transaction that rolls back leaves the deployment
BEGIN;
SELECT hgnn_deploy('forest', 3) > 0 AS deployed;
SELECT dep_hash('forest') = dep_version_hash('forest', 3) AS uses_v3;
ROLLBACK;
SELECT dep_hash('forest') = dep_version_hash('forest', 1) AS uses_v1;

-- errors
SELECT hgnn_deploy('forest', 9);
SELECT hgnn_deploy('no such model', 1);
SELECT hgnn_deploy('forest', NULL);
SELECT hgnn_rollback('no such model');

----------------------------------------------------------------------
-- a name with versions but no deployment
----------------------------------------------------------------------

SELECT hgnn_train('staged', 'dep_rows', 'features', 'tree', 'site',
                  (SELECT o || '{"deploy": "never", "epochs": 2}'
                   FROM dep_options)) > 0 AS trained;
SELECT hgnn_predict_label('staged', features, site) FROM dep_rows
WHERE id = 1;
SELECT hgnn_model_info('staged');
SELECT hgnn_deploy('staged', 1) > 0 AS deployed;
SELECT hgnn_model_info('staged') -> 'rows_used' AS rows_used;

----------------------------------------------------------------------
-- test_fraction: stratified held-out rows and their metrics
----------------------------------------------------------------------

SELECT hgnn_train('held', 'dep_rows', 'features', 'tree', 'site',
                  (SELECT o || '{"test_fraction": 0.25}' FROM dep_options))
       > 0 AS trained;

-- each (site, tree) group has 40 rows and holds out round(40 * 0.25) = 10
SELECT metrics -> 'rows_used' AS rows_used,
       test_metrics -> 'rows' AS test_rows,
       test_metrics ->> 'kind' AS kind,
       (SELECT array_agg(key || ':' || (value ->> 'rows') ORDER BY key)
        FROM jsonb_each(test_metrics -> 'tasks')) AS task_rows,
       (test_metrics ->> 'accuracy')::float8 > 0.8 AS accurate,
       (test_metrics ->> 'error')::float8 =
           1 - (test_metrics ->> 'accuracy')::float8 AS error_complements,
       options -> 'test_fraction' AS test_fraction,
       options -> 'deploy' AS deploy,
       options -> 'deploy_metric' AS deploy_metric,
       options -> 'split_seed' AS split_seed,
       features_column, label_column, task_column, source,
       array_length(loss_curve, 1) AS curve_epochs,
       loss_curve[8] = (metrics ->> 'final_loss')::float8 AS curve_ends_at_loss
FROM hgnn_models WHERE name = 'held';

-- the same seed holds out the same rows: equal weights and metrics
SELECT hgnn_train('held', 'dep_rows', 'features', 'tree', 'site',
                  (SELECT o || '{"test_fraction": 0.25}' FROM dep_options))
       > 0 AS trained;
SELECT count(DISTINCT hgnn_model_info(model) ->> 'weights_hash') AS weights,
       count(DISTINCT test_metrics) AS metrics
FROM hgnn_models WHERE name = 'held';

-- another split_seed holds out other rows
SELECT hgnn_train('held', 'dep_rows', 'features', 'tree', 'site',
                  (SELECT o || '{"test_fraction": 0.25, "split_seed": 2}'
                   FROM dep_options)) > 0 AS trained;
SELECT count(DISTINCT hgnn_model_info(model) ->> 'weights_hash') AS weights,
       count(DISTINCT test_metrics -> 'rows') AS test_row_counts
FROM hgnn_models WHERE name = 'held';

-- a group of n rows holds out at most n - 1, and rows with NULLs none
CREATE TABLE dep_small AS
SELECT * FROM dep_rows WHERE id <= 18
UNION ALL
SELECT 1000, 'north', NULL, NULL, ARRAY[0, 0, 0]::real[];
SELECT hgnn_train('small', 'dep_small', 'features', 'tree', 'site',
                  (SELECT o || '{"test_fraction": 0.9, "skip_nulls": true}'
                   FROM dep_options)) > 0 AS trained;
SELECT metrics -> 'rows_used' AS rows_used,
       metrics -> 'rows_skipped' AS rows_skipped,
       test_metrics -> 'rows' AS test_rows
FROM hgnn_models WHERE name = 'small';

-- groups of one row hold out nothing, which is an error
CREATE TABLE dep_single AS SELECT * FROM dep_rows WHERE id <= 9;
SELECT hgnn_train('single', 'dep_single', 'features', 'tree', 'site',
                  '{"test_fraction": 0.5, "epochs": 1}');

-- a regression target is held out per task, and scored by its MSE
CREATE TABLE dep_reg AS
SELECT i AS id, i % 2 AS site,
       (2 * sin(i * 0.7) + 3 * (i % 2))::float8 AS height,
       ARRAY[sin(i * 0.7), cos(i * 1.3)]::real[] AS features
FROM generate_series(1, 120) AS i;
SELECT hgnn_train('heights', 'dep_reg', 'features', 'height', 'site',
                  '{"hidden": 8, "epochs": 3, "test_fraction": 0.25,
                    "deploy": "if_better"}') > 0 AS trained;
SELECT metrics ->> 'kind' AS kind, metrics -> 'rows_used' AS rows_used,
       test_metrics -> 'rows' AS test_rows,
       (SELECT array_agg(key || ':' || (value ->> 'rows') ORDER BY key)
        FROM jsonb_each(test_metrics -> 'tasks')) AS task_rows,
       test_metrics ? 'mse' AS has_mse,
       options -> 'deploy_metric' AS deploy_metric
FROM hgnn_models WHERE name = 'heights';
SELECT version, reason FROM hgnn_deployment_history WHERE name = 'heights';
SELECT hgnn_train('heights', 'dep_reg', 'features', 'height', 'site',
                  '{"test_fraction": 0.25, "deploy_metric": "error"}');

----------------------------------------------------------------------
-- deploy: if_better, both ways
----------------------------------------------------------------------

-- version 1 learns noise and is deployed
SELECT hgnn_train('gate', 'dep_rows', 'features', 'noisy_tree', 'site',
                  (SELECT o || '{"test_fraction": 0.25}' FROM dep_options))
       > 0 AS trained;
-- version 2 learns the trees: better, so deployed
SELECT hgnn_train('gate', 'dep_rows', 'features', 'tree', 'site',
                  (SELECT o || '{"test_fraction": 0.25, "deploy": "if_better"}'
                   FROM dep_options)) > 0 AS trained;
-- version 3 learns noise again: worse, so version 2 stays deployed
SET client_min_messages = warning;
SELECT hgnn_train('gate', 'dep_rows', 'features', 'noisy_tree', 'site',
                  (SELECT o || '{"test_fraction": 0.25, "deploy": "if_better"}'
                   FROM dep_options)) > 0 AS trained;
RESET client_min_messages;
-- version 4 repeats version 2: as good, so deployed
SELECT hgnn_train('gate', 'dep_rows', 'features', 'tree', 'site',
                  (SELECT o || '{"test_fraction": 0.25, "deploy": "if_better"}'
                   FROM dep_options)) > 0 AS trained;
-- version 5 uses log loss, on which the noise model is worse too
SET client_min_messages = warning;
SELECT hgnn_train('gate', 'dep_rows', 'features', 'noisy_tree', 'site',
                  (SELECT o || '{"test_fraction": 0.25, "deploy": "if_better",
                                 "deploy_metric": "log_loss"}'
                   FROM dep_options)) > 0 AS trained;
RESET client_min_messages;

SELECT m.version, m.label_column,
       (m.test_metrics ->> 'error')::float8 < 0.2 AS low_error,
       h.action, h.current,
       regexp_replace(h.reason, '[0-9.e-]+ is at least as good as [0-9.e-]+',
                      'X is at least as good as Y') AS reason
FROM hgnn_models m
LEFT JOIN hgnn_deployment_history h USING (name, version)
WHERE m.name = 'gate' ORDER BY m.version;
SELECT dep_hash('gate') = dep_version_hash('gate', 4) AS uses_v4;

-- option errors, all before training
SELECT hgnn_train('gate', 'dep_rows', 'features', 'tree', 'site',
                  '{"deploy": "if_better"}');
SELECT hgnn_train('gate', 'dep_rows', 'features', 'tree', 'site',
                  '{"deploy": "sometimes"}');
SELECT hgnn_train('gate', 'dep_rows', 'features', 'tree', 'site',
                  '{"deploy": true}');
SELECT hgnn_train('gate', 'dep_rows', 'features', 'tree', 'site',
                  '{"test_fraction": 1}');
SELECT hgnn_train('gate', 'dep_rows', 'features', 'tree', 'site',
                  '{"test_fraction": -0.1}');
SELECT hgnn_train('gate', 'dep_rows', 'features', 'tree', 'site',
                  '{"test_fraction": "0.2"}');
SELECT hgnn_train('gate', 'dep_rows', 'features', 'tree', 'site',
                  '{"split_seed": 1.5}');
SELECT hgnn_train('gate', 'dep_rows', 'features', 'tree', 'site',
                  '{"deploy_metric": "mse"}');
SELECT hgnn_train('gate', 'dep_rows', 'features', 'tree', 'site',
                  '[1]');
SELECT count(*) AS gate_versions FROM hgnn_models WHERE name = 'gate';

----------------------------------------------------------------------
-- another session's deployment is used by the next statement
----------------------------------------------------------------------

SELECT format('dbname=%s host=%s port=%s', current_database(),
              split_part(current_setting('unix_socket_directories'), ',', 1),
              current_setting('port')) AS conninfo \gset
SET dep.conninfo = :'conninfo';

-- inside one transaction, statement by statement
BEGIN;
SELECT dep_hash('forest') = dep_version_hash('forest', 1) AS uses_v1;
SELECT id > 0 AS deployed_elsewhere
FROM dblink(current_setting('dep.conninfo'),
            $$SELECT hgnn_deploy('forest', 2)$$) AS t(id bigint);
SELECT dep_hash('forest') = dep_version_hash('forest', 2) AS uses_v2;
COMMIT;

-- PL/pgSQL evaluates the same expression, with the same function call
-- state, in both steps of the loop, which run in one transaction and
-- write nothing in between
CREATE TABLE dep_seen (step int, weights_hash text);
DO $$
DECLARE
    step int;
    seen text[];
BEGIN
    FOR step IN 1..2 LOOP
        seen[step] := hgnn_model_info('forest') ->> 'weights_hash';
        IF step = 1 THEN
            PERFORM * FROM dblink(current_setting('dep.conninfo'),
                                  $q$SELECT hgnn_rollback('forest')$q$)
                AS t(version int);
        END IF;
    END LOOP;
    INSERT INTO dep_seen SELECT i, seen[i] FROM generate_series(1, 2) i;
END;
$$;
SELECT step, weights_hash = dep_version_hash('forest', 2) AS v2,
       weights_hash = dep_version_hash('forest', 1) AS v1
FROM dep_seen ORDER BY step;

-- under REPEATABLE READ, a snapshot older than another session's
-- deployment of the same name fails instead of acting on it
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) > 0 AS snapshot_taken FROM hgnn_deployments;
SELECT id > 0 AS deployed_elsewhere
FROM dblink(current_setting('dep.conninfo'),
            $$SELECT hgnn_deploy('forest', 2)$$) AS t(id bigint);
SELECT hgnn_deploy('forest', 1);
ROLLBACK;
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) > 0 AS snapshot_taken FROM hgnn_deployments;
SELECT version > 0 AS rolled_back_elsewhere
FROM dblink(current_setting('dep.conninfo'),
            $$SELECT hgnn_rollback('forest')$$) AS t(version int);
SELECT hgnn_rollback('forest');
ROLLBACK;
SELECT version AS current_version FROM hgnn_deployment_history
WHERE name = 'forest' AND current;
RESET dep.conninfo;

----------------------------------------------------------------------
-- views
----------------------------------------------------------------------

SELECT name, version, deployed, kind, source, label, task, train_rows,
       test_rows, test_error IS NOT NULL AS has_test_error, test_mse,
       train_seconds >= 0 AS timed, size LIKE '% bytes' OR size LIKE '% kB'
           AS sized
FROM hgnn_model_versions WHERE name IN ('forest', 'held', 'staged')
ORDER BY name, version;
SELECT name, versions, latest_version, deployed_version,
       deployed_at IS NOT NULL AS has_deployed_at,
       last_trained_at <= now() AS trained_before_now
FROM hgnn_model_list WHERE name IN ('forest', 'gate', 'held', 'staged')
ORDER BY name;

----------------------------------------------------------------------
-- dropping versions and models
----------------------------------------------------------------------

-- forest has versions 1 to 3 with version 1 deployed: keep the newest one
-- and the deployed one
SELECT hgnn_drop_versions('forest', 1) AS dropped;
SELECT version FROM hgnn_models WHERE name = 'forest' ORDER BY version;
SELECT version, current FROM hgnn_deployment_history WHERE name = 'forest';
SELECT dep_hash('forest') = dep_version_hash('forest', 1) AS uses_v1;
SELECT hgnn_drop_versions('forest', 5) AS dropped;
SELECT hgnn_drop_versions('forest', 0);
SELECT hgnn_drop_versions('no such model', 1);

SELECT hgnn_drop_model('forest') AS dropped;
SELECT count(*) AS forest_rows FROM hgnn_models WHERE name = 'forest';
SELECT count(*) AS forest_deployments FROM hgnn_deployments
WHERE name = 'forest';
SELECT hgnn_predict_label('forest', features, site) FROM dep_rows
WHERE id = 1;
SELECT hgnn_drop_model('forest');

-- a version that a deployment row references cannot be deleted by hand
DELETE FROM hgnn_models WHERE name = 'staged';
