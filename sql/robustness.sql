-- Inputs that once passed the checks and misbehaved later: extreme finite
-- values, a damaged model after an intact one, tiny widths, long values.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS hgnn;
RESET client_min_messages;

CREATE TABLE robust_rows AS
SELECT ARRAY[sin(i)::real, cos(i * 0.7)::real, (i % 5)::real / 10] AS features,
       (i % 3) AS label,
       'task' || (i % 2) AS task
FROM generate_series(1, 120) AS i;

CREATE TABLE robust_model AS
SELECT hgnn_fit(features, label, task,
                '{"hidden": 8, "epochs": 3, "batch_per_group": 4}') AS model
FROM robust_rows;

-- a finite placeholder value overflows after standardization: an error,
-- not a label read from outside the class list
SELECT hgnn_predict(model, ARRAY[3.4028235e38, 3.4028235e38, 3.4028235e38]::real[],
                    'task0')
FROM robust_model;
SELECT hgnn_predict_label(model, ARRAY[0, 0, 3.4028235e38]::real[], 'task1')
FROM robust_model;
SELECT hgnn_predict_proba(model, ARRAY[0, 0, 3.4028235e38]::real[], 'task1')
FROM robust_model;

-- a copy with one altered body byte, scored right after the intact model,
-- still fails its checksum instead of reusing the cached model
SELECT v.which,
       hgnn_predict(v.model, ARRAY[0.1, 0.2, 0.3]::real[], 'task0') IS NOT NULL
       AS scored
FROM (SELECT 1 AS which, model FROM robust_model
      UNION ALL
      SELECT 2, set_byte(model, 300, get_byte(model, 300) # 255)
      FROM robust_model) AS v
ORDER BY v.which;

-- values near the limit of real train: the mean and the deviations are
-- computed in double precision
SELECT hgnn_model_info(hgnn_fit(f, l, t, '{"hidden": 4, "epochs": 1}'))
       ->> 'rows_used' AS rows_used
FROM (VALUES (ARRAY[3.4e38]::real[], 0, 1), (ARRAY[-3.4e38]::real[], 1, 1),
             (ARRAY[3.4e38]::real[], 1, 1), (ARRAY[3.4e38]::real[], 0, 1))
     AS v (f, l, t);

-- a constant feature with a subnormal spread trains: its scale becomes 1
SELECT hgnn_model_info(hgnn_fit(f, l, t, '{"hidden": 4, "epochs": 1}'))
       ->> 'rows_used' AS rows_used
FROM (VALUES (ARRAY[0, 1]::real[], 0, 1), (ARRAY[1.4e-45, 2]::real[], 1, 1),
             (ARRAY[0, 3]::real[], 0, 1), (ARRAY[1.4e-45, 4]::real[], 1, 1))
     AS v (f, l, t);

-- double precision values that underflow real are rejected, as a cast is
SELECT hgnn_predict(model, ARRAY[1e-50, 0, 0]::float8[], 'task0')
FROM robust_model;

-- a kernel width below 1e-6 is rejected up front
SELECT hgnn_fit(features, label, task, '{"sigma": 1e-7}') FROM robust_rows;

-- a long unknown value is quoted in part
SELECT hgnn_predict(model, ARRAY[0, 0, 0]::real[], repeat('x', 200))
FROM robust_model;

-- an empty model name
SELECT hgnn_train('', 'robust_rows', 'features', 'label', 'task');

DROP TABLE robust_rows, robust_model;
