-- Option errors name the key, the value and the allowed range.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS hgnn;
RESET client_min_messages;

CREATE TABLE opt_rows AS
SELECT i AS id, i % 2 AS task, (i / 2) % 2 AS label,
       ARRAY[(i / 2) % 2 + 0.3 * sin(i), 0.3 * cos(i)]::real[] AS features
FROM generate_series(1, 40) AS i;

-- the options are checked on the first row, before the table is read
SELECT hgnn_fit(features, label, task, '{"hiden": 8}') FROM opt_rows;
SELECT hgnn_fit(features, label, task, '[1, 2]') FROM opt_rows;
SELECT hgnn_fit(features, label, task, '"epochs"') FROM opt_rows;

-- integers
SELECT hgnn_fit(features, label, task, '{"hidden": 0}') FROM opt_rows;
SELECT hgnn_fit(features, label, task, '{"hidden": 4097}') FROM opt_rows;
SELECT hgnn_fit(features, label, task, '{"hidden": 1e12}') FROM opt_rows;
SELECT hgnn_fit(features, label, task, '{"hidden": 8.5}') FROM opt_rows;
SELECT hgnn_fit(features, label, task, '{"hidden": "8"}') FROM opt_rows;
SELECT hgnn_fit(features, label, task, '{"hidden": null}') FROM opt_rows;
SELECT hgnn_fit(features, label, task, '{"gat_hidden": 2000}') FROM opt_rows;
SELECT hgnn_fit(features, label, task, '{"task_embedding": -1}') FROM opt_rows;
SELECT hgnn_fit(features, label, task, '{"class_embedding": 1025}')
FROM opt_rows;
SELECT hgnn_fit(features, label, task, '{"epochs": 0}') FROM opt_rows;
SELECT hgnn_fit(features, label, task, '{"epochs": 1000001}') FROM opt_rows;
SELECT hgnn_fit(features, label, task, '{"batch_per_group": 0}') FROM opt_rows;
SELECT hgnn_fit(features, label, task, '{"seed": -1}') FROM opt_rows;
SELECT hgnn_fit(features, label, task, '{"seed": 9223372036854775808}')
FROM opt_rows;
SELECT hgnn_fit(features, label, task, '{"seed": 1.5}') FROM opt_rows;

-- numbers
SELECT hgnn_fit(features, label, task, '{"learning_rate": 0}') FROM opt_rows;
SELECT hgnn_fit(features, label, task, '{"learning_rate": 11}') FROM opt_rows;
SELECT hgnn_fit(features, label, task, '{"learning_rate": 1e400}')
FROM opt_rows;
SELECT hgnn_fit(features, label, task, '{"weight_decay": -0.1}') FROM opt_rows;
SELECT hgnn_fit(features, label, task, '{"sigma": 0}') FROM opt_rows;
SELECT hgnn_fit(features, label, task, '{"sigma": "auto"}') FROM opt_rows;
SELECT hgnn_fit(features, label, task, '{"clip_norm": -1}') FROM opt_rows;

-- booleans
SELECT hgnn_fit(features, label, task, '{"standardize": 1}') FROM opt_rows;
SELECT hgnn_fit(features, label, task, '{"augment": "false"}') FROM opt_rows;
SELECT hgnn_fit(features, label, task, '{"verbose": null}') FROM opt_rows;
SELECT hgnn_fit(features, label, task, '{"skip_nulls": [true]}') FROM opt_rows;
SELECT hgnn_fit(features, label, task, '{"prior_correction": {}}')
FROM opt_rows;

-- limits that depend on the data
SELECT hgnn_fit(features, label, task, '{"batch_per_group": 4096}')
FROM opt_rows;
SELECT hgnn_fit(array_fill(0.5::real, ARRAY[20000]) || id::real, label, task,
                '{"hidden": 4096}')
FROM opt_rows;

-- valid edge values, and JSON null for sigma to use the data-driven width
SELECT info->'options'->'sigma' AS sigma_option,
       (info->>'sigma')::float8 > 0 AS sigma_measured,
       info->'options'->'seed' AS seed,
       info->'options'->'hidden' AS hidden,
       info->'options'->'clip_norm' AS clip_norm,
       info->'options'->'standardize' AS standardize
FROM (SELECT hgnn_model_info(hgnn_fit(features, label, task,
             '{"sigma": null, "seed": 9223372036854775807, "hidden": 1.0,
               "gat_hidden": 1, "task_embedding": 1, "class_embedding": 1,
               "epochs": 1, "batch_per_group": 1, "clip_norm": 0.5,
               "standardize": false}')) AS info
      FROM opt_rows) s;

-- the learning-rate schedule is chosen by name; the loss curve of a
-- constant schedule differs from that of the inverse one
SELECT hgnn_fit(features, label, task, '{"lr_schedule": "cosine"}')
FROM opt_rows;
SELECT hgnn_fit(features, label, task, '{"lr_schedule": 1}') FROM opt_rows;
SELECT c.info->'options'->'lr_schedule' AS constant_schedule,
       i.info->'options'->'lr_schedule' AS inverse_schedule,
       c.info->'final_loss' <> i.info->'final_loss' AS losses_differ
FROM (SELECT hgnn_model_info(hgnn_fit(features, label, task,
             '{"epochs": 5, "hidden": 8, "lr_schedule": "constant"}')) AS info
      FROM opt_rows) c,
     (SELECT hgnn_model_info(hgnn_fit(features, label, task,
             '{"epochs": 5, "hidden": 8, "lr_schedule": "inverse"}')) AS info
      FROM opt_rows) i;

-- the activation of H0, H1 and H2 is chosen by name.  A relu model of
-- either kind fits its training rows, scored through hgnn_predict.  The
-- regression defaults fit 40 epochs with neither activation, so the
-- regression model takes a weak penalty and a constant rate.
SELECT hgnn_fit(features, label, task, '{"activation": "sigmoid"}')
FROM opt_rows;
SELECT hgnn_fit(features, label, task, '{"activation": 2}') FROM opt_rows;
CREATE TABLE opt_relu AS
SELECT hgnn_fit(features, label, task,
                '{"epochs": 40, "hidden": 8, "activation": "relu"}') AS c,
       hgnn_fit(features, label::float8, task,
                '{"epochs": 40, "hidden": 8, "activation": "relu",
                  "weight_decay": 0.001, "weight_decay_scale": "none",
                  "learning_rate": 0.03, "lr_schedule": "constant"}') AS r
FROM opt_rows;
SELECT hgnn_model_info(c)->'options'->'activation' AS classifier,
       hgnn_model_info(r)->'options'->'activation' AS regression,
       hgnn_model_info(c)->'activation' AS classifier_in_effect,
       hgnn_model_info(r)->'activation' AS regression_in_effect
FROM opt_relu;
SELECT avg((hgnn_predict_label(c, features, task) = label::text)::int) >= 0.9
           AS classifier_fits,
       avg((hgnn_predict(r, features, task) - label) ^ 2) < 0.1
           AS regression_fits
FROM opt_relu, opt_rows;

-- hgnn_augment starts with H0, which relu keeps at 0 or above and tanh
-- would not (hidden 8, so elements 1 to 8)
SELECT bool_and(h >= 0) AS classifier_h0_nonnegative,
       bool_or(h = 0) AS classifier_h0_has_zero
FROM opt_relu, opt_rows,
     unnest((hgnn_augment(c, features, task))[1:8]) AS h;
SELECT bool_and(h >= 0) AS regression_h0_nonnegative
FROM opt_relu, opt_rows,
     unnest((hgnn_augment(r, features, task))[1:8]) AS h;

-- the defaults of hidden, weight_decay, weight_decay_scale and
-- learning_rate depend on the kind; an option that is given keeps its
-- value in both
SELECT info->>'kind' AS kind,
       info->'options'->'activation' AS activation,
       info->'options'->'hidden' AS hidden,
       info->'options'->'weight_decay' AS weight_decay,
       info->'options'->'weight_decay_scale' AS weight_decay_scale,
       info->'options'->'learning_rate' AS learning_rate,
       info->'options'->'lr_schedule' AS lr_schedule,
       info->'options'->'epochs' AS epochs
FROM (SELECT hgnn_model_info(hgnn_fit(features, label, task,
                                      '{"epochs": 1}')) AS info
      FROM opt_rows
      UNION ALL
      SELECT hgnn_model_info(hgnn_fit(features, label::float8, task,
                                      '{"epochs": 1}'))
      FROM opt_rows
      UNION ALL
      SELECT hgnn_model_info(hgnn_fit(features, label, task,
             '{"epochs": 1, "kind": "regression", "hidden": 8,
               "weight_decay": 0.5, "weight_decay_scale": "none",
               "learning_rate": 0.04,
               "lr_schedule": "constant", "activation": "relu"}'))
      FROM opt_rows
      UNION ALL
      SELECT hgnn_model_info(hgnn_fit(features, label, task,
             '{"epochs": 1, "hidden": 8, "weight_decay": 0.5,
               "weight_decay_scale": "rows",
               "learning_rate": 0.04, "lr_schedule": "inverse",
               "activation": "tanh"}'))
      FROM opt_rows) s;

-- weight_decay_scale is chosen by name.  With rows the steps apply
-- weight_decay times tasks over training rows (0.5 * 2 / 40).  The
-- top-level weight_decay of hgnn_model_info reports that value, and the
-- options keep the value given.
SELECT hgnn_fit(features, label, task, '{"weight_decay_scale": "row"}')
FROM opt_rows;
SELECT hgnn_fit(features, label, task, '{"weight_decay_scale": true}')
FROM opt_rows;
SELECT info->'options'->'weight_decay' AS given,
       info->'options'->'weight_decay_scale' AS scale,
       info->'weight_decay' AS applied,
       (info->>'weight_decay')::float8 =
           0.5 * (info->>'n_tasks')::float8 / (info->>'rows_used')::float8
           AS applied_is_scaled
FROM (SELECT hgnn_model_info(hgnn_fit(features, label, task,
             '{"epochs": 1, "hidden": 4, "weight_decay": 0.5,
               "weight_decay_scale": "rows"}')) AS info
      FROM opt_rows
      UNION ALL
      SELECT hgnn_model_info(hgnn_fit(features, label, task,
             '{"epochs": 1, "hidden": 4, "weight_decay": 0.5,
               "weight_decay_scale": "none"}'))
      FROM opt_rows) s;

-- an invalid value is quoted in the error up to 80 bytes, so a long one
-- does not fill the log
SELECT hgnn_fit(features, label, task,
                jsonb_build_object('weight_decay_scale', repeat('x', 1000000)))
FROM opt_rows;
SELECT hgnn_fit(features, label, task,
                jsonb_build_object('activation', repeat('é', 100)))
FROM opt_rows;
SELECT hgnn_fit(features, label, task,
                jsonb_build_object('hidden', to_jsonb(array_fill(7, ARRAY[100]))))
FROM opt_rows;
