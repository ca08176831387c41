-- Prediction from a bytea model: hgnn_predict, hgnn_predict_label,
-- hgnn_predict_proba, and their errors.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS hgnn;
RESET client_min_messages;

CREATE TABLE pred_rows AS
SELECT i AS id,
       i % 3 AS task,
       (i / 3) % 3 AS label,
       ARRAY[(i / 3) % 3 + 0.4 * sin(i * 1.7),
             -((i / 3) % 3) + 0.4 * cos(i * 2.3) + 0.2 * (i % 3),
             sin(i * 0.9),
             0.5 * cos(i * 0.5) + 0.5 * ((i / 3) % 3)]::real[] AS features
FROM generate_series(1, 360) AS i;

-- rows the model never saw, from the same distribution
CREATE TABLE pred_new AS
SELECT i AS id,
       i % 3 AS task,
       (i / 3) % 3 AS label,
       ARRAY[(i / 3) % 3 + 0.4 * sin(i * 1.3 + 0.5),
             -((i / 3) % 3) + 0.4 * cos(i * 2.9) + 0.2 * (i % 3),
             sin(i * 0.7),
             0.5 * cos(i * 0.3) + 0.5 * ((i / 3) % 3)]::float8[] AS features
FROM generate_series(1000, 1179) AS i;

CREATE TABLE pred_models AS
SELECT hgnn_fit(features, label, task,
                '{"hidden": 16, "gat_hidden": 4, "task_embedding": 4,
                  "class_embedding": 4, "epochs": 20, "batch_per_group": 8,
                  "learning_rate": 0.05,
                  "lr_schedule": "inverse", "weight_decay": 0.01,
                  "seed": 11}') AS model
FROM pred_rows;

SELECT avg((hgnn_predict(m.model, features, task) = label)::int) > 0.9
       AS train_accurate
FROM pred_rows, pred_models m;

SELECT avg((hgnn_predict(m.model, features, task) = label)::int) > 0.85
       AS new_rows_accurate
FROM pred_new, pred_models m;

-- the three functions agree with each other
SELECT bool_and(hgnn_predict(m.model, features, task)::text =
                hgnn_predict_label(m.model, features, task))
           AS label_matches_number,
       bool_and(abs(p[1] + p[2] + p[3] - 1) < 1e-4) AS proba_sums_to_one,
       bool_and(array_length(p, 1) = 3) AS one_proba_per_class,
       bool_and(p[hgnn_predict(m.model, features, task)::int + 1] =
                (SELECT max(x) FROM unnest(p) AS x)) AS predicted_is_max,
       bool_and(abs(hgnn_predict_proba(m.model, features, task, 2) - p[3])
                < 1e-6) AS proba_of_label_matches
FROM pred_new, pred_models m,
     LATERAL hgnn_predict_proba(m.model, features, task) AS p;

-- the result types
SELECT pg_typeof(hgnn_predict(m.model, features, task)) AS predict,
       pg_typeof(hgnn_predict_label(m.model, features, task)) AS label,
       pg_typeof(hgnn_predict_proba(m.model, features, task)) AS proba,
       pg_typeof(hgnn_predict_proba(m.model, features, task, 0)) AS proba_of
FROM pred_new, pred_models m WHERE id = 1000;

-- prediction functions are strict: NULL in, NULL out
SELECT hgnn_predict(NULL::bytea, '{1, 2, 3, 4}'::real[], 1) IS NULL AS null_model,
       hgnn_predict(model, NULL::real[], 1) IS NULL AS null_features,
       hgnn_predict(model, '{1, 2, 3, 4}'::real[], NULL::int) IS NULL
           AS null_task,
       hgnn_predict_label(model, NULL::real[], 1) IS NULL AS null_label_fn,
       hgnn_predict_proba(model, '{1, 2, 3, 4}'::real[], 1, NULL::int) IS NULL
           AS null_class,
       hgnn_model_info(NULL::bytea) IS NULL AS null_info,
       hgnn_model_classes(NULL::bytea) IS NULL AS null_classes
FROM pred_models;

-- a model computed in the same query, and one with its bytes copied on
-- every row, predict as the stored one
SELECT bool_and(hgnn_predict(m.model, features, task) =
                hgnn_predict(m.model || ''::bytea, features, task))
           AS copied_model_same
FROM pred_new, pred_models m;

WITH fresh AS (
    SELECT hgnn_fit(features, label, task,
                    '{"hidden": 16, "gat_hidden": 4, "task_embedding": 4,
                      "class_embedding": 4, "epochs": 20,
                      "batch_per_group": 8, "learning_rate": 0.05,
                      "lr_schedule": "inverse",
                      "weight_decay": 0.01, "seed": 11}') AS model
    FROM pred_rows)
SELECT bool_and(hgnn_predict(f.model, n.features, n.task) =
                hgnn_predict(m.model, n.features, n.task)) AS same_predictions
FROM pred_new n, fresh f, pred_models m;

-- two models alternating row by row each give their own predictions
CREATE TABLE pred_two AS
SELECT 1 AS k, model FROM pred_models
UNION ALL
SELECT 2, hgnn_fit(features, label, task,
                   '{"hidden": 16, "gat_hidden": 4, "task_embedding": 4,
                     "class_embedding": 4, "epochs": 20,
                     "batch_per_group": 8, "learning_rate": 0.05,
                     "lr_schedule": "inverse",
                     "weight_decay": 0.01, "seed": 12}')
FROM pred_rows;

SELECT k, bool_and(p = hgnn_predict_proba(t.model, n.features, n.task))
       AS stable
FROM (SELECT k, n.id, hgnn_predict_proba(t.model, n.features, n.task) AS p
      FROM pred_new n, pred_two t ORDER BY n.id, k) s
JOIN pred_two t USING (k) JOIN pred_new n USING (id)
GROUP BY k ORDER BY k;

-- a model large enough to be stored out of line in TOAST
CREATE TABLE pred_toasted (model bytea);
ALTER TABLE pred_toasted ALTER model SET STORAGE EXTERNAL;
INSERT INTO pred_toasted
SELECT hgnn_fit(features, label, task,
                '{"hidden": 128, "gat_hidden": 4, "task_embedding": 4,
                  "class_embedding": 4, "epochs": 5, "batch_per_group": 8,
                  "learning_rate": 0.05,
                  "lr_schedule": "inverse", "weight_decay": 0.01}')
FROM pred_rows;
SELECT length(model) > 8000 AS out_of_line FROM pred_toasted;
SELECT count(*) = 180 AS all_predicted,
       bool_and(p = hgnn_predict_label(t.model || ''::bytea, n.features,
                                       n.task)) AS same_as_inline
FROM (SELECT n.id, hgnn_predict_label(t.model, n.features, n.task) AS p
      FROM pred_new n, pred_toasted t) s
JOIN pred_new n USING (id), pred_toasted t;

-- errors at prediction time name the value
SELECT hgnn_predict(model, '{1, 2, 3}'::real[], 1) FROM pred_models;
SELECT hgnn_predict(model, '{1, 2, 3, 4, 5}'::float8[], 1) FROM pred_models;
SELECT hgnn_predict(model, '{1, 2, 3, 4}'::real[], 7) FROM pred_models;
SELECT hgnn_predict(model, '{1, 2, 3, 4}'::real[], -1::int8) FROM pred_models;
SELECT hgnn_predict_proba(model, '{1, 2, 3, 4}'::real[], 1, 9) FROM pred_models;
SELECT hgnn_predict(model, '{{1, 2}, {3, 4}}'::real[], 1) FROM pred_models;
SELECT hgnn_predict(model, '{}'::real[], 1) FROM pred_models;
SELECT hgnn_predict(model, '{1, NULL, 3, 4}'::real[], 1) FROM pred_models;
SELECT hgnn_predict(model, '{1, NaN, 3, 4}'::real[], 1) FROM pred_models;
SELECT hgnn_predict(model, '{1, 2, -Infinity, 4}'::float8[], 1)
FROM pred_models;
SELECT hgnn_predict(model, '{1, 2, 3, 1e39}'::float8[], 1) FROM pred_models;
