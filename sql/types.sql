-- Label, task and feature types accepted by hgnn_fit and prediction.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS hgnn;
RESET client_min_messages;

CREATE DOMAIN type_task AS int CHECK (VALUE >= 0);

CREATE TABLE type_rows AS
SELECT i AS id,
       ARRAY[(i / 3) % 3 + 0.4 * sin(i * 1.7),
             -((i / 3) % 3) + 0.4 * cos(i * 2.3),
             sin(i * 0.9)]::real[] AS f4,
       ARRAY[(i / 3) % 3 + 0.4 * sin(i * 1.7),
             -((i / 3) % 3) + 0.4 * cos(i * 2.3),
             sin(i * 0.9)]::real[]::float8[] AS f8,
       ((i / 3) % 3)::int2 AS l_int2,
       ((i / 3) % 3)::int4 AS l_int4,
       ((i / 3) % 3)::int8 * 1000000000000 AS l_int8,
       (i / 3) % 3 = 2 AS l_bool,
       (ARRAY['cat', 'dog', 'émeu'])[(i / 3) % 3 + 1] AS l_text,
       (ARRAY['cat', 'dog', 'émeu'])[(i / 3) % 3 + 1]::varchar(10) AS l_varchar,
       (ARRAY['cat', 'dog', 'émeu'])[(i / 3) % 3 + 1]::char(6) AS l_bpchar,
       (i % 2)::int2 AS t_int2,
       (i % 2)::int8 - 5 AS t_int8,
       (i % 2)::type_task AS t_domain,
       (ARRAY['north', 'south'])[i % 2 + 1] AS t_text,
       (ARRAY['north', 'south'])[i % 2 + 1]::char(8) AS t_bpchar
FROM generate_series(1, 240) AS i;

CREATE TABLE type_options AS
SELECT '{"hidden": 16, "gat_hidden": 4, "task_embedding": 4,
         "class_embedding": 4, "epochs": 15, "batch_per_group": 8,
         "learning_rate": 0.05,
         "lr_schedule": "inverse", "weight_decay": 0.01, "seed": 3}'::jsonb AS o;

CREATE TABLE type_models AS
SELECT (SELECT hgnn_fit(f4, l_int2, t_int2, o) FROM type_rows) AS m_int2,
       (SELECT hgnn_fit(f4, l_int4, t_int8, o) FROM type_rows) AS m_int4,
       (SELECT hgnn_fit(f4, l_int8, t_domain, o) FROM type_rows) AS m_int8,
       (SELECT hgnn_fit(f4, l_bool, t_text, o) FROM type_rows) AS m_bool,
       (SELECT hgnn_fit(f4, l_text, t_text, o) FROM type_rows) AS m_text,
       (SELECT hgnn_fit(f4, l_varchar, t_bpchar, o) FROM type_rows) AS m_varchar,
       (SELECT hgnn_fit(f4, l_bpchar, t_int2, o) FROM type_rows) AS m_bpchar,
       (SELECT hgnn_fit(f8, l_int2, t_int2, o) FROM type_rows) AS m_float8
FROM type_options;

-- the values and kinds each model keeps
SELECT kind, info->'label_type' AS label_type, info->'classes' AS classes,
       info->'task_type' AS task_type, info->'tasks' AS tasks
FROM type_models,
     LATERAL (VALUES ('int2', hgnn_model_info(m_int2)),
                     ('int4', hgnn_model_info(m_int4)),
                     ('int8', hgnn_model_info(m_int8)),
                     ('bool', hgnn_model_info(m_bool)),
                     ('text', hgnn_model_info(m_text)),
                     ('varchar', hgnn_model_info(m_varchar)),
                     ('bpchar', hgnn_model_info(m_bpchar))) AS v(kind, info);

-- trailing blanks of character(n) do not count, as in its comparisons
SELECT hgnn_model_classes(m_bpchar) FROM type_models;

-- real[] and double precision[] holding the same values train the same
-- weights, as do labels and tasks of other types whose values sort alike
SELECT hgnn_model_info(m_int2)->>'weights_hash' =
       hgnn_model_info(m_float8)->>'weights_hash' AS float8_same_as_real,
       hgnn_model_info(m_int2)->>'weights_hash' =
       hgnn_model_info(m_int4)->>'weights_hash' AS int4_same_as_int2,
       hgnn_model_info(m_text)->>'weights_hash' =
       hgnn_model_info(m_varchar)->>'weights_hash' AS varchar_same_as_text
FROM type_models;

-- predictions of each type
SELECT avg((hgnn_predict(m_int2, f4, t_int2) = l_int2)::int) > 0.9 AS int2_ok,
       avg((hgnn_predict(m_int4, f8, t_int8) = l_int4)::int) > 0.9 AS int4_ok,
       avg((hgnn_predict(m_int8, f4, t_domain) = l_int8)::int) > 0.9 AS int8_ok,
       avg((hgnn_predict(m_bool, f4, t_text) = l_bool::int)::int) > 0.9
           AS bool_ok,
       avg((hgnn_predict_label(m_bool, f4, t_text) = l_bool::text)::int) > 0.9
           AS bool_label_ok,
       avg((hgnn_predict_label(m_text, f4, t_text) = l_text)::int) > 0.9
           AS text_ok,
       avg((hgnn_predict_label(m_varchar, f4, t_bpchar) = l_varchar)::int)
           > 0.9 AS varchar_ok,
       avg((hgnn_predict_label(m_bpchar, f4, t_int2) = rtrim(l_bpchar))::int)
           > 0.9 AS bpchar_ok
FROM type_rows, type_models;

-- a task given as another type of the same kind
SELECT hgnn_predict(m_int2, f4, t_int2::int8) = hgnn_predict(m_int2, f4, t_int2)
       AS int8_task_ok,
       hgnn_predict_label(m_varchar, f4, rtrim(t_bpchar)) =
       hgnn_predict_label(m_varchar, f4, t_bpchar) AS text_task_ok,
       hgnn_predict_label(m_varchar, f4, (t_bpchar || '  ')::char(12)) =
       hgnn_predict_label(m_varchar, f4, t_bpchar) AS padded_task_ok
FROM type_rows, type_models WHERE id = 10;

-- untyped literals are read as the model's kind
SELECT hgnn_predict(m_int2, '{0, 0, 0}'::real[], '1') AS int_task,
       hgnn_predict_label(m_bool, '{2, -2, 0}'::real[], 'south') AS text_task,
       hgnn_predict_proba(m_bool, '{2, -2, 0}'::real[], 'south', 'true') > 0.8
           AS likely_true,
       hgnn_predict_proba(m_text, '{2, -2, 0}'::real[], 'south', 'émeu') > 0.8
           AS likely_emu
FROM type_models;

-- hgnn_predict returns numbers, so text labels need hgnn_predict_label
SELECT hgnn_predict(m_text, f4, t_text) FROM type_rows, type_models
WHERE id = 1;

-- a value of the wrong kind
SELECT hgnn_predict(m_int2, f4, t_text) FROM type_rows, type_models
WHERE id = 1;
SELECT hgnn_predict_label(m_text, f4, t_int2) FROM type_rows, type_models
WHERE id = 1;
SELECT hgnn_predict(m_int2, f4, 'north') FROM type_rows, type_models
WHERE id = 1;
SELECT hgnn_predict_proba(m_bool, f4, t_text, 1) FROM type_rows, type_models
WHERE id = 1;
SELECT hgnn_predict_proba(m_bool, f4, t_text, 'maybe') FROM type_rows,
       type_models WHERE id = 1;

-- real, double precision and numeric labels train regression models
SELECT hgnn_model_info(hgnn_fit(f4, l_int2::numeric, t_int2, o))->>'kind'
       AS numeric_kind,
       hgnn_model_info(hgnn_fit(f4, l_int2::float8, t_int2, o))->>'kind'
       AS float8_kind
FROM type_rows, type_options;

-- types outside the accepted ones name the type
SELECT hgnn_fit(f4, (DATE '2026-01-01' + l_int2), t_int2) FROM type_rows;
SELECT hgnn_fit(f4, l_int2, l_bool) FROM type_rows;
SELECT hgnn_fit(f4, l_int2, now()) FROM type_rows;
SELECT hgnn_fit(f4::numeric[], l_int2, t_int2) FROM type_rows;
SELECT hgnn_fit(ARRAY[1, 2, 3], l_int2, t_int2) FROM type_rows;
SELECT hgnn_fit(1.5::real, l_int2, t_int2) FROM type_rows;
SELECT hgnn_predict(m_int2, ARRAY[1, 2, 3], 1) FROM type_models;
SELECT hgnn_predict(m_int2, f4, t_int2::float8) FROM type_rows, type_models
WHERE id = 1;
