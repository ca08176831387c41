-- hgnn_evaluate(model, features, label, task): metrics as jsonb, checked
-- against the same metrics computed in SQL from the predictions.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS hgnn;
RESET client_min_messages;

-- 3 tasks x 3 classes.  The model trains on the first 240 rows, and the
-- noisy second feature keeps it from being perfect on the other 120.
CREATE TABLE ev_rows AS
SELECT i AS id,
       (ARRAY['red', 'green', 'blue'])[i % 3 + 1] AS task,
       (i / 3) % 3 AS label,
       ARRAY[((i / 3) % 3) * 0.5 + 0.6 * sin(i * 1.7),
             0.8 * cos(i * 2.3)]::real[] AS features
FROM generate_series(1, 360) AS i;

CREATE TABLE ev_model AS
SELECT hgnn_fit(features, label, task,
                '{"hidden": 8, "gat_hidden": 4, "task_embedding": 3,
                  "class_embedding": 3, "epochs": 10, "batch_per_group": 8,
                  "learning_rate": 0.05,
                  "lr_schedule": "inverse", "weight_decay": 0.01,
                  "seed": 4}') AS model
FROM ev_rows WHERE id <= 240;

CREATE TABLE ev_scored AS
SELECT r.id, r.task, r.label, r.features,
       hgnn_predict(m.model, r.features, r.task)::int AS predicted,
       hgnn_predict_proba(m.model, r.features, r.task, r.label) AS p_true
FROM ev_rows r, ev_model m WHERE r.id > 240;

CREATE TABLE ev_result AS
SELECT hgnn_evaluate(m.model, r.features, r.label, r.task) AS metrics
FROM ev_rows r, ev_model m WHERE r.id > 240;

-- the keys of the result and of one task
SELECT jsonb_object_keys(metrics) AS key FROM ev_result ORDER BY 1;
SELECT jsonb_object_keys(metrics -> 'tasks') AS task FROM ev_result ORDER BY 1;
SELECT jsonb_object_keys(metrics -> 'tasks' -> 'red') AS key FROM ev_result
ORDER BY 1;

-- F1 of every class and task from the predictions; task NULL pools all
CREATE VIEW ev_f1 AS
SELECT t.task, k.label,
       2.0 * count(*) FILTER (WHERE s.label = k.label AND s.predicted = k.label)
       / NULLIF(count(*) FILTER (WHERE s.label = k.label)
                + count(*) FILTER (WHERE s.predicted = k.label), 0) AS f1
FROM (SELECT DISTINCT task FROM ev_scored UNION ALL SELECT NULL) t
CROSS JOIN (SELECT generate_series(0, 2) AS label) k
JOIN ev_scored s ON t.task IS NULL OR s.task = t.task
GROUP BY t.task, k.label;

CREATE VIEW ev_expected AS
SELECT t.task,
       count(*) AS rows,
       avg((s.label = s.predicted)::int) AS accuracy,
       avg(-ln(greatest(s.p_true, 1e-15))) AS log_loss,
       (SELECT avg(f.f1) FROM ev_f1 f
        WHERE f.task IS NOT DISTINCT FROM t.task AND f.f1 IS NOT NULL)
           AS macro_f1
FROM (SELECT DISTINCT task FROM ev_scored UNION ALL SELECT NULL) t
JOIN ev_scored s ON t.task IS NULL OR s.task = t.task
GROUP BY t.task;

-- overall and per task, the aggregate agrees with SQL
SELECT coalesce(e.task, 'all') AS task,
       (m ->> 'rows')::bigint = e.rows AS rows,
       abs((m ->> 'accuracy')::float8 - e.accuracy) < 1e-12 AS accuracy,
       abs((m ->> 'error')::float8 - (1 - e.accuracy)) < 1e-12 AS error,
       abs((m ->> 'log_loss')::float8 - e.log_loss) < 1e-6 AS log_loss,
       abs((m ->> 'macro_f1')::float8 - e.macro_f1) < 1e-12 AS macro_f1,
       (m ->> 'accuracy')::float8 BETWEEN 0.5 AND 1 AS learned
FROM ev_expected e, ev_result r,
     LATERAL (SELECT CASE WHEN e.task IS NULL THEN r.metrics
                          ELSE r.metrics -> 'tasks' -> e.task END AS m) j
ORDER BY e.task NULLS FIRST;
SELECT metrics ->> 'kind' AS kind, metrics -> 'rows' AS rows FROM ev_result;

-- a parallel plan merges partial states and gives the same result
CREATE TABLE ev_many AS
SELECT r.* FROM ev_rows r, generate_series(1, 40) g WHERE r.id > 240;
ANALYZE ev_many;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT hgnn_evaluate((SELECT model FROM ev_model), features, label, task)
FROM ev_many;
CREATE TABLE ev_parallel AS
SELECT hgnn_evaluate((SELECT model FROM ev_model), features, label, task)
       AS metrics
FROM ev_many;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE ev_serial AS
SELECT hgnn_evaluate((SELECT model FROM ev_model), features, label, task)
       AS metrics
FROM ev_many;
RESET max_parallel_workers_per_gather;
SELECT p.metrics -> 'rows' AS rows,
       p.metrics - 'tasks' - 'log_loss' = s.metrics - 'tasks' - 'log_loss'
           AS same_counts,
       abs((p.metrics ->> 'log_loss')::float8 -
           (s.metrics ->> 'log_loss')::float8) < 1e-9 AS same_log_loss,
       (s.metrics ->> 'accuracy')::float8 =
           (r.metrics ->> 'accuracy')::float8 AS repeated_rows_same_accuracy
FROM ev_parallel p, ev_serial s, ev_result r;

-- by name, with the deployed version
SELECT hgnn_train('evaluated', 'ev_rows', 'features', 'label', 'task',
                  '{"hidden": 8, "epochs": 3, "test_fraction": 0.2}') > 0
       AS trained;
SELECT hgnn_evaluate('evaluated', r.features, r.label, r.task) =
       hgnn_evaluate(m.model, r.features, r.label, r.task) AS name_same
FROM ev_rows r, hgnn_models m WHERE m.name = 'evaluated';

-- no rows give NULL
SELECT hgnn_evaluate(m.model, r.features, r.label, r.task) IS NULL AS no_rows
FROM ev_rows r, ev_model m WHERE false;

-- a boolean label and integer tasks
CREATE TABLE ev_bool AS
SELECT id, id % 2 AS task, label = 1 AS flag, features FROM ev_rows
WHERE label < 2;
SELECT m.metrics ->> 'kind' AS kind, m.metrics -> 'rows' AS rows,
       (SELECT array_agg(key ORDER BY key) FROM jsonb_object_keys(m.metrics -> 'tasks') key)
           AS tasks
FROM (SELECT hgnn_evaluate(
          (SELECT hgnn_fit(features, flag, task, '{"hidden": 4, "epochs": 2}')
           FROM ev_bool), features, flag, task) AS metrics
      FROM ev_bool) m;

----------------------------------------------------------------------
-- regression: MSE, MAE and R^2
----------------------------------------------------------------------

CREATE TABLE ev_reg AS
SELECT i AS id, i % 2 AS task,
       (2 * sin(i * 0.7) + 3 * (i % 2) + 0.3 * cos(i * 3.1))::float8 AS target,
       ARRAY[sin(i * 0.7), cos(i * 1.3)]::real[] AS features
FROM generate_series(1, 200) AS i;
CREATE TABLE ev_reg_model AS
SELECT hgnn_fit(features, target, task,
                '{"hidden": 8, "gat_hidden": 4, "task_embedding": 3,
                  "epochs": 10, "batch_per_group": 8, "seed": 1}') AS model
FROM ev_reg WHERE id <= 150;
CREATE TABLE ev_reg_scored AS
SELECT r.task, r.target, hgnn_predict(m.model, r.features, r.task) AS predicted
FROM ev_reg r, ev_reg_model m WHERE r.id > 150;
CREATE TABLE ev_reg_result AS
SELECT hgnn_evaluate(m.model, r.features, r.target, r.task) AS metrics
FROM ev_reg r, ev_reg_model m WHERE r.id > 150;

SELECT jsonb_object_keys(metrics) AS key FROM ev_reg_result ORDER BY 1;
SELECT coalesce(e.task::text, 'all') AS task,
       (m ->> 'rows')::bigint = e.rows AS rows,
       abs((m ->> 'mse')::float8 - e.mse) < 1e-9 * (1 + e.mse) AS mse,
       abs((m ->> 'mae')::float8 - e.mae) < 1e-9 * (1 + e.mae) AS mae,
       abs((m ->> 'r2')::float8 - e.r2) < 1e-9 AS r2
FROM (SELECT t.task, count(*) AS rows,
             avg((s.predicted - s.target) ^ 2) AS mse,
             avg(abs(s.predicted - s.target)) AS mae,
             1 - sum((s.predicted - s.target) ^ 2) /
                 sum((s.target - a.mean) ^ 2) AS r2
      FROM (SELECT DISTINCT task FROM ev_reg_scored UNION ALL SELECT NULL) t
      JOIN ev_reg_scored s ON t.task IS NULL OR s.task = t.task
      JOIN LATERAL (SELECT avg(s2.target) AS mean FROM ev_reg_scored s2
                    WHERE t.task IS NULL OR s2.task = t.task) a ON true
      GROUP BY t.task) e,
     ev_reg_result r,
     LATERAL (SELECT CASE WHEN e.task IS NULL THEN r.metrics
                          ELSE r.metrics -> 'tasks' -> e.task::text END AS m) j
ORDER BY e.task NULLS FIRST;

-- R^2 of one row, whose target has no variance, is null
SELECT hgnn_evaluate(m.model, r.features, r.target, r.task) -> 'r2' AS r2
FROM ev_reg r, ev_reg_model m WHERE r.id = 1;

-- numeric and integer targets
SELECT abs((hgnn_evaluate(m.model, r.features, r.target::numeric, r.task)
            ->> 'mse')::float8 -
           (hgnn_evaluate(m.model, r.features, r.target, r.task)
            ->> 'mse')::float8) < 1e-9 AS numeric_same,
       (hgnn_evaluate(m.model, r.features, round(r.target)::int, r.task)
            -> 'rows')::int AS integer_rows
FROM ev_reg r, ev_reg_model m WHERE r.id > 150;

----------------------------------------------------------------------
-- errors
----------------------------------------------------------------------

-- rows scored by two models
SELECT hgnn_evaluate(m.model, r.features, r.label, r.task)
FROM ev_rows r,
     (SELECT model FROM ev_model
      UNION ALL
      SELECT hgnn_fit(features, label, task, '{"hidden": 4, "epochs": 1}')
      FROM ev_rows) m;
SELECT hgnn_evaluate(m.model, r.features, NULL::int, r.task)
FROM ev_rows r, ev_model m;
SELECT hgnn_evaluate(NULL::bytea, r.features, r.label, r.task) FROM ev_rows r;
SELECT hgnn_evaluate(m.model, r.features, 7, r.task) FROM ev_rows r, ev_model m;
SELECT hgnn_evaluate(m.model, r.features, r.label, 'purple')
FROM ev_rows r, ev_model m;
SELECT hgnn_evaluate(m.model, r.features[1:1], r.label, r.task)
FROM ev_rows r, ev_model m;
SELECT hgnn_evaluate(m.model, r.features, 'x'::text, r.task)
FROM ev_reg r, ev_reg_model m;
SELECT hgnn_evaluate('no such model', features, label, task) FROM ev_rows;
