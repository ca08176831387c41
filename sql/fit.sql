-- Training with hgnn_fit on a small deterministic data set: 3 tasks,
-- 3 classes, 4 features, 120 rows per task.  Class k is centered at k on
-- the first feature and at -k on the second, and sin and cos add spread.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS hgnn;
RESET client_min_messages;

CREATE TABLE fit_rows AS
SELECT i AS id,
       i % 3 AS task,
       (i / 3) % 3 AS label,
       ARRAY[(i / 3) % 3 + 0.4 * sin(i * 1.7),
             -((i / 3) % 3) + 0.4 * cos(i * 2.3) + 0.2 * (i % 3),
             sin(i * 0.9),
             0.5 * cos(i * 0.5) + 0.5 * ((i / 3) % 3)]::real[] AS features
FROM generate_series(1, 360) AS i;

-- small sizes keep the test fast
CREATE TABLE fit_options AS
SELECT '{"hidden": 8, "gat_hidden": 4, "task_embedding": 4,
         "class_embedding": 4, "epochs": 20, "batch_per_group": 8,
         "learning_rate": 0.05,
         "lr_schedule": "inverse", "weight_decay": 0.01, "seed": 7}'::jsonb AS o;

CREATE TABLE fit_models AS
SELECT hgnn_fit(features, label, task, (SELECT o FROM fit_options)) AS model
FROM fit_rows;

-- the model's description
SELECT info->>'kind' AS kind,
       info->'format_version' AS format_version,
       info->'n_features' AS n_features,
       info->'n_tasks' AS n_tasks,
       info->'n_classes' AS n_classes,
       info->'hidden' AS hidden,
       info->'augmented_width' AS augmented_width,
       info->'tasks' AS tasks,
       info->'classes' AS classes,
       info->'label_type' AS label_type,
       info->'task_type' AS task_type,
       info->'rows_used' AS rows_used,
       info->'rows_skipped' AS rows_skipped
FROM (SELECT hgnn_model_info(model) AS info FROM fit_models) s;

SELECT (info->>'sigma')::float8 > 0 AS sigma_positive,
       (info->>'final_loss')::float8 BETWEEN 0 AND 3 AS loss_in_range,
       (info->>'train_seconds')::float8 >= 0 AS time_measured,
       info->>'weights_hash' ~ '^[0-9a-f]{16}$' AS hash_is_hex,
       (info->>'n_parameters')::int AS n_parameters
FROM (SELECT hgnn_model_info(model) AS info FROM fit_models) s;

-- the effective options: the given ones and the defaults
SELECT jsonb_pretty(hgnn_model_info(model)->'options') FROM fit_models;

SELECT hgnn_model_classes(model) FROM fit_models;

-- the training rows are separable, so nearly all are predicted right
SELECT avg((hgnn_predict(m.model, features, task) = label)::int) > 0.9
       AS accurate
FROM fit_rows, fit_models m;

-- the same rows and seed give the same weights, another seed others
SELECT hgnn_model_info(a.model)->>'weights_hash' =
       hgnn_model_info(b.model)->>'weights_hash' AS same_seed_same_weights
FROM fit_models a,
     (SELECT hgnn_fit(features, label, task, (SELECT o FROM fit_options))
             AS model
      FROM fit_rows) b;

SELECT hgnn_model_info(a.model)->>'weights_hash' <>
       hgnn_model_info(b.model)->>'weights_hash' AS other_seed_other_weights
FROM fit_models a,
     (SELECT hgnn_fit(features, label, task,
                      (SELECT o || '{"seed": 8}' FROM fit_options)) AS model
      FROM fit_rows) b;

-- options that are not given take their defaults
SELECT info->'hidden' AS hidden,
       info->'options'->'batch_per_group' AS batch_per_group,
       info->'options'->'learning_rate' AS learning_rate,
       info->'options'->'weight_decay' AS weight_decay,
       info->'options'->'sigma' AS sigma_option,
       info->'options'->'seed' AS seed
FROM (SELECT hgnn_model_info(hgnn_fit(features, label, task, '{"epochs": 2}'))
             AS info
      FROM fit_rows WHERE id <= 60) s;

-- the three-argument form uses the defaults for every option
SELECT hgnn_model_info(hgnn_fit(features, label, task))->'options'->'epochs'
       AS epochs
FROM fit_rows WHERE id IN (3, 6);

-- without augmentation the output layer gets only the hidden features
SELECT info->'augment' AS augment, info->'augmented_width' AS width,
       avg_ok > 0.9 AS accurate
FROM (SELECT hgnn_model_info(model) AS info,
             (SELECT avg((hgnn_predict(model, features, task) = label)::int)
              FROM fit_rows) AS avg_ok
      FROM (SELECT hgnn_fit(features, label, task,
                            (SELECT o || '{"augment": false}'
                             FROM fit_options)) AS model
            FROM fit_rows) m) s;

-- a fixed sigma is kept
SELECT (info->>'sigma')::float8 AS sigma
FROM (SELECT hgnn_model_info(hgnn_fit(features, label, task,
             (SELECT o || '{"sigma": 2.5}' FROM fit_options))) AS info
      FROM fit_rows) s;

-- prior_correction is applied at prediction only: the weights are the same
SELECT info->'options'->'prior_correction' AS prior_correction,
       info->>'weights_hash' = (SELECT hgnn_model_info(model)->>'weights_hash'
                                FROM fit_models) AS same_weights
FROM (SELECT hgnn_model_info(hgnn_fit(features, label, task,
             (SELECT o || '{"prior_correction": false}' FROM fit_options)))
             AS info
      FROM fit_rows) s;

-- one model per group
SELECT task, hgnn_model_info(hgnn_fit(features, label, task,
                                      (SELECT o FROM fit_options)))->'tasks'
       AS tasks
FROM fit_rows GROUP BY task ORDER BY task;

-- verbose reports progress in NOTICEs, which carry times, so hide them here
SET client_min_messages = warning;
SELECT hgnn_fit(features, label, task,
                (SELECT o || '{"verbose": true, "epochs": 3}' FROM fit_options))
       IS NOT NULL AS trained
FROM fit_rows;
RESET client_min_messages;

-- hgnn.blas_threads is a per-backend setting
SHOW hgnn.blas_threads;
SET hgnn.blas_threads = 2;
SELECT hgnn_fit(features, label, task, (SELECT o FROM fit_options))
       IS NOT NULL AS trained
FROM fit_rows;
RESET hgnn.blas_threads;
SET hgnn.blas_threads = 0;
