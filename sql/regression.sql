-- Regression models: the kind chosen from the label type or the "kind"
-- option, predictions in the units of the target, the functions that a
-- regression model does not have, and the same weights from parallel and
-- serial plans.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS hgnn;
RESET client_min_messages;

-- 3 tasks of 100 rows.  The target is 1000 + 10 x plus an offset of
-- 3 per task and a small wobble, with x in [0, 1).
CREATE TABLE reg_rows AS
SELECT i AS id,
       i % 3 AS task,
       (ARRAY['north', 'south', 'west'])[i % 3 + 1] AS region,
       x,
       ARRAY[x, sin(i * 1.3), cos(i * 0.7)]::real[] AS features,
       1000 + 10 * x + 3 * (i % 3) + 0.05 * sin(i * 2.1) AS y
FROM generate_series(1, 300) AS i,
     LATERAL (SELECT ((i * 37) % 100) / 100.0 AS x) AS v;

CREATE TABLE reg_options AS
SELECT '{"hidden": 16, "gat_hidden": 4, "task_embedding": 4,
         "epochs": 60, "batch_per_group": 16, "learning_rate": 0.05,
         "lr_schedule": "inverse",
         "weight_decay": 0.001, "seed": 5}'::jsonb AS o;

-- the label type chooses the kind: real, double precision and numeric
-- labels train regression models, the others classifiers
CREATE TABLE reg_models AS
SELECT (SELECT hgnn_fit(features, y::float8, task, o) FROM reg_rows)
           AS m_double,
       (SELECT hgnn_fit(features, y::real, region, o) FROM reg_rows)
           AS m_real,
       (SELECT hgnn_fit(features, y::numeric, task, o) FROM reg_rows)
           AS m_numeric,
       (SELECT hgnn_fit(features, round(y)::int, task,
                        o || '{"kind": "regression"}') FROM reg_rows)
           AS m_int_regression,
       (SELECT hgnn_fit(features, (id % 2)::int, task, o) FROM reg_rows)
           AS m_int_classifier,
       (SELECT hgnn_fit(features, id % 2 = 0, task,
                        o || '{"kind": "classification"}') FROM reg_rows)
           AS m_bool_classifier,
       (SELECT hgnn_fit(features, y::float8, task,
                        o || '{"augment": false}') FROM reg_rows)
           AS m_baseline
FROM reg_options;

SELECT name, info->>'kind' AS kind, info->'label_type' AS label_type,
       info->'options'->'kind' AS kind_option,
       info->'format_version' AS format_version,
       info ? 'n_classes' AS has_n_classes, info ? 'classes' AS has_classes
FROM reg_models,
     LATERAL (VALUES ('double', hgnn_model_info(m_double)),
                     ('real', hgnn_model_info(m_real)),
                     ('numeric', hgnn_model_info(m_numeric)),
                     ('int regression', hgnn_model_info(m_int_regression)),
                     ('int classifier', hgnn_model_info(m_int_classifier)),
                     ('bool classifier', hgnn_model_info(m_bool_classifier)),
                     ('baseline', hgnn_model_info(m_baseline)))
         AS v(name, info);

-- the description of a regression model: the units of every task, no
-- kernel width, and the layout with Wg and without class embeddings
SELECT info->'tasks' AS tasks,
       (SELECT array_agg(round(v::numeric, 3))
        FROM jsonb_array_elements_text(info->'target_mean') v) AS target_mean,
       (SELECT array_agg(round(v::numeric, 3))
        FROM jsonb_array_elements_text(info->'target_sd') v) AS target_sd,
       info->'sigma' AS sigma,
       info->'augmented_width' AS augmented_width,
       info->'n_parameters' AS n_parameters,
       info->'rows_used' AS rows_used
FROM (SELECT hgnn_model_info(m_double) AS info FROM reg_models) s;

-- they are the population mean and sd of each task's training targets
SELECT task,
       abs((info->'target_mean'->>task)::float8 - avg(y)) < 1e-9
           AS mean_matches,
       abs((info->'target_sd'->>task)::float8 - stddev_pop(y)) < 1e-9
           AS sd_matches
FROM reg_rows, (SELECT hgnn_model_info(m_double) AS info FROM reg_models) s
GROUP BY task, info ORDER BY task;

SELECT info->'options'->'sigma' AS sigma_option,
       info->'augmented_width' AS baseline_width
FROM (SELECT hgnn_model_info(m_baseline) AS info FROM reg_models) s;

-- predictions are in the units of the target: the error is a small part
-- of the spread of y (about 2.9 per task) and tiny against its size
SELECT name,
       sqrt(avg((p - y) ^ 2)) < 0.6 AS rmse_below_0_6,
       abs(avg(p - y)) < 0.2 AS mean_error_below_0_2,
       min(p) > 990 AND max(p) < 1025 AS in_range
FROM reg_rows, reg_models,
     LATERAL (VALUES
         ('double', hgnn_predict(m_double, features, task)),
         ('real', hgnn_predict(m_real, features, region)),
         ('numeric', hgnn_predict(m_numeric, features, task)),
         ('int regression', hgnn_predict(m_int_regression, features, task)),
         ('baseline', hgnn_predict(m_baseline, features, task))) AS v(name, p)
GROUP BY name ORDER BY name;

-- 1000 + 10 x is recovered at new points, in every task
SELECT task, x,
       abs(hgnn_predict(m_double, ARRAY[x, sin(7.0), cos(3.0)]::real[], task)
           - (1000 + 10 * x + 3 * task)) < 1.0 AS within_1
FROM reg_models, generate_series(0, 2) AS task,
     unnest(ARRAY[0.25, 0.5, 0.75]) AS x
ORDER BY task, x;

-- hgnn_predict_label returns the same value as text
SELECT count(*) FILTER (WHERE hgnn_predict_label(m_double, features, task)
                        ::float8 <> hgnn_predict(m_double, features, task))
       AS label_differs,
       count(*) AS rows
FROM reg_rows, reg_models;
SELECT hgnn_predict_label(m_double, features, task) ~ '^[0-9]+(\.[0-9]+)?$'
       AS label_is_number
FROM reg_rows, reg_models WHERE id = 1;

-- a classifier on the same integer column still predicts classes
SELECT hgnn_model_classes(m_int_classifier) AS classes,
       hgnn_predict(m_int_classifier, features, task) IN (0, 1) AS is_class
FROM reg_rows, reg_models WHERE id = 1;

-- the same rows and seed give the same weights, another seed others
SELECT hgnn_model_info(m_double)->>'weights_hash' =
       hgnn_model_info((SELECT hgnn_fit(features, y::float8, task, o)
                        FROM reg_rows, reg_options))->>'weights_hash'
       AS same_seed_same_weights,
       hgnn_model_info(m_double)->>'weights_hash' <>
       hgnn_model_info((SELECT hgnn_fit(features, y::float8, task,
                                        o || '{"seed": 6}')
                        FROM reg_rows, reg_options))->>'weights_hash'
       AS other_seed_other_weights
FROM reg_models;

-- errors: the kind does not fit the label type
SELECT hgnn_fit(features, region, task, '{"kind": "regression"}')
FROM reg_rows;
SELECT hgnn_fit(features, id % 2 = 0, task, '{"kind": "regression"}')
FROM reg_rows;
SELECT hgnn_fit(features, y, task, '{"kind": "classification"}')
FROM reg_rows;
SELECT hgnn_fit(features, y, task, '{"kind": "ordinal"}') FROM reg_rows;
SELECT hgnn_fit(features, y, task, '{"kind": 2}') FROM reg_rows;

-- errors: targets must be finite
SELECT hgnn_fit(features, CASE WHEN id = 5 THEN 'NaN'::float8 ELSE y END,
                task) FROM reg_rows;
SELECT hgnn_fit(features, CASE WHEN id = 5 THEN '-Infinity'::numeric
                ELSE y::numeric END, task) FROM reg_rows;

-- errors: a regression model has no classes or class probabilities
SELECT hgnn_predict_proba(m_double, features, task)
FROM reg_rows, reg_models WHERE id = 1;
SELECT hgnn_predict_proba(m_double, features, task, 1000)
FROM reg_rows, reg_models WHERE id = 1;
SELECT hgnn_model_classes(m_double) FROM reg_models;

-- a NULL target is a NULL label: an error, or skipped on request
SELECT hgnn_fit(features, CASE WHEN id = 5 THEN NULL ELSE y END, task)
FROM reg_rows;
SELECT hgnn_model_info(hgnn_fit(features,
                                CASE WHEN id = 5 THEN NULL ELSE y END, task,
                                o || '{"skip_nulls": true, "epochs": 2}'))
       ->'rows_skipped' AS rows_skipped
FROM reg_rows, reg_options;

-- hgnn_train stores a regression model like a classifier
SELECT hgnn_train('reg_exam', 'reg_rows', 'features', 'y', 'task',
                  (SELECT o || '{"epochs": 5}' FROM reg_options)) > 0
       AS trained;
SELECT version, options->>'kind' AS kind, metrics->'rows_used' AS rows_used,
       hgnn_model_info(model)->>'kind' AS model_kind
FROM hgnn_models WHERE name = 'reg_exam';

-- the model depends on the set of rows only: a parallel plan, a serial
-- plan and any row order train the same weights
CREATE TABLE reg_par AS
SELECT i AS id, i % 4 AS task,
       ARRAY[(i % 11) / 11.0, sin(i * 0.3)]::real[] AS features,
       (i % 11) * 2.5 + sin(i) AS y
FROM generate_series(1, 6000) AS i;
ANALYZE reg_par;

SET max_parallel_workers_per_gather = 0;
CREATE TABLE reg_serial AS
SELECT hgnn_model_info(hgnn_fit(features, y, task,
                                (SELECT o || '{"epochs": 2}'
                                 FROM reg_options)))->>'weights_hash' AS hash
FROM reg_par;

SELECT hgnn_model_info(hgnn_fit(features, y, task,
                                (SELECT o || '{"epochs": 2}' FROM reg_options)
                                ORDER BY md5(id::text)))->>'weights_hash' =
       (SELECT hash FROM reg_serial) AS shuffled_same
FROM reg_par;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;

EXPLAIN (COSTS OFF)
SELECT hgnn_fit(features, y, task) FROM reg_par;

SELECT hgnn_model_info(hgnn_fit(features, y, task,
                                (SELECT o || '{"epochs": 2}'
                                 FROM reg_options)))->>'weights_hash' =
       (SELECT hash FROM reg_serial) AS parallel_same
FROM reg_par;

RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;

-- a model written in format version 1 (a classifier of hgnn 0.1.0, with
-- 2 features, tasks 1 and 2 and classes 0 and 1) still decodes and
-- predicts
CREATE TABLE reg_v1 AS
SELECT '\x48474e4e01000000acc1790952364c75830100000000000001000000010000000200000002000000020000000200000001000000010000000100000014000000040000009a9999999999a93f9a9999999999c93f000000e0a1c0853f0000000000000000010000000000000001010100200000000000000004000000dc9a043f1ad2f1bebdcaa1bcab31ca3c6e1dffbb1dfe20bc0ed42d3e277a3d3bca7e993d281fab3e73ebb4becf9eb63ecd69b7bed0f7b03e3f32ac3e9522acbec31a20ba10c77ab9d183b3bd85a0b73de15bacbe276fb33e7becae3e21a4a5be47dbf93afddd8aba76c68cbd896cba3df37191bb2671913b0f03e4b94023e439b1084c3cb1084c3c66b5e0bd027ed33d66b5e0bd027ed33d01010101187231bf187231bf187231bf187231bfc536023f49373a3c91130f3f628d593e9c143aa3e0b1f23f280000000000000000000000000000000000000000000000010000000200000000000000000000000100000000000000010000000200000001000000000000000200000000000000010e0000007b2265706f636873223a2032307d'::bytea AS model;

SELECT info->>'kind' AS kind, info->'format_version' AS format_version,
       info->'tasks' AS tasks, info->'classes' AS classes
FROM (SELECT hgnn_model_info(model) AS info FROM reg_v1) s;

SELECT task, x, hgnn_predict(model, ARRAY[x, 0.1]::real[], task) AS label,
       round(hgnn_predict_proba(model, ARRAY[x, 0.1]::real[], task, 1)::numeric,
             3) AS p1
FROM reg_v1, generate_series(1, 2) AS task, unnest(ARRAY[0, 1]) AS x
ORDER BY task, x;
