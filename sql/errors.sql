-- Bad training input: every case is an error that names the value.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS hgnn;
RESET client_min_messages;

CREATE TABLE err_rows AS
SELECT i AS id,
       i % 2 AS task,
       (i / 2) % 2 AS label,
       ARRAY[(i / 2) % 2 + 0.3 * sin(i), 0.3 * cos(i * 1.3),
             -((i / 2) % 2) + 0.2 * sin(i * 0.7)]::real[] AS features
FROM generate_series(1, 80) AS i;

CREATE TABLE err_options AS
SELECT '{"hidden": 4, "gat_hidden": 2, "task_embedding": 2,
         "class_embedding": 2, "epochs": 3, "batch_per_group": 4}'::jsonb
       AS o;

-- NULL features, label or task: the count, unless skip_nulls is set
SELECT hgnn_fit(CASE WHEN id % 10 = 0 THEN NULL ELSE features END,
                CASE WHEN id = 7 THEN NULL ELSE label END,
                CASE WHEN id IN (7, 8) THEN NULL ELSE task END,
                (SELECT o FROM err_options))
FROM err_rows;

SELECT info->'rows_used' AS rows_used, info->'rows_skipped' AS rows_skipped
FROM (SELECT hgnn_model_info(hgnn_fit(
             CASE WHEN id % 10 = 0 THEN NULL ELSE features END,
             CASE WHEN id = 7 THEN NULL ELSE label END,
             CASE WHEN id IN (7, 8) THEN NULL ELSE task END,
             (SELECT o || '{"skip_nulls": true}' FROM err_options))) AS info
      FROM err_rows) s;

SELECT hgnn_fit(NULL::real[], label, task, (SELECT o || '{"skip_nulls": true}'
                                            FROM err_options))
FROM err_rows;

-- NULL options mean the defaults
SELECT hgnn_model_info(hgnn_fit(features, label, task, NULL))
       ->'options'->'epochs' AS epochs
FROM err_rows WHERE id IN (1, 2);

-- NULL elements, lengths, dimensions
SELECT hgnn_fit(CASE WHEN id = 5 THEN ARRAY[1, NULL, 3]::real[]
                ELSE features END, label, task) FROM err_rows;
SELECT hgnn_fit(CASE WHEN id = 5 THEN features[1:2] ELSE features END,
                label, task) FROM err_rows;
SELECT hgnn_fit(CASE WHEN id = 5 THEN features || 1::real ELSE features END,
                label, task) FROM err_rows;
SELECT hgnn_fit(CASE WHEN id = 5 THEN '{{1, 2}, {3, 4}}'::real[]
                ELSE features END, label, task) FROM err_rows;
SELECT hgnn_fit('{}'::real[], label, task) FROM err_rows;
SELECT hgnn_fit(array_fill(0::real, ARRAY[70000]), label, task)
FROM err_rows WHERE id = 1;

-- NaN, infinity, values beyond real
SELECT hgnn_fit(CASE WHEN id = 5 THEN '{1, NaN, 3}'::real[]
                ELSE features END, label, task) FROM err_rows;
SELECT hgnn_fit(CASE WHEN id = 5 THEN '{1, 2, Infinity}'::real[]
                ELSE features END, label, task) FROM err_rows;
SELECT hgnn_fit(CASE WHEN id = 5 THEN '{-Infinity, 2, 3}'::float8[]
                ELSE features::float8[] END, label, task) FROM err_rows;
SELECT hgnn_fit(CASE WHEN id = 5 THEN '{1, 2, -1e300}'::float8[]
                ELSE features::float8[] END, label, task) FROM err_rows;

-- no rows, one class
SELECT hgnn_fit(features, label, task) FROM err_rows WHERE false;
SELECT hgnn_fit(features, 'only', task) FROM err_rows;
SELECT hgnn_fit(features, label, task) FROM err_rows WHERE label = 1;

-- too many classes for a classifier
SELECT hgnn_fit(features, id * 14 + g, task, (SELECT o FROM err_options))
FROM err_rows, generate_series(1, 14) AS g;

-- options must be the same on every row
SELECT hgnn_fit(features, label, task,
                jsonb_build_object('epochs', 1 + id % 2)) FROM err_rows;
-- the same value written differently is the same option
SELECT hgnn_model_info(hgnn_fit(features, label, task,
           CASE WHEN id % 2 = 0 THEN '{"epochs": 1, "hidden": 4}'::jsonb
                ELSE '{"hidden": 4.0, "epochs": 1.00}'::jsonb END))
           -> 'options' -> 'hidden' AS hidden
FROM err_rows;

-- an error leaves the session usable
SELECT hgnn_model_info(hgnn_fit(features, label, task,
                                (SELECT o FROM err_options)))->'rows_used'
       AS rows_used
FROM err_rows;
